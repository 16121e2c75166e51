import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentError, ErrorCode } from '../../src/errors.js';
import { createRootLogger } from '../../src/log.js';
import { FileQueue } from '../../src/sync/files/fileQueue.js';
import { FileUploader } from '../../src/sync/files/uploader.js';
import { MqttLink } from '../../src/sync/link/mqttLink.js';
import { roomTopics } from '../../src/sync/protocol/topics.js';
import { ByteRateLimiter } from '../../src/sync/rateLimiter.js';
import { setLanguage } from '../../src/i18n.js';
import { makeTempDir } from '../helpers/cli.js';
import { openJournal } from '../journal/helpers.js';
import { testCounty } from './outboxHarness.js';
import type { Journal } from '../../src/journal/journal.js';
import { stringMatching } from '../helpers/matchers.js';

setLanguage('en');

let temp: ReturnType<typeof makeTempDir>;
let journal: Journal;
let queue: FileQueue;

beforeEach(() => {
  temp = makeTempDir();
  journal = openJournal(join(temp.dir, 'data'));
  queue = new FileQueue(journal);
});

afterEach(() => {
  journal.close();
  temp.cleanup();
});

async function refusal(request: Parameters<FileQueue['enqueue']>[0]): Promise<AgentError> {
  const error = await queue.enqueue(request).then(
    () => undefined,
    (failure: unknown) => failure,
  );
  if (!(error instanceof AgentError)) throw new Error(`expected an AgentError, got ${String(error)}`);
  return error;
}

describe('FileQueue.enqueue', () => {
  it('hashes the file and records the row and the file.queued entry in one commit', async () => {
    const path = join(temp.dir, '会议.jpg');
    const bytes = Buffer.alloc(300_000, 7);
    writeFileSync(path, bytes);
    const queued = await queue.enqueue({ path, kind: 'photo', meta: { camera: 'front' } });

    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(queued).toEqual({
      fileId: stringMatching(/^[A-Za-z0-9_-]{22}$/),
      name: '会议.jpg',
      size: 300_000,
      sha256,
      seq: 1,
    });
    expect(journal.read(0, 10).map(({ type, payload }) => ({ type, payload }))).toEqual([
      {
        type: 'file.queued',
        payload: { fileId: queued.fileId, name: '会议.jpg', kind: 'photo', size: 300_000, sha256 },
      },
    ]);
    expect(queue.list(10)).toEqual([
      {
        fileId: queued.fileId,
        path,
        name: '会议.jpg',
        kind: 'photo',
        size: 300_000,
        sha256,
        meta: { camera: 'front' },
        ackedOffset: 0,
        attempts: 0,
        state: 'pending',
        error: null,
        queuedSeq: 1,
        doneSeq: null,
      },
    ]);
    const other = await queue.enqueue({ path, kind: 'photo', name: 'renamed.jpg' });
    expect(other.fileId).not.toBe(queued.fileId);
    expect(queue.list(10).map((row) => row.name)).toEqual(['renamed.jpg', '会议.jpg']);
  });

  it('refuses what cannot be uploaded with a typed error naming the file, and records nothing', async () => {
    const directory = join(temp.dir, 'dir');
    mkdirSync(directory);
    const fifo = join(temp.dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const file = join(temp.dir, 'ok.jpg');
    writeFileSync(file, 'x');

    const missing = await refusal({ path: join(temp.dir, 'missing.jpg'), kind: 'photo' });
    expect({ code: missing.code, message: missing.message }).toEqual({
      code: ErrorCode.FileUnreadable,
      message: `cannot read ${join(temp.dir, 'missing.jpg')}: there is no such file`,
    });
    expect(await refusal({ path: directory, kind: 'photo' })).toMatchObject({
      code: ErrorCode.FileNotRegular,
      message: `${directory} is not a regular file (a directory, device or pipe cannot be uploaded)`,
    });
    // A named pipe neither blocks the open nor is read.
    expect(await refusal({ path: fifo, kind: 'photo' })).toMatchObject({ code: ErrorCode.FileNotRegular });
    expect(await refusal({ path: 'relative.jpg', kind: 'photo' })).toMatchObject({
      code: ErrorCode.FileInvalid,
      message: 'cannot queue the upload: path: must be an absolute path',
    });
    expect(await refusal({ path: file, kind: 'Photo!' })).toMatchObject({
      code: ErrorCode.FileInvalid,
      message: 'cannot queue the upload: kind: "Photo!" is not a lowercase kind such as photo',
    });
    for (const name of ['a/b.jpg', '..', 'a\nb']) {
      expect(await refusal({ path: file, kind: 'photo', name })).toMatchObject({
        code: ErrorCode.FileInvalid,
        message:
          'cannot queue the upload: name: must be a file name without / \\ or control characters, other than . and ..',
      });
    }
    expect(await refusal({ path: file, kind: 'photo', meta: { note: 'x'.repeat(5000) } })).toMatchObject({
      code: ErrorCode.FileInvalid,
      message: 'cannot queue the upload: meta: must be at most 4096 bytes of JSON',
    });
    expect(journal.head().seq).toBe(0);
    expect(queue.list(10)).toEqual([]);
  });
});

describe('FileUploader.handleAck', () => {
  it('logs and drops anything that is not a FileAck, and acknowledgements for files it is not sending', () => {
    const lines: string[] = [];
    const logger = createRootLogger(
      { level: 'debug', format: 'json' },
      new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) }),
    );
    const topics = roomTopics('county', 'room-1');
    const link = new MqttLink({
      county: testCounty('mqtt://127.0.0.1:1'),
      deviceId: 'room-1',
      subscriptions: [],
      will: () => ({ topic: topics.state, payload: '' }),
      logger,
    });
    const uploader = new FileUploader({
      journal,
      link,
      topics,
      limiter: new ByteRateLimiter(0),
      segmentBytes: 1024,
      logger,
    });
    const garbage = [
      '',
      'not json',
      '[]',
      '{"v":1}',
      JSON.stringify({ v: 1, fileId: '../x', nextOffset: 0, state: 'receiving' }),
      JSON.stringify({ v: 2, fileId: 'a', nextOffset: -1, state: 'done' }),
    ];
    for (const payload of garbage)
      expect(() =>
        uploader.handleAck({ topic: topics.fileAcks, payload: Buffer.from(payload), properties: {} }),
      ).not.toThrow();
    uploader.handleAck({
      topic: topics.fileAcks,
      payload: Buffer.from(JSON.stringify({ v: 1, fileId: 'abc', nextOffset: 5, state: 'complete' })),
      properties: {},
    });

    const logged = lines.map((line) => JSON.parse(line) as { msg: string });
    expect(logged.filter((line) => line.msg === 'ignoring an invalid file acknowledgement')).toHaveLength(
      garbage.length,
    );
    expect(logged.filter((line) => line.msg === 'acknowledgement for a file not being sent')).toHaveLength(1);
    expect(journal.head().seq).toBe(0);
    expect(uploader.stats()).toEqual({ pendingFiles: 0, pendingBytes: 0 });
  });
});
