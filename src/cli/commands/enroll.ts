import { requestControl } from '../../app/cliBackend.js';
import { enrollPromptSchema, enrollResultSchema } from '../../enrollment/methods.js';
import { AgentError, ErrorCode, ExitCode } from '../../errors.js';
import { defineMessages } from '../../i18n.js';
import { FINGER_NAMES } from '../../members/schema.js';
import { parseCommandArgs } from '../args.js';
import type { CliCommand } from '../command.js';
import { configOptions, inspectConfigForCli } from '../configOption.js';
import { requireOperator, singleMemberId } from './memberArgs.js';

const t = defineMessages({
  needFinger: {
    zh: 'enroll：需要 --finger，取值之一：{fingers}',
    en: 'enroll: --finger is required, one of: {fingers}',
  },
  badFinger: {
    zh: 'enroll：--finger "{finger}" 无效，取值之一：{fingers}',
    en: 'enroll: --finger "{finger}" is not a finger; use one of: {fingers}',
  },
  place: {
    zh: '请将手指平放在传感器上（第 {scan}/{of} 次）',
    en: 'Place the finger flat on the sensor (scan {scan} of {of})',
  },
  placeAgain: {
    zh: '请再次放上同一根手指（第 {scan}/{of} 次）',
    en: 'Place the same finger again (scan {scan} of {of})',
  },
  captured: { zh: '已采集（第 {scan}/{of} 次）', en: 'Captured (scan {scan} of {of})' },
  lift: { zh: '请抬起手指', en: 'Lift the finger' },
  retry: {
    zh: '第 {scan} 次没有采集成功（{reason}），请重新放置',
    en: 'Scan {scan} did not work ({reason}); place the finger again',
  },
  enrolled: {
    zh: '已录入成员 {memberId} 的 {finger}：模块槽位 {slot}（{family}，模板 {size} 字节）；加密备份保存在本设备（日志 seq {seq}）',
    en: 'Enrolled {finger} of member {memberId}: module slot {slot} ({family}, {size}-byte template); an encrypted backup is kept on this device (journal seq {seq})',
  },
  escrowed: {
    zh: '模板已加密到县中心公钥，等待同步',
    en: 'The template is sealed to the county key and waits for the sync',
  },
});

/** An enrollment waits for the member's finger at each step: far longer than an ordinary request. */
const ENROLL_TIMEOUT_MS = 5 * 60_000;

function promptLine(progress: unknown): string | undefined {
  const parsed = enrollPromptSchema.safeParse(progress);
  if (!parsed.success) return undefined;
  const prompt = parsed.data;
  switch (prompt.step) {
    case 'place':
      return t(prompt.scan === 1 ? 'place' : 'placeAgain', { scan: prompt.scan, of: prompt.of });
    case 'captured':
      return t('captured', { scan: prompt.scan, of: prompt.of });
    case 'lift':
      return t('lift');
    case 'retry':
      return t('retry', { scan: prompt.scan, reason: prompt.reason });
  }
}

export const enrollCommand: CliCommand = {
  path: ['enroll'],
  synopsis: 'MEMBER_ID --finger FINGER --operator NAME --consent [--config FILE] [--data-dir DIR]',
  summary: {
    zh: '为名册中的成员录入一根手指（需本人同意），按提示放置、抬起、再放置',
    en: "enroll one of a roster member's fingers (with their consent), guided: place, lift, place again",
  },
  async run(args) {
    const { values, positionals } = parseCommandArgs(
      'enroll',
      args,
      { ...configOptions, finger: { type: 'string' }, operator: { type: 'string' }, consent: { type: 'boolean' } },
      true,
    );
    const memberId = singleMemberId('enroll', positionals);
    const fingers = FINGER_NAMES.join(', ');
    if (values.finger === undefined) throw new AgentError(ErrorCode.UsageError, t('needFinger', { fingers }));
    if (!(FINGER_NAMES as readonly string[]).includes(values.finger))
      throw new AgentError(ErrorCode.UsageError, t('badFinger', { finger: values.finger, fingers }));
    const params = {
      memberId,
      finger: values.finger,
      operator: requireOperator('enroll', values.operator),
      consent: values.consent ?? false,
    };
    const onProgress = (progress: unknown): void => {
      const line = promptLine(progress);
      if (line !== undefined) process.stdout.write(`${line}\n`);
    };
    const result = enrollResultSchema.parse(
      await requestControl(inspectConfigForCli(values), 'enroll', params, { timeoutMs: ENROLL_TIMEOUT_MS, onProgress }),
    );
    process.stdout.write(
      `${t('enrolled', { memberId: result.memberId, finger: result.finger, slot: result.slot, family: result.moduleFamily, size: result.templateSize, seq: result.seq })}\n`,
    );
    if (result.escrowed) process.stdout.write(`${t('escrowed')}\n`);
    return ExitCode.Ok;
  },
};
