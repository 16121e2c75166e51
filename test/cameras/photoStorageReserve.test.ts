import { statfsSync } from 'node:fs';
import { afterEach, expect, it, vi } from 'vitest';
import { createSilentLogger } from '../../src/log.js';
import { stringMatching } from '../helpers/matchers.js';
import { StorageMonitor } from '../../src/store/storageMonitor.js';
import { photoHarness, type PhotoHarness } from './photoHarness.js';

let h: PhotoHarness;

afterEach(async () => {
  await h.close();
});

it('takes no meeting photo while storage is below its reserve, and records the slot missed with the reason', async () => {
  // A real measurement of the test's own file system, with a reserve larger than what is free there.
  const free = statfsSync(process.env.TMPDIR ?? '/tmp');
  const storage = new StorageMonitor({
    dataDir: process.env.TMPDIR ?? '/tmp',
    reserveBytes: free.bavail * free.bsize + 1024 ** 3,
    logger: createSilentLogger(),
  });
  expect(storage.report().state).toBe('low');
  h = photoHarness({ storage });
  await h.service.start();
  h.activities.start(
    { type: 'branch-meeting', title: '支部党员大会', recording: false, photos: 3, durationMin: 1 },
    'cli',
  );
  await vi.waitFor(() => expect(h.entries('camera.photo.missed')).toHaveLength(1), { timeout: 10_000 });
  expect(h.entries('camera.photo.missed')[0]!.payload).toMatchObject({
    slot: 0,
    reason: stringMatching(/^storage below its reserve \(storage\.journalReserveBytes\)/),
  });
  expect(h.camera.starts).toHaveLength(0);
  expect(h.entries('camera.photo')).toHaveLength(0);
});
