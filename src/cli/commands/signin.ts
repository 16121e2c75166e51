import { requestControl } from '../../app/cliBackend.js';
import { AgentError, ErrorCode, ExitCode } from '../../errors.js';
import { defineMessages } from '../../i18n.js';
import { manualSignInResultSchema } from '../../signin/methods.js';
import { confirmProgressSchema } from '../../signin/secretaryFinger.js';
import { parseCommandArgs } from '../args.js';
import type { CliCommand } from '../command.js';
import { configOptions, inspectConfigForCli } from '../configOption.js';
import { singleMemberId } from './memberArgs.js';

const t = defineMessages({
  needConfirmer: {
    zh: 'signin manual：需要 --confirmed-by 书记的成员编号，或 --secretary-finger（由书记按指纹确认），二者选一',
    en: 'signin manual: give --confirmed-by SECRETARY_ID, or --secretary-finger to confirm with the secretary’s finger (one of the two)',
  },
  place: {
    zh: '请书记在 {seconds} 秒内将手指放在传感器上，确认成员 {memberId} 的人工签到',
    en: 'Secretary: place your finger on the sensor within {seconds} s to confirm the manual sign-in of member {memberId}',
  },
  notSecretary: {
    zh: '这根手指不是书记的，请书记本人按指纹',
    en: 'That finger is not a secretary’s; the secretary must place their own finger',
  },
  unknownFinger: { zh: '未识别的手指，请书记再试一次', en: 'Finger not recognised; secretary, try again' },
  retry: { zh: '指纹图像不清晰，请重新放置', en: 'The image was unclear; place the finger again' },
  accepted: {
    zh: '成员 {memberId} 人工签到成功（由 {confirmedBy} 确认，日志 seq {seq}）',
    en: 'Member {memberId} signed in manually (confirmed by {confirmedBy}, journal seq {seq})',
  },
  already: {
    zh: '成员 {memberId} 已经签到过（日志 seq {seq}），未重复记录',
    en: 'Member {memberId} has already signed in (journal seq {seq}); nothing new recorded',
  },
});

/** The secretary has 30 s to come to the sensor, plus the time to hand over the module. */
const FINGER_TIMEOUT_MS = 60_000;

function progressLine(progress: unknown): string | undefined {
  const parsed = confirmProgressSchema.safeParse(progress);
  if (!parsed.success) return undefined;
  const line = parsed.data;
  switch (line.step) {
    case 'place':
      return t('place', { seconds: line.seconds, memberId: line.memberId });
    case 'not-secretary':
      return t('notSecretary');
    case 'unknown-finger':
      return t('unknownFinger');
    case 'retry':
      return t('retry');
  }
}

const manualCommand: CliCommand = {
  path: ['signin', 'manual'],
  synopsis:
    'MEMBER_ID (--confirmed-by SECRETARY_ID | --secretary-finger) [--operator NAME] [--config FILE] [--data-dir DIR]',
  summary: {
    zh: '为指纹读不出的成员人工签到，由书记以编号或本人指纹确认',
    en: 'sign in a member the sensor cannot read, confirmed by the branch secretary (by id or by their own finger)',
  },
  async run(args) {
    const options = {
      ...configOptions,
      'confirmed-by': { type: 'string' },
      'secretary-finger': { type: 'boolean' },
      operator: { type: 'string' },
    } as const;
    const { values, positionals } = parseCommandArgs('signin manual', args, options, true);
    const memberId = singleMemberId('signin manual', positionals);
    const byFinger = values['secretary-finger'] === true;
    if (byFinger === (values['confirmed-by'] !== undefined))
      throw new AgentError(ErrorCode.UsageError, t('needConfirmer'));
    const params = {
      memberId,
      ...(byFinger ? { confirm: 'finger' } : { confirmedBy: values['confirmed-by'] }),
      ...(values.operator !== undefined && { operator: values.operator }),
    };
    const onProgress = (progress: unknown): void => {
      const line = progressLine(progress);
      if (line !== undefined) process.stdout.write(`${line}\n`);
    };
    const answer = await requestControl(inspectConfigForCli(values), 'signin.manual', params, {
      timeoutMs: FINGER_TIMEOUT_MS,
      onProgress,
    });
    const result = manualSignInResultSchema.parse(answer);
    process.stdout.write(
      `${t(result.outcome, { memberId: result.memberId, confirmedBy: result.confirmedBy, seq: result.seq })}\n`,
    );
    return ExitCode.Ok;
  },
};

export const signInCommands: readonly CliCommand[] = [manualCommand];
