import { readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy.js';
import { SEGMENT, useFileCenter, writeRandomFile, type Arrival, type FileCenter, type FileRoom } from './filesRig.js';
import { waitUntil } from './outboxHarness.js';

/** Slow enough that the test can interrupt the upload in its middle (3 MiB take about 4 s). */
const RATE = 768 * 1024;
const SIZE = 3 * 1024 * 1024;

const scene = useFileCenter();
let proxy: TcpProxy;
let center: FileCenter;
let room: FileRoom;

beforeEach(async () => {
  center = scene.center;
  proxy = await startTcpProxy({ targetPort: scene.broker.port });
  scene.defer(() => proxy.close());
});

function openRoom(ackTimeoutMs?: number): FileRoom {
  room = scene.openRoom({ url: proxy.url, county: { backfillBytesPerSecond: RATE }, ackTimeoutMs });
  return room;
}

/** Waits until the center has acknowledged at least `bytes` of the file, as the room recorded it. */
async function ackedAtLeast(fileId: string, bytes: number): Promise<void> {
  await waitUntil(
    () => room.row(fileId).ackedOffset >= bytes,
    15_000,
    () => JSON.stringify(room.row(fileId)),
  );
}

/** Segments in flight when the room stopped have arrived and been written. */
async function centerIdle(): Promise<void> {
  let seen = -1;
  await waitUntil(
    () => {
      const stable = seen === center.arrivals.length;
      seen = center.arrivals.length;
      return stable;
    },
    5000,
    () => 'the center kept receiving',
  );
  await new Promise((resolve) => setTimeout(resolve, 200));
}

/**
 * What proves a resume: the room had recorded a center acknowledgement in the middle of the
 * file; after the interruption, the first segment following the new init starts there (or a
 * little beyond, by the acknowledgements lost with the link: at most the window of 4 segments),
 * not at 0; no byte below the recorded offset is sent again; and the stored file is byte for
 * byte the original.
 */
function expectResumedFrom(fileId: string, recorded: number, arrivalsBefore: number, file: { bytes: Buffer }): void {
  expect(recorded).toBeGreaterThan(0);
  expect(recorded).toBeLessThan(SIZE);
  const after: Arrival[] = center.arrivals.slice(arrivalsBefore).filter((arrival) => arrival.fileId === fileId);
  const resumeInit = after.findIndex((arrival) => arrival.kind === 'init');
  expect(resumeInit).toBeGreaterThanOrEqual(0);
  const resent = after.slice(resumeInit + 1).flatMap((arrival) => (arrival.kind === 'segment' ? [arrival.offset] : []));
  expect(resent[0]).toBeGreaterThanOrEqual(recorded);
  expect(resent[0]).toBeLessThanOrEqual(recorded + 4 * SEGMENT);
  expect(resent.filter((offset) => offset < recorded)).toEqual([]);
  // Each segment was sent at most twice (once more only if it was in flight at the interruption).
  const counts = new Map<number, number>();
  for (const { offset } of center.segments(fileId)) counts.set(offset, (counts.get(offset) ?? 0) + 1);
  expect(counts.size).toBe(SIZE / SEGMENT);
  expect([...counts.values()].filter((count) => count > 1).length).toBeLessThanOrEqual(4);
  expect(Math.max(...counts.values())).toBeLessThanOrEqual(2);
  expect(center.received).toHaveLength(1);
  expect(readFileSync(center.received[0]!.path).equals(file.bytes)).toBe(true);
}

it('resumes an upload cut mid-way from the last offset the center acknowledged', async () => {
  const file = writeRandomFile(scene.dir, 'recording.mp4', SIZE, 7);
  openRoom().start();
  const { fileId } = await room.uploader.enqueue({ path: file.path, kind: 'recording' });
  await ackedAtLeast(fileId, SIZE / 3);

  let recorded = -1;
  let arrivalsBefore = -1;
  room.link.on('down', () => {
    if (recorded >= 0) return;
    recorded = room.row(fileId).ackedOffset;
    arrivalsBefore = center.arrivals.length;
  });
  proxy.cut();
  await waitUntil(
    () => room.row(fileId).state !== 'pending',
    20_000,
    () => JSON.stringify(room.row(fileId)),
  );

  expect(room.row(fileId)).toMatchObject({ state: 'complete', ackedOffset: SIZE, attempts: 0 });
  expectResumedFrom(fileId, recorded, arrivalsBefore, file);
});

it('resumes after the uploader restarts (a new instance over the same journal), checking the whole file before fin', async () => {
  const file = writeRandomFile(scene.dir, 'recording.mp4', SIZE, 8);
  openRoom().start();
  const { fileId } = await room.uploader.enqueue({ path: file.path, kind: 'recording' });
  await ackedAtLeast(fileId, SIZE / 3);
  await room.stop();

  openRoom();
  const recorded = room.row(fileId).ackedOffset;
  const arrivalsBefore = center.arrivals.length;
  room.start();
  await waitUntil(
    () => room.row(fileId).state !== 'pending',
    20_000,
    () => JSON.stringify(room.row(fileId)),
  );

  expect(room.row(fileId)).toMatchObject({ state: 'complete', ackedOffset: SIZE, attempts: 0 });
  expectResumedFrom(fileId, recorded, arrivalsBefore, file);
  expect(room.fileEvents().map((entry) => entry.type)).toEqual(['file.queued', 'file.uploaded']);
});

it('resumes from where the center stands when it holds less than it acknowledged (it lost bytes in a power cut)', async () => {
  const file = writeRandomFile(scene.dir, 'recording.mp4', SIZE, 9);
  openRoom(500).start();
  const { fileId } = await room.uploader.enqueue({ path: file.path, kind: 'recording' });
  await ackedAtLeast(fileId, SIZE / 3);
  await room.stop();
  await centerIdle();
  truncateSync(join(scene.dir, 'center', 'room-1', `${fileId}.part`), 5 * SEGMENT);

  openRoom(500);
  const recorded = room.row(fileId).ackedOffset;
  const arrivalsBefore = center.arrivals.length;
  room.start();
  await waitUntil(
    () => room.row(fileId).state !== 'pending',
    20_000,
    () => JSON.stringify(room.row(fileId)),
  );

  expect(recorded).toBeGreaterThan(5 * SEGMENT);
  expect(room.row(fileId)).toMatchObject({ state: 'complete', attempts: 0 });
  // What the center lost was sent again, and nothing below it.
  const resent = center.arrivals
    .slice(arrivalsBefore)
    .flatMap((arrival) => (arrival.kind === 'segment' ? [arrival.offset] : []));
  expect(Math.min(...resent)).toBe(5 * SEGMENT);
  expect(readFileSync(center.received[0]!.path).equals(file.bytes)).toBe(true);
});
