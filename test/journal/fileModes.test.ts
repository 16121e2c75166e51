import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/cli.js';
import { APPENDER, collectLines } from './durability.js';

/** `room-agent run` creating the journal under a given umask: one append, then a clean exit. */
async function createUnderUmask(dataDir: string, umask: string): Promise<void> {
  const child = spawn('sh', ['-c', `umask ${umask} && exec "$0" "$@"`, process.execPath, APPENDER, dataDir, '1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = await collectLines(child);
  expect(lines).toEqual(['OPENED', 'APPENDED 1']);
}

function modes(dataDir: string): Record<string, string> {
  const octal = (path: string) => (statSync(path).mode & 0o777).toString(8);
  const found: Record<string, string> = { '.': octal(dataDir) };
  for (const name of readdirSync(dataDir)) found[name] = octal(join(dataDir, name));
  for (const name of readdirSync(join(dataDir, 'keys'))) found[`keys/${name}`] = octal(join(dataDir, 'keys', name));
  return found;
}

describe('the files the journal creates', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());

  // umask 000 shows nothing is world-readable; 077 that the group keeps read access to the journal.
  it.each(['000', '077'])('have the same modes whatever the umask (%s)', async (umask) => {
    const dataDir = join(temp.dir, 'new', 'data');
    await createUnderUmask(dataDir, umask);
    expect(modes(dataDir)).toEqual({ '.': '750', 'journal.sqlite': '640', keys: '700', 'keys/device.pem': '600' });
    expect((statSync(join(temp.dir, 'new')).mode & 0o777).toString(8)).toBe('750');
  });
});
