import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { activitySchema, planRecordSchema } from '../../activities/schema.js';
import { requestControl } from '../../app/cliBackend.js';
import { AgentError, ErrorCode, ExitCode } from '../../errors.js';
import { defineMessages } from '../../i18n.js';
import { parseCommandArgs, parseSeq } from '../args.js';
import type { CliCommand } from '../command.js';
import { configOptions, inspectConfigForCli } from '../configOption.js';
import { activityDetails, activityLine, planLine } from './activityText.js';

const t = defineMessages({
  started: { zh: '活动已开始：', en: 'Activity started: ' },
  ended: { zh: '活动已结束：', en: 'Activity ended: ' },
  none: { zh: '当前没有进行中的活动。', en: 'No activity is running.' },
  noneListed: { zh: '还没有活动记录。', en: 'No activities yet.' },
  noPlans: { zh: '没有活动计划。', en: 'No activity plans.' },
  planAdded: {
    zh: '活动计划已登记：{id}，开始于 {startsAt}（状态 {state}）',
    en: 'Activity plan recorded: {id}, starts at {startsAt} (state {state})',
  },
  planCancelled: { zh: '活动计划已取消：{id}', en: 'Activity plan cancelled: {id}' },
  needFile: { zh: 'activity plan add: 需要 --file plan.json', en: 'activity plan add: --file plan.json is required' },
  unreadable: { zh: '无法读取计划文件 {file}：{reason}', en: 'cannot read the plan file {file}: {reason}' },
  notJson: { zh: '计划文件 {file} 不是有效的 JSON：{reason}', en: 'the plan file {file} is not valid JSON: {reason}' },
  needId: {
    zh: 'activity plan cancel: 需要计划编号，例如 room-agent activity plan cancel P-2025-07',
    en: 'activity plan cancel: the plan id is required, e.g. room-agent activity plan cancel P-2025-07',
  },
  needTypeTitle: {
    zh: 'activity start: 需要 --type 和 --title',
    en: 'activity start: --type and --title are required',
  },
});

const withJson = { ...configOptions, json: { type: 'boolean' } } as const;

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

function printJson(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}

const startCommand: CliCommand = {
  path: ['activity', 'start'],
  synopsis:
    '--type TYPE --title TITLE [--photos N] [--recording [--recording-upload on-request|when-idle]] [--duration MIN]',
  summary: { zh: '开始一项活动（会议）', en: 'start an activity (meeting)' },
  async run(args) {
    const { values } = parseCommandArgs('activity start', args, {
      ...configOptions,
      type: { type: 'string' },
      title: { type: 'string' },
      photos: { type: 'string' },
      recording: { type: 'boolean' },
      'recording-upload': { type: 'string' },
      duration: { type: 'string' },
    });
    if (values.type === undefined || values.title === undefined)
      throw new AgentError(ErrorCode.UsageError, t('needTypeTitle'));
    const params = {
      type: values.type,
      title: values.title,
      photos: parseSeq('activity start', '--photos', values.photos, 0),
      recording: values.recording ?? false,
      // Checked by the daemon's schema, whose message names the allowed values.
      ...(values['recording-upload'] !== undefined && { recordingUpload: values['recording-upload'] }),
      ...(values.duration !== undefined && {
        durationMin: parseSeq('activity start', '--duration', values.duration, 0),
      }),
    };
    const activity = activitySchema.parse(await requestControl(inspectConfigForCli(values), 'activity.start', params));
    print(t('started') + activityDetails(activity));
    return ExitCode.Ok;
  },
};

const endCommand: CliCommand = {
  path: ['activity', 'end'],
  synopsis: '[--reason TEXT]',
  summary: { zh: '结束进行中的活动', en: 'end the running activity' },
  async run(args) {
    const { values } = parseCommandArgs('activity end', args, { ...configOptions, reason: { type: 'string' } });
    const params = values.reason === undefined ? {} : { reason: values.reason };
    const activity = activitySchema.parse(await requestControl(inspectConfigForCli(values), 'activity.end', params));
    print(t('ended') + activityDetails(activity));
    return ExitCode.Ok;
  },
};

