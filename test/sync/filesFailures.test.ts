import {
  appendFileSync,
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { SEGMENT, useFileCenter, writeRandomFile, type FileRoom } from './filesRig.js';
import { waitUntil } from './outboxHarness.js';

const scene = useFileCenter();
let room: FileRoom;

function openRoom(rate = 0): FileRoom {
  room = scene.openRoom({ county: { backfillBytesPerSecond: rate } });
  return room;
}

async function settled(fileId: string): Promise<void> {
  await waitUntil(
    () => room.row(fileId).state !== 'pending',
    15_000,
    () => JSON.stringify(room.row(fileId)),
  );
}

function failedEvent(fileId: string): unknown {
  return room
    .fileEvents()
    .find((entry) => entry.type === 'file.failed' && (entry.payload as { fileId: string }).fileId === fileId)?.payload;
}

it('fails a file changed in place during its upload before sending fin, and goes on with the next', async () => {
  const size = 1024 * 1024;
  const changing = writeRandomFile(scene.dir, 'changing.mp4', size, 11);
  const next = writeRandomFile(scene.dir, 'next.jpg', 3 * SEGMENT, 12);
  openRoom(512 * 1024).start();
  const a = await room.uploader.enqueue({ path: changing.path, kind: 'recording' });
  const b = await room.uploader.enqueue({ path: next.path, kind: 'photo' });
  await waitUntil(
    () => room.row(a.fileId).ackedOffset >= SEGMENT,
    10_000,
    () => JSON.stringify(room.row(a.fileId)),
  );
  // The recorder rewrote the end of the file: same size, other bytes.
  const fd = openSync(changing.path, 'r+');
  writeSync(fd, Buffer.from('rewritten'), 0, 9, size - 9);
  closeSync(fd);
  await settled(a.fileId);
  await settled(b.fileId);

  const reason = 'the file changed on disk since it was queued: its SHA-256 differs';
  expect(room.row(a.fileId)).toMatchObject({ state: 'failed', error: reason });
  expect(failedEvent(a.fileId)).toEqual({ fileId: a.fileId, reason });
  // All its bytes were sent, but no fin: the center never took it for complete.
  expect(scene.center.arrivals.filter((arrival) => arrival.fileId === a.fileId && arrival.kind === 'fin')).toEqual([]);
  expect(room.row(b.fileId).state).toBe('complete');
  expect(scene.center.received.map((file) => file.fileId)).toEqual([b.fileId]);
});

it('fails files deleted, grown or replaced by a directory before their turn, with the reason journaled', async () => {
  const deleted = writeRandomFile(scene.dir, 'deleted.jpg', SEGMENT, 21);
  const grown = writeRandomFile(scene.dir, 'grown.jpg', SEGMENT, 22);
  const replaced = writeRandomFile(scene.dir, 'replaced.jpg', SEGMENT, 23);
  const fine = writeRandomFile(scene.dir, 'fine.jpg', SEGMENT, 24);
  openRoom();
  const a = await room.uploader.enqueue({ path: deleted.path, kind: 'photo' });
  const b = await room.uploader.enqueue({ path: grown.path, kind: 'photo' });
  const d = await room.uploader.enqueue({ path: replaced.path, kind: 'photo' });
  const c = await room.uploader.enqueue({ path: fine.path, kind: 'photo' });
  rmSync(deleted.path);
  appendFileSync(grown.path, 'more');
  rmSync(replaced.path);
  mkdirSync(replaced.path);
  room.start();
  await settled(c.fileId);

  expect(failedEvent(a.fileId)).toEqual({
    fileId: a.fileId,
    reason: 'the file can no longer be sent as queued: cannot read the file (ENOENT)',
  });
  expect(failedEvent(b.fileId)).toEqual({
    fileId: b.fileId,
    reason: `the file can no longer be sent as queued: its size is ${SEGMENT + 4} bytes, ${SEGMENT} when it was queued`,
  });
  expect(failedEvent(d.fileId)).toEqual({
    fileId: d.fileId,
    reason: 'the file can no longer be sent as queued: not a regular file',
  });
  expect(room.row(c.fileId).state).toBe('complete');
  expect(scene.center.received.map((file) => file.fileId)).toEqual([c.fileId]);
});

it('starts over from 0 when the center refuses the fin (its copy was damaged), and completes', async () => {
  const file = writeRandomFile(scene.dir, 'photo.jpg', 4 * SEGMENT, 31);
  openRoom();
  let damaged = false;
  scene.center.override = (arrival) => {
    // Before the first fin is processed, flip a byte of the center's copy, as a failing disk would.
    if (arrival.kind === 'fin' && !damaged) {
      damaged = true;
      const part = join(scene.center.dir, 'room-1', `${arrival.fileId}.part`);
      const bytes = readFileSync(part);
      bytes[100] = bytes[100]! ^ 0xff;
      writeFileSync(part, bytes);
    }
    return undefined;
  };
  room.start();
  const { fileId } = await room.uploader.enqueue({ path: file.path, kind: 'photo' });
  await settled(fileId);

  expect(room.row(fileId)).toMatchObject({ state: 'complete', attempts: 1 });
  const offsets = scene.center.segments(fileId).map((segment) => segment.offset);
  expect(offsets).toEqual([0, 1, 2, 3, 0, 1, 2, 3].map((index) => index * SEGMENT));
  expect(readFileSync(scene.center.received[0]!.path).equals(file.bytes)).toBe(true);
});

it('gives a file up after the center refused it three times', async () => {
  const file = writeRandomFile(scene.dir, 'photo.jpg', SEGMENT, 41);
  openRoom();
  scene.center.override = (arrival) =>
    arrival.kind === 'init' ? { nextOffset: 0, state: 'failed', error: 'no space left' } : undefined;
  room.start();
  const { fileId } = await room.uploader.enqueue({ path: file.path, kind: 'photo' });
  await settled(fileId);

  const reason = 'the center refused the file 3 times, last: no space left';
  expect(room.row(fileId)).toMatchObject({ state: 'failed', attempts: 3, error: reason });
  expect(failedEvent(fileId)).toEqual({ fileId, reason });
  expect(scene.center.arrivals.filter((arrival) => arrival.kind === 'init')).toHaveLength(3);
});

it("resends from the center's offset when a segment went missing on the way (its offset stops moving), after the silence timeout", async () => {
  const file = writeRandomFile(scene.dir, 'photo.jpg', 6 * SEGMENT, 51);
  room = scene.openRoom({ ackTimeoutMs: 500 });
  let lost = 0;
  scene.center.override = (arrival) =>
    arrival.kind === 'segment' && arrival.offset === 2 * SEGMENT && lost++ === 0 ? 'drop' : undefined;
  room.start();
  const { fileId } = await room.uploader.enqueue({ path: file.path, kind: 'photo' });
  await settled(fileId);
  expect(room.row(fileId)).toMatchObject({ state: 'complete', attempts: 0 });
  // The segments after the gap are not stored; the init after the silence says to go on from 2.
  const kinds = scene.center.arrivals.map((arrival) =>
    arrival.kind === 'segment' ? arrival.offset / SEGMENT : arrival.kind,
  );
  expect(kinds).toEqual(['init', 0, 1, 2, 3, 4, 5, 'init', 2, 3, 4, 5, 'fin']);
  expect(readFileSync(scene.center.received[0]!.path).equals(file.bytes)).toBe(true);
});

it('sends the init again when the center stays silent, and finishes from where the center stands', async () => {
  const file = writeRandomFile(scene.dir, 'photo.jpg', 3 * SEGMENT, 61);
  room = scene.openRoom({ ackTimeoutMs: 500 });
  let fins = 0;
  scene.center.override = (arrival) => (arrival.kind === 'fin' && fins++ === 0 ? 'drop' : undefined);
  room.start();
  const { fileId } = await room.uploader.enqueue({ path: file.path, kind: 'photo' });
  await settled(fileId);
  expect(room.row(fileId)).toMatchObject({ state: 'complete', attempts: 0 });
  expect(scene.center.arrivals.filter((arrival) => arrival.fileId === fileId).map((arrival) => arrival.kind)).toEqual([
    'init',
    'segment',
    'segment',
    'segment',
    'fin',
    'init',
    'fin',
  ]);
  expect(readFileSync(scene.center.received[0]!.path).equals(file.bytes)).toBe(true);
});
