import { expect, it } from 'vitest';
import { SEGMENT, useFileCenter, writeRandomFile, type FileRoom } from './filesRig.js';
import { waitUntil } from './outboxHarness.js';

const scene = useFileCenter();

/** The files in the order their first message reached the center. */
function arrivalOrder(): string[] {
  const order = scene.center.arrivals.map((arrival) => arrival.fileId);
  return order.filter((id, index) => order.indexOf(id) === index);
}

async function allComplete(room: FileRoom, fileIds: readonly string[]): Promise<void> {
  await waitUntil(
    () => fileIds.every((fileId) => room.row(fileId).state === 'complete'),
    30_000,
    () => JSON.stringify(room.uploader.stats()),
  );
}

it('sends photos and other files before recordings queued earlier, each group oldest first', async () => {
  const room = scene.openRoom();
  const queue = async (name: string, kind: string, seed: number) =>
    (await room.uploader.enqueue({ path: writeRandomFile(scene.dir, name, 2 * SEGMENT + seed, seed).path, kind }))
      .fileId;
  // Queued while the daemon was stopped: the order they wait in.
  const first = await queue('seg-1.ts', 'recording', 1);
  const second = await queue('seg-2.ts', 'recording', 2);
  const photo = await queue('photo.jpg', 'photo', 3);
  const other = await queue('notes.txt', 'other', 4);
  room.start();
  await allComplete(room, [first, second, photo, other]);

  expect(arrivalOrder()).toEqual([photo, other, first, second]);
});

it('a photo queued while a recording segment uploads goes right after that segment, before the recordings behind it', async () => {
  // 4 segments of 64 KiB a second: a 512 KiB recording segment takes about two seconds.
  const room = scene.openRoom({ county: { backfillBytesPerSecond: 4 * SEGMENT } });
  const recordings: string[] = [];
  for (const index of [1, 2, 3])
    recordings.push(
      (
        await room.uploader.enqueue({
          path: writeRandomFile(scene.dir, `seg-${index}.ts`, 8 * SEGMENT, index).path,
          kind: 'recording',
        })
      ).fileId,
    );
  room.start();
  await waitUntil(
    () => room.row(recordings[0]!).ackedOffset > 0,
    20_000,
    () => 'the first recording segment under way',
  );
  expect(room.row(recordings[0]!).state).toBe('pending');
  const photo = (
    await room.uploader.enqueue({ path: writeRandomFile(scene.dir, 'photo.jpg', SEGMENT, 9).path, kind: 'photo' })
  ).fileId;
  await allComplete(room, [...recordings, photo]);

  expect(arrivalOrder()).toEqual([recordings[0], photo, recordings[1], recordings[2]]);
});
