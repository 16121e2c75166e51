import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { recentUploads } from '../../src/sync/files/uploadRows.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { writeMinimalConfig } from '../helpers/config.js';
import { openJournal } from '../journal/helpers.js';

/** `room-agent files send|list` with no daemon: the CLI queues into the journal itself (compiled CLI). */
let temp: ReturnType<typeof makeTempDir>;
let dataDir: string;
let configPath: string;

beforeEach(() => {
  temp = makeTempDir();
  dataDir = join(temp.dir, 'data');
  configPath = writeMinimalConfig(temp.dir, dataDir);
  openJournal(dataDir).close();
});

afterEach(() => temp.cleanup());

it('files send queues the file (row and file.queued entry) for the daemon to send, and files list shows it', async () => {
  const bytes = Buffer.from('a meeting photo');
  writeFileSync(join(temp.dir, 'meeting.jpg'), bytes);
  // A relative path is the technician's: resolved against their working directory.
  const sent = await runCli(
    ['files', 'send', 'meeting.jpg', '--kind', 'photo', '--name', '支部会议.jpg', '--config', configPath],
    { cwd: temp.dir },
  );
  expect(sent).toMatchObject({ code: 0, stderr: '' });
  const fileId = /as ([A-Za-z0-9_-]{22}) /.exec(sent.stdout)?.[1];
  expect(sent.stdout).toBe(
    `支部会议.jpg (15 bytes) queued for upload as ${fileId} (journal seq 1); the daemon sends it once the county link is up\n`,
  );

  const journal = openJournal(dataDir);
  try {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(journal.read(0, 10).map(({ type, payload }) => ({ type, payload }))).toEqual([
      { type: 'file.queued', payload: { fileId, name: '支部会议.jpg', kind: 'photo', size: 15, sha256 } },
    ]);
    expect(recentUploads(journal.db, 10)).toMatchObject([
      { fileId, path: join(temp.dir, 'meeting.jpg'), state: 'pending', ackedOffset: 0, queuedSeq: 1 },
    ]);
  } finally {
    journal.close();
  }

  const before = readFileSync(join(dataDir, 'journal.sqlite'));
  const listed = await runCli(['files', 'list', '--config', configPath]);
  expect(listed).toMatchObject({
    code: 0,
    stderr: '',
    stdout: `ID\tSTATE\tACKED/SIZE (bytes)\tKIND\tNAME\n${fileId}\tpending\t0/15\tphoto\t支部会议.jpg\n`,
  });
  const json = await runCli(['files', 'list', '--json', '--config', configPath]);
  expect(JSON.parse(json.stdout)).toMatchObject([{ fileId, state: 'pending', size: 15, kind: 'photo' }]);
  // Listing only reads.
  expect(readFileSync(join(dataDir, 'journal.sqlite')).equals(before)).toBe(true);
});

it('files send says what is wrong, in one line, with the exit code for it', async () => {
  const missing = join(temp.dir, 'missing.jpg');
  expect(await runCli(['files', 'send', missing, '--config', configPath])).toMatchObject({
    code: 66,
    stdout: '',
    stderr: `room-agent: cannot read ${missing}: there is no such file\n`,
  });
  expect(await runCli(['files', 'send', temp.dir, '--config', configPath])).toMatchObject({
    code: 66,
    stderr: `room-agent: ${temp.dir} is not a regular file (a directory, device or pipe cannot be uploaded)\n`,
  });
  expect(await runCli(['files', 'send', missing, '--kind', 'video', '--config', configPath])).toMatchObject({
    code: 64,
    stderr: 'room-agent: files send: --kind must be photo, recording or other\n',
  });
  expect(await runCli(['files', 'send', '--config', configPath])).toMatchObject({
    code: 64,
    stderr:
      'room-agent: files send: exactly one file path is required, e.g. room-agent files send /var/lib/room-agent/meeting.jpg\n',
  });
  expect(await runCli(['files', 'list', '--config', configPath])).toMatchObject({
    code: 0,
    stdout: 'no uploads yet\n',
  });
});