const currentCommand: CliCommand = {
  path: ['activity', 'current'],
  synopsis: '[--json]',
  summary: { zh: '显示进行中的活动', en: 'show the running activity' },
  async run(args) {
    const { values } = parseCommandArgs('activity current', args, withJson);
    const activity = activitySchema
      .nullable()
      .parse(await requestControl(inspectConfigForCli(values), 'activity.current', {}));
    if (values.json) printJson(activity);
    else print(activity === null ? t('none') : activityDetails(activity));
    return ExitCode.Ok;
  },
};

const listCommand: CliCommand = {
  path: ['activity', 'list'],
  synopsis: '[--limit N] [--json]',
  summary: { zh: '列出最近的活动', en: 'list recent activities' },
  async run(args) {
    const { values } = parseCommandArgs('activity list', args, { ...withJson, limit: { type: 'string' } });
    const limit = parseSeq('activity list', '--limit', values.limit, 20);
    const activities = z
      .array(activitySchema)
      .parse(await requestControl(inspectConfigForCli(values), 'activity.list', { limit }));
    if (values.json) printJson(activities);
    else print(activities.length === 0 ? t('noneListed') : activities.map(activityLine).join('\n'));
    return ExitCode.Ok;
  },
};

function readPlanFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new AgentError(ErrorCode.UsageError, t('unreadable', { file, reason: (error as Error).message }), { file });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AgentError(ErrorCode.ActivityPlanInvalid, t('notJson', { file, reason: (error as Error).message }), {
      file,
    });
  }
}

const planAddCommand: CliCommand = {
  path: ['activity', 'plan', 'add'],
  synopsis: '--file plan.json',
  summary: { zh: '登记一项活动计划（到时自动开始）', en: 'record an activity plan (starts by itself at its time)' },
  async run(args) {
    const { values } = parseCommandArgs('activity plan add', args, { ...configOptions, file: { type: 'string' } });
    if (values.file === undefined) throw new AgentError(ErrorCode.UsageError, t('needFile'));
    const plan = readPlanFile(values.file);
    const record = planRecordSchema.parse(await requestControl(inspectConfigForCli(values), 'plan.add', { plan }));
    print(t('planAdded', { id: record.plan.id, startsAt: record.plan.startsAt, state: record.state }));
    return ExitCode.Ok;
  },
};

const planListCommand: CliCommand = {
  path: ['activity', 'plan', 'list'],
  synopsis: '[--json]',
  summary: { zh: '列出活动计划', en: 'list activity plans' },
  async run(args) {
    const { values } = parseCommandArgs('activity plan list', args, withJson);
    const plans = z.array(planRecordSchema).parse(await requestControl(inspectConfigForCli(values), 'plan.list', {}));
    if (values.json) printJson(plans);
    else print(plans.length === 0 ? t('noPlans') : plans.map(planLine).join('\n'));
    return ExitCode.Ok;
  },
};

const planCancelCommand: CliCommand = {
  path: ['activity', 'plan', 'cancel'],
  synopsis: 'ID [--reason TEXT]',
  summary: { zh: '取消一项尚未开始的活动计划', en: 'cancel an activity plan that has not started' },
  async run(args) {
    const { values, positionals } = parseCommandArgs(
      'activity plan cancel',
      args,
      { ...configOptions, reason: { type: 'string' } },
      true,
    );
    const [id] = positionals;
    if (id === undefined || positionals.length > 1) throw new AgentError(ErrorCode.UsageError, t('needId'));
    const params = values.reason === undefined ? { id } : { id, reason: values.reason };
    const record = planRecordSchema.parse(await requestControl(inspectConfigForCli(values), 'plan.cancel', params));
    print(t('planCancelled', { id: record.plan.id }));
    return ExitCode.Ok;
  },
};

export const activityCommands: CliCommand[] = [
  startCommand,
  endCommand,
  currentCommand,
  listCommand,
  planAddCommand,
  planListCommand,
  planCancelCommand,
];
