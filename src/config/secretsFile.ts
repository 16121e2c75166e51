import { chownSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AgentError, ErrorCode } from '../errors.js';
import { writeFileAtomic } from '../util/atomicWrite.js';

/**
 * The unit's EnvironmentFile (`/etc/room-agent/secrets.env`): `NAME=value` lines systemd reads as
 * root before it drops to the service user, so the file is root's alone (0600). Lines this module
 * does not set are kept as they are.
 */
export const DEFAULT_SECRETS_FILE = '/etc/room-agent/secrets.env';
export const SECRETS_FILE_MODE = 0o600;

/** Characters systemd takes literally outside quotes; anything else is written double-quoted. */
const BARE_VALUE = /^[A-Za-z0-9._~+/=@:%,^-]*$/;

function encode(value: string): string {
  return BARE_VALUE.test(value) ? value : `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function decode(raw: string): string {
  const quoted = /^"(.*)"$/.exec(raw);
  if (quoted !== null) return quoted[1]!.replace(/\\(.)/g, '$1');
  const single = /^'(.*)'$/.exec(raw);
  return single !== null ? single[1]! : raw;
}

/** A value systemd could not carry on one line: refused before anything is written. */
export function secretValueProblem(value: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(value)
    ? 'a line break or control character cannot be kept in the secrets file'
    : undefined;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new AgentError(
      ErrorCode.InputUnreadable,
      `${file} cannot be read: ${(error as Error).message}`,
      { file },
      { cause: error },
    );
  }
}

/** The value of `name` in the file, or undefined (no file, no such line, or an empty value). */
export function readSecret(file: string, name: string): string | undefined {
  for (const line of readText(file).split('\n')) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match?.[1] === name) {
      const value = decode(match[2]!.trim());
      return value === '' ? undefined : value;
    }
  }
  return undefined;
}

/**
 * Sets `name` to `value`, keeping every other line; writes nothing when it already holds that
 * value. The file is written atomically, mode 0600, owned by root. Returns whether it changed.
 */
export function writeSecret(file: string, name: string, value: string): boolean {
  if (readSecret(file, name) === value) return false;
  const lines = readText(file).split('\n');
  if (lines.at(-1) === '') lines.pop();
  const line = `${name}=${encode(value)}`;
  const index = lines.findIndex((existing) => new RegExp(`^\\s*(?:export\\s+)?${name}=`).test(existing));
  if (index === -1) lines.push(line);
  else lines[index] = line;
  mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
  writeFileAtomic(file, `${lines.join('\n')}\n`, SECRETS_FILE_MODE);
  chownSync(file, 0, 0);
  return true;
}
