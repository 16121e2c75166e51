import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { SEGMENT, useFileCenter, writeRandomFile } from './filesRig.js';
import { waitUntil } from './outboxHarness.js';

const scene = useFileCenter();

it('uploads a 3 MB file over a real broker in 64 KiB segments, each sent once, byte for byte', async () => {
  const size = 3 * 1024 * 1024 + 12_345;
  const file = writeRandomFile(scene.dir, 'meeting.mp4', size);
  const room = scene.openRoom();
  room.start();
  const { fileId, seq } = await room.uploader.enqueue({
    path: file.path,
    kind: 'recording',
    meta: { camera: 'front' },
  });
  await waitUntil(
    () => room.row(fileId).state !== 'pending',
    20_000,
    () => JSON.stringify(room.uploader.stats()),
  );

  expect(room.row(fileId)).toMatchObject({ state: 'complete', ackedOffset: size, error: null, queuedSeq: seq });
  const [received] = scene.center.received;
  expect(received).toMatchObject({
    deviceId: 'room-1',
    fileId,
    init: {
      name: 'meeting.mp4',
      size,
      sha256: file.sha256,
      kind: 'recording',
      meta: { camera: 'front' },
      segmentBytes: SEGMENT,
    },
  });
  expect(readFileSync(received!.path).equals(file.bytes)).toBe(true);
  // Every segment exactly once, in order: nothing was resent on a clean link.
  const expected = Array.from({ length: Math.ceil(size / SEGMENT) }, (_, i) => ({
    offset: i * SEGMENT,
    length: Math.min(SEGMENT, size - i * SEGMENT),
  }));
  expect(scene.center.segments(fileId)).toEqual(expected);
  expect(room.fileEvents().map(({ type, payload }) => ({ type, payload }))).toEqual([
    { type: 'file.queued', payload: { fileId, name: 'meeting.mp4', kind: 'recording', size, sha256: file.sha256 } },
    { type: 'file.uploaded', payload: { fileId, size, sha256: file.sha256 } },
  ]);
  expect(room.uploader.stats()).toEqual({ pendingFiles: 0, pendingBytes: 0 });
});

it('sends queued files one at a time, oldest first, an empty one included, and picks up files queued while it runs', async () => {
  const first = writeRandomFile(scene.dir, 'a.jpg', 5 * SEGMENT + 7, 2);
  const empty = join(scene.dir, 'empty.txt');
  writeFileSync(empty, '');
  const room = scene.openRoom();
  // Queued while the daemon was stopped: waiting in file_uploads.
  const a = await room.uploader.enqueue({ path: first.path, kind: 'photo' });
  const b = await room.uploader.enqueue({ path: empty, kind: 'other' });
  expect(room.uploader.stats()).toEqual({ pendingFiles: 2, pendingBytes: first.bytes.length });
  room.start();
  await waitUntil(
    () => room.row(b.fileId).state === 'complete',
    10_000,
    () => JSON.stringify(room.uploader.stats()),
  );
  const second = writeRandomFile(scene.dir, 'c.jpg', 2 * SEGMENT, 3);
  const c = await room.uploader.enqueue({ path: second.path, kind: 'photo' });
  await waitUntil(
    () => room.row(c.fileId).state === 'complete',
    10_000,
    () => JSON.stringify(room.uploader.stats()),
  );

  // No message of a file arrives before the previous file was complete.
  const order = scene.center.arrivals.map((arrival) => arrival.fileId);
  expect(order.filter((id, index) => id !== order[index - 1])).toEqual([a.fileId, b.fileId, c.fileId]);
  expect(scene.center.received.map((file) => readFileSync(file.path).length)).toEqual([
    first.bytes.length,
    0,
    second.bytes.length,
  ]);
  expect(scene.center.segments(b.fileId)).toEqual([]);
});
