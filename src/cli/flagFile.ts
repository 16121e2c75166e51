import { readFileSync } from 'node:fs';
import { AgentError, ErrorCode } from '../errors.js';
import { defineMessages } from '../i18n.js';
import { fileProblem } from '../util/fileProblem.js';

const t = defineMessages({
  unreadable: {
    zh: '{command}：无法读取 {flag} 文件 {file}：{reason}',
    en: '{command}: cannot read the {flag} file {file}: {reason}',
  },
});

/**
 * The bytes of a file a flag names (a password or a key kept out of the command line, where `ps`
 * shows it to every user); undefined without the flag; InputUnreadable naming the flag otherwise.
 */
export function readFlagFile(command: string, flag: string, file: string | undefined): Buffer | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file);
  } catch (error) {
    throw unreadableFlagFile(command, flag, file, error);
  }
}

/** The InputUnreadable error for a file a flag names, saying why it cannot be read. */
export function unreadableFlagFile(command: string, flag: string, file: string, error: unknown): AgentError {
  return new AgentError(
    ErrorCode.InputUnreadable,
    t('unreadable', { command, flag, file, reason: fileProblem(error, 'read') }),
    { file },
    { cause: error },
  );
}
