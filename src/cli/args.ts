import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AgentError, ErrorCode } from '../errors.js';
import { defineMessages } from '../i18n.js';

const t = defineMessages({
  badArgs: { zh: '{command}：{reason}', en: '{command}: {reason}' },
  notWholeNumber: {
    zh: '{command}：{flag} 必须是 ≥ 0 的整数，而不是 "{value}"',
    en: '{command}: {flag} must be a whole number ≥ 0, got "{value}"',
  },
});

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * node:util parseArgs with strict checking, turned into a usage error that names the command,
 * so a mistyped flag is reported in one line instead of a stack trace.
 */
export function parseCommandArgs<O extends Options>(
  command: string,
  args: string[],
  options: O,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw new AgentError(ErrorCode.UsageError, t('badArgs', { command, reason: (error as Error).message }), {
      command,
    });
  }
}

/** Parses a non-negative integer flag value, e.g. a seq. */
export function parseSeq(command: string, flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) {
    throw new AgentError(ErrorCode.UsageError, t('notWholeNumber', { command, flag, value }), { flag, value });
  }
  return Number(value);
}
