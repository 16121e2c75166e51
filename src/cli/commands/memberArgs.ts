import { AgentError, ErrorCode } from '../../errors.js';
import { defineMessages } from '../../i18n.js';

const t = defineMessages({
  needMember: { zh: '{command}：需要且只能给出一个成员编号', en: '{command}: give exactly one member number' },
  needOperator: {
    zh: '{command}：需要 --operator 姓名：日志记录是谁操作的',
    en: '{command}: --operator NAME is required: the journal records who did it',
  },
});

export function singleMemberId(command: string, positionals: readonly string[]): string {
  if (positionals.length !== 1) throw new AgentError(ErrorCode.UsageError, t('needMember', { command }), { command });
  return positionals[0]!;
}

/** Biometric changes are journaled with a named operator, never a guessed one. */
export function requireOperator(command: string, operator: string | undefined): string {
  if (operator === undefined || operator.trim() === '')
    throw new AgentError(ErrorCode.UsageError, t('needOperator', { command }), { command });
  return operator;
}
