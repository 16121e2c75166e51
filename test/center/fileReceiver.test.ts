import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, truncateSync, appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CenterFileReceiver,
  type FileMessageExtra,
  type FileMessageKind,
  type ReceivedFile,
} from '../../src/center/fileReceiver.js';
import { createSilentLogger } from '../../src/log.js';
import type { FileAck, FileInit } from '../../src/sync/protocol/messages.js';
import { makeTempDir } from '../helpers/cli.js';
import { stringMatching } from '../helpers/matchers.js';

const DEVICE = 'room-1';
const FILE = 'f1';
const CONTENT = Buffer.from('0123456789abcdefghij'); // 20 bytes, segments of 8
const SHA = createHash('sha256').update(CONTENT).digest('hex');

function initFor(content: Buffer, name = 'meeting.jpg'): FileInit {
  return {
    v: 1,
    name,
    size: content.length,
    sha256: createHash('sha256').update(content).digest('hex'),
    segmentBytes: 8,
    kind: 'photo',
    meta: { camera: 'front' },
  };
}

/** A receiver over a temp directory that records what it answered and what it completed. */
function rig(dir: string) {
  const acks: Array<{ deviceId: string; ack: FileAck }> = [];
  const received: ReceivedFile[] = [];
  const receiver = new CenterFileReceiver({
    dir,
    publishAck: (deviceId, ack) => void acks.push({ deviceId, ack }),
    onComplete: (info) => received.push(info),
    logger: createSilentLogger(),
  });
  const send = async (
    kind: FileMessageKind,
    payload: Buffer | string,
    extra: FileMessageExtra = {},
    fileId = FILE,
    deviceId = DEVICE,
  ) => {
    const before = acks.length;
    await receiver.handle(deviceId, kind, fileId, Buffer.from(payload), extra);
    return acks.slice(before).map(({ ack }) => ack);
  };
  return {
    acks,
    received,
    receiver,
    init: (init: FileInit = initFor(CONTENT), fileId = FILE) => send('file-init', JSON.stringify(init), {}, fileId),
    segment: (offset: number, bytes: Buffer, fileId = FILE) => send('file-segment', bytes, { offset }, fileId),
    fin: (size = CONTENT.length, sha256 = SHA, fileId = FILE) => send('file-fin', '', { size, sha256 }, fileId),
    send,
  };
}

const receivingAt = (nextOffset: number) => [{ v: 1, fileId: FILE, nextOffset, state: 'receiving' }];

describe('CenterFileReceiver', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let r: ReturnType<typeof rig>;
  beforeEach(() => {
    temp = makeTempDir();
    r = rig(temp.dir);
  });
  afterEach(() => temp.cleanup());

  const deviceDir = () => join(temp.dir, DEVICE);

  it('stores segments in order and, at a matching fin, renames the file and reports it complete', async () => {
    expect(await r.init()).toEqual(receivingAt(0));
    expect(await r.segment(0, CONTENT.subarray(0, 8))).toEqual(receivingAt(8));
    expect(await r.segment(8, CONTENT.subarray(8, 16))).toEqual(receivingAt(16));
    expect(await r.segment(16, CONTENT.subarray(16))).toEqual(receivingAt(20));
    expect(await r.fin()).toEqual([{ v: 1, fileId: FILE, nextOffset: 20, state: 'complete' }]);
    const stored = join(deviceDir(), `${FILE}-meeting.jpg`);
    expect(readFileSync(stored).equals(CONTENT)).toBe(true);
    expect(existsSync(join(deviceDir(), `${FILE}.part`))).toBe(false);
    expect(r.received).toEqual([{ deviceId: DEVICE, fileId: FILE, init: initFor(CONTENT), path: stored }]);
    // A repeated init or fin (the room missed the answer) is answered complete, nothing stored twice.
    expect(await r.init()).toEqual([{ v: 1, fileId: FILE, nextOffset: 20, state: 'complete' }]);
    expect(await r.fin()).toEqual([{ v: 1, fileId: FILE, nextOffset: 20, state: 'complete' }]);
    expect(r.received).toHaveLength(1);
  });

  it('answers a duplicate segment again and stores nothing twice', async () => {
    await r.init();
    await r.segment(0, CONTENT.subarray(0, 8));
    expect(await r.segment(0, CONTENT.subarray(0, 8))).toEqual(receivingAt(8));
    expect(readFileSync(join(deviceDir(), `${FILE}.part`)).equals(CONTENT.subarray(0, 8))).toBe(true);
  });

  it('does not store a segment past the contiguous end and answers with the offset to resend from', async () => {
    await r.init();
    await r.segment(0, CONTENT.subarray(0, 8));
    expect(await r.segment(16, CONTENT.subarray(16))).toEqual(receivingAt(8));
    expect(readFileSync(join(deviceDir(), `${FILE}.part`)).length).toBe(8);
    expect(await r.segment(8, CONTENT.subarray(8, 16))).toEqual(receivingAt(16));
  });

  it('refuses a segment beyond the declared size, discards the bytes, ignores segments still in flight, and starts afresh at the next init', async () => {
    await r.init();
    await r.segment(0, CONTENT.subarray(0, 8));
    expect(await r.segment(8, Buffer.alloc(13))).toEqual([
      {
        v: 1,
        fileId: FILE,
        nextOffset: 0,
        state: 'failed',
        error: 'segment at offset 8 with 13 bytes goes beyond the declared size 20',
      },
    ]);
    expect(existsSync(join(deviceDir(), `${FILE}.part`))).toBe(false);
    expect(await r.segment(8, CONTENT.subarray(8, 16))).toEqual([]);
    expect(await r.init()).toEqual(receivingAt(0));
  });

  it('refuses a fin whose size or checksum differs from the init, and discards the bytes', async () => {
    await r.init();
    for (let offset = 0; offset < 20; offset += 8) await r.segment(offset, CONTENT.subarray(offset, offset + 8));
    const wrong = 'f'.repeat(64);
    expect(await r.fin(20, wrong)).toEqual([
      {
        v: 1,
        fileId: FILE,
        nextOffset: 0,
        state: 'failed',
        error: `fin (20 bytes, ${wrong}) does not match the init (20 bytes, ${SHA})`,
      },
    ]);
    expect(readdirSync(deviceDir())).toEqual([`${FILE}.json`]);
    expect(r.received).toEqual([]);
  });

  it('refuses a fin when the bytes received do not hash to the announced checksum', async () => {
    const other = Buffer.from('9999999999abcdefghij');
    await r.init();
    // The init announces CONTENT; different bytes arrive.
    for (let offset = 0; offset < 20; offset += 8) await r.segment(offset, other.subarray(offset, offset + 8));
    const [ack] = await r.fin();
    expect(ack).toMatchObject({ state: 'failed', nextOffset: 0 });
    expect(ack!.error).toMatch(/^the received bytes \(20, SHA-256 [0-9a-f]{64}\) do not match the init/);
    expect(readdirSync(deviceDir())).toEqual([`${FILE}.json`]);
  });

  it('refuses a fin before every byte arrived', async () => {
    await r.init();
    await r.segment(0, CONTENT.subarray(0, 8));
    expect(await r.fin()).toEqual([
      { v: 1, fileId: FILE, nextOffset: 0, state: 'failed', error: 'fin after 8 of 20 bytes' },
    ]);
  });

  it('keeps names from leaving the room directory', async () => {
    const names = ['../../../etc/passwd', '/etc/shadow', '..', '.hidden', 'a\u0000b\nc', 'dir\\..\\x.jpg'];
    for (const [index, name] of names.entries()) {
      const fileId = `t${index}`;
      await r.init({ ...initFor(CONTENT), name }, fileId);
      await r.segment(0, CONTENT, fileId);
      expect(await r.fin(20, SHA, fileId)).toMatchObject([{ state: 'complete' }]);
    }
    expect(readdirSync(temp.dir)).toEqual([DEVICE]);
    const stored = r.received.map((file) => file.path.slice(deviceDir().length + 1));
    expect(stored).toEqual(['t0-etc_passwd', 't1-etc_shadow', 't2-file', 't3-hidden', 't4-a_b_c', 't5-dir_.._x.jpg']);
  });

  it('keeps a Chinese name readable and cuts a long one at a character, keeping its extension', async () => {
    await r.init({ ...initFor(CONTENT), name: '支部会议 照片.jpg' });
    await r.segment(0, CONTENT);
    await r.fin();
    await r.init({ ...initFor(CONTENT), name: `${'长'.repeat(100)}.mp4` }, 'long');
    await r.segment(0, CONTENT, 'long');
    await r.fin(20, SHA, 'long');
    const [first, second] = r.received.map((file) => file.path.slice(deviceDir().length + 1));
    expect(first).toBe(`${FILE}-支部会议_照片.jpg`);
    expect(second).toBe(`long-${'长'.repeat(48)}.mp4`);
  });

  it('ignores device and file ids that could name another directory, answering nothing', async () => {
    for (const [deviceId, fileId] of [
      ['..', FILE],
      ['../x', FILE],
      ['', FILE],
      [DEVICE, '../x'],
      [DEVICE, '.'],
      [DEVICE, 'a/b'],
    ] as const) {
      expect(await r.send('file-init', JSON.stringify(initFor(CONTENT)), {}, fileId, deviceId)).toEqual([]);
    }
    expect(readdirSync(temp.dir)).toEqual([]);
  });

  it('answers an init that is not JSON, or not a FileInit, with failed', async () => {
    expect(await r.send('file-init', '{not json')).toMatchObject([
      { fileId: FILE, nextOffset: 0, state: 'failed', error: stringMatching(/^init is not JSON/) },
    ]);
    expect(await r.send('file-init', JSON.stringify({ ...initFor(CONTENT), size: -1, extra: true }))).toMatchObject([
      { state: 'failed', error: stringMatching(/^init is invalid: .*size.*/) },
    ]);
    expect(await r.send('file-init', Buffer.from([0xff, 0xfe, 0x00]))).toMatchObject([{ state: 'failed' }]);
    expect(existsSync(deviceDir())).toBe(false);
  });

  it('answers a segment or fin for an unknown file with failed, so the room sends its init', async () => {
    expect(await r.segment(0, CONTENT)).toMatchObject([
      { state: 'failed', error: 'no upload of this file is in progress: send its init first' },
    ]);
    expect(await r.fin()).toMatchObject([{ state: 'failed' }]);
  });

  it('starts over when the same id comes with another size or checksum; refuses an id already completed for another file', async () => {
    await r.init();
    await r.segment(0, CONTENT.subarray(0, 8));
    const other = Buffer.from('another file');
    expect(await r.init(initFor(other))).toEqual(receivingAt(0));
    expect(readFileSync(join(deviceDir(), `${FILE}.part`)).length).toBe(0);
    await r.segment(0, other);
    await r.fin(other.length, initFor(other).sha256);
    expect(await r.init()).toMatchObject([
      { state: 'failed', error: 'this file id was already used for another file' },
    ]);
    expect(readFileSync(join(deviceDir(), `${FILE}-meeting.jpg`)).equals(other)).toBe(true);
  });

  it('resumes after a restart from its files alone, dropping bytes written past the recorded offset', async () => {
    await r.init();
    await r.segment(0, CONTENT.subarray(0, 8));
    // A center killed between writing a segment and recording it leaves extra bytes in the .part.
    appendFileSync(join(deviceDir(), `${FILE}.part`), 'garbage');
    const restarted = rig(temp.dir);
    expect(await restarted.init()).toEqual(receivingAt(8));
    expect(readFileSync(join(deviceDir(), `${FILE}.part`)).equals(CONTENT.subarray(0, 8))).toBe(true);
    // A .part shorter than recorded (lost on a power cut) lowers the offset.
    truncateSync(join(deviceDir(), `${FILE}.part`), 5);
    expect(await restarted.init()).toEqual(receivingAt(5));
    expect(await restarted.segment(5, CONTENT.subarray(5))).toEqual(receivingAt(20));
    expect(await restarted.fin()).toMatchObject([{ state: 'complete' }]);
  });

  it('treats a damaged sidecar as an unknown file', async () => {
    await r.init();
    writeFileSync(join(deviceDir(), `${FILE}.json`), '{"v":1,');
    expect(await r.segment(0, CONTENT.subarray(0, 8))).toMatchObject([{ state: 'failed' }]);
    expect(await r.init()).toEqual(receivingAt(0));
  });

  it('processes the messages of one file in arrival order even when they come at once', async () => {
    await r.init();
    await Promise.all(
      [0, 8, 16].map((offset) =>
        r.receiver.handle(DEVICE, 'file-segment', FILE, CONTENT.subarray(offset, offset + 8), { offset }),
      ),
    );
    expect(r.acks.slice(1).map(({ ack }) => ack.nextOffset)).toEqual([8, 16, 20]);
    expect(await r.fin()).toMatchObject([{ state: 'complete' }]);
  });

  it('is not stopped by a publishAck that throws', async () => {
    const receiver = new CenterFileReceiver({
      dir: temp.dir,
      publishAck: () => Promise.reject(new Error('broker gone')),
      logger: createSilentLogger(),
    });
    await expect(
      receiver.handle(DEVICE, 'file-init', FILE, Buffer.from(JSON.stringify(initFor(CONTENT)))),
    ).resolves.toBeUndefined();
    expect(existsSync(join(deviceDir(), `${FILE}.json`))).toBe(true);
  });
});
