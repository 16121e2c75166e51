import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PlanStore } from '../../src/activities/plans.js';
import { ErrorCode } from '../../src/errors.js';
import type { JournalEntry } from '../../src/journal/types.js';
import { objectContaining, ofType, stringMatching } from '../helpers/matchers.js';
import { recentUploads } from '../../src/sync/files/uploadRows.js';
import { CANARY, photoHarness, type PhotoHarness } from './photoHarness.js';

const MINUTE = 60_000;

let h: PhotoHarness;

beforeEach(() => {
  // Only the service's once-a-second check is driven by hand; grabs and retries run on real timers.
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
});

afterEach(async () => {
  await h.close();
  vi.useRealTimers();
});

/** Time passes on the agent's clock, and the service's check runs. */
function pass(ms: number): void {
  h.clock.advance(ms);
  vi.advanceTimersByTime(1_000);
}

function photos(): Array<Record<string, unknown>> {
  return h.entries('camera.photo').map((entry) => entry.payload as Record<string, unknown>);
}

function missed(): Array<Record<string, unknown>> {
  return h.entries('camera.photo.missed').map((entry) => entry.payload as Record<string, unknown>);
}

async function photoCount(count: number): Promise<void> {
  await vi.waitFor(() => expect(h.entries('camera.photo')).toHaveLength(count), { timeout: 10_000 });
}

function start(terms: { photos: number; durationMin?: number }) {
  return h.activities.start({ type: 'branch-meeting', title: '支部党员大会', recording: false, ...terms }, 'cli');
}

describe('meeting photos', () => {
  it('takes 3 photos over a 1-minute meeting at its start, middle and end, each journaled and queued together', async () => {
    h = photoHarness();
    await h.service.start();
    const activity = start({ photos: 3, durationMin: 1 });
    await photoCount(1);
    pass(29_000);
    expect(photos()).toHaveLength(1);
    pass(1_000);
    await photoCount(2);
    pass(30_000);
    h.activities.end({ reason: 'duration', activityId: activity.id });
    await photoCount(3);

    // Each was taken at its time on the agent's clock (which moves only between the checks here).
    expect(h.entries('camera.photo').map((entry) => entry.wallMs - activity.startedWallMs)).toEqual([
      0, 30_000, 60_000,
    ]);
    expect(photos().map(({ slot, reason, activityId, camera }) => ({ slot, reason, activityId, camera }))).toEqual(
      [0, 1, 2].map((slot) => ({ slot, reason: 'schedule', activityId: activity.id, camera: 'hall' })),
    );
    const uploads = recentUploads(h.journal.db, 10);
    for (const entry of h.entries('camera.photo')) {
      const photo = entry.payload as { fileId: string; sha256: string; bytes: number };
      const upload = uploads.find((row) => row.fileId === photo.fileId)!;
      expect(upload).toMatchObject({ kind: 'photo', sha256: photo.sha256, size: photo.bytes, state: 'pending' });
      // The file on disk is the one journaled, and its queued entry came in the same commit, just before.
      expect(createHash('sha256').update(readFileSync(upload.path)).digest('hex')).toBe(photo.sha256);
      expect(upload.path.startsWith(join(h.dir, 'media', 'photos'))).toBe(true);
      expect(upload.queuedSeq).toBe(entry.seq - 1);
    }
    expect(missed()).toEqual([]);
  });

  it('without a planned duration takes one every interval and the last at the end', async () => {
    h = photoHarness({ intervalMinutes: 10 });
    await h.service.start();
    const activity = start({ photos: 4 });
    await photoCount(1);
    pass(10 * MINUTE);
    await photoCount(2);
    pass(10 * MINUTE);
    await photoCount(3);
    // Slot 3 is the end photo: no more timed ones, however long the meeting runs.
    for (let i = 0; i < 5; i++) pass(10 * MINUTE);
    expect(photos()).toHaveLength(3);
    h.activities.end({ reason: 'ended by the secretary', activityId: activity.id });
    await photoCount(4);
    expect(photos().map(({ slot }) => slot)).toEqual([0, 1, 2, 3]);
  });

  it('takes no photo for an activity with photos: 0', async () => {
    h = photoHarness();
    await h.service.start();
    const activity = start({ photos: 0, durationMin: 1 });
    pass(MINUTE);
    h.activities.end({ reason: 'duration', activityId: activity.id });
    await h.service.stop();
    expect(h.camera.starts).toEqual([]);
    expect([...photos(), ...missed()]).toEqual([]);
  });

  it('after an agent restart goes on with the schedule of the running activity, taking no slot twice', async () => {
    h = photoHarness();
    await h.service.start();
    const activity = start({ photos: 3, durationMin: 2 });
    await photoCount(1);
    await h.restart(() => h.clock.advance(70_000));
    // Slot 1 (60 s) passed while the agent was down: one catch-up photo, slot 0 not again.
    await photoCount(2);
    pass(30_000);
    h.activities.end({ reason: 'duration', activityId: activity.id });
    await photoCount(3);
    expect(photos().map(({ slot }) => slot)).toEqual([0, 1, 2]);
    expect(h.camera.starts).toHaveLength(3);
    expect(missed()).toEqual([]);
  });

  it('after a long outage takes one catch-up photo and records the other passed slots missed', async () => {
    h = photoHarness({ intervalMinutes: 10 });
    await h.service.start();
    const activity = start({ photos: 6 });
    await photoCount(1);
    await h.restart(() => h.clock.reboot(35 * MINUTE));
    await photoCount(2);
    expect(photos().map(({ slot }) => slot)).toEqual([0, 3]);
    expect(missed()).toEqual([
      objectContaining({ activityId: activity.id, slot: 1, reason: stringMatching(/not running/) }),
      objectContaining({ activityId: activity.id, slot: 2, reason: stringMatching(/not running/) }),
    ]);
    // A second restart changes nothing: the journal says what was done.
    await h.restart();
    pass(1_000);
    await h.service.stop();
    expect(h.camera.starts).toHaveLength(2);
    expect(missed()).toHaveLength(2);
  });

  it('counts the photo times of a plan that started late from its planned time', async () => {
    h = photoHarness();
    await h.service.start();
    const startsAt = new Date(h.clock.wallMs - 70_000).toISOString();
    const plan = { id: 'P-1', type: 'study', title: '学习', startsAt, durationMin: 2, photos: 3 };
    new PlanStore(h.journal).add(plan, 'cli');
    h.activities.startPlanned('P-1', 70_000);
    // 70 s into a 2-minute plan: slot 1 (60 s) is the one catch-up photo, slot 0 (the start) is missed.
    await photoCount(1);
    expect(photos()[0]).toMatchObject({ slot: 1 });
    expect(missed()).toEqual([objectContaining({ slot: 0 })]);
  });

  it('records a photo missed, with the masked reason, when the camera gives none after a few tries', async () => {
    h = photoHarness();
    await h.service.start();
    h.camera.down = true;
    start({ photos: 3, durationMin: 1 });
    await vi.waitFor(() => expect(missed()).toHaveLength(1), { timeout: 10_000 });
    expect(h.camera.starts).toHaveLength(3);
    expect(missed()[0]).toMatchObject({ camera: 'hall', slot: 0, reason: 'unreachable: <camera>: Connection refused' });
    expect(h.service.health()).toMatchObject({
      state: 'degraded',
      detail: stringMatching(/Connection refused/),
    });
    // The camera is back: the next photo is taken and the service is healthy again.
    h.camera.down = false;
    pass(30_000);
    await photoCount(1);
    expect(h.service.health()).toEqual({ state: 'ok' });
    const journalText = JSON.stringify(h.journal.read(0, 1000));
    expect(journalText).not.toContain(CANARY);
    expect(journalText).not.toContain('192.0.2.10');
    expect(h.camera.starts.every((spec) => !spec.name.includes(CANARY))).toBe(true);
  });

  it('gives up at once on a problem another try cannot solve (a wrong password)', async () => {
    h = photoHarness();
    await h.service.start();
    h.camera.down = true;
    h.camera.downLine =
      'rtsp://admin:***@192.0.2.10:554/Streaming/Channels/101: Server returned 401 Unauthorized (authorization failed)';
    start({ photos: 1 });
    await vi.waitFor(() => expect(missed()).toHaveLength(1), { timeout: 10_000 });
    expect(h.camera.starts).toHaveLength(1);
    expect(missed()[0]).toMatchObject({
      reason: 'auth-failed: <camera>: Server returned 401 Unauthorized (authorization failed)',
    });
  });

  it('takes a photo on command and replies with its file id, checksum and size', async () => {
    h = photoHarness();
    await h.service.start();
    const outside = await h.service.take('door');
    const activity = start({ photos: 0 });
    const during = await h.service.take('hall');
    expect(photos()).toEqual([
      { camera: 'door', reason: 'command', ...outside },
      { camera: 'hall', activityId: activity.id, reason: 'command', ...during },
    ]);
    expect(outside).toEqual({ fileId: ofType(String), sha256: stringMatching(/^[0-9a-f]{64}$/), bytes: 12 });
  });

  it('rejects a command photo with CameraPhotoFailed when the camera gives none', async () => {
    h = photoHarness();
    await h.service.start();
    h.camera.down = true;
    await expect(h.service.take('hall')).rejects.toMatchObject({
      code: ErrorCode.CameraPhotoFailed,
      message:
        'camera hall took no photo: the camera cannot be reached: check its power, its cable and the IP address and port in the configuration (RTSP is usually 554)',
    });
    expect([...photos(), ...missed()]).toEqual([]);
  });

  it('leaves neither the journal entry nor the queued upload nor the file when the transaction fails', async () => {
    h = photoHarness({
      queue: (real) => ({
        enqueue: (request, alongside) =>
          real.enqueue(request, (tx, queued) => {
            alongside(tx, queued);
            throw new Error('the disk failed between the two writes');
          }),
      }),
    });
    await h.service.start();
    await expect(h.service.take('hall')).rejects.toThrow(/disk failed/);
    expect(h.camera.starts).toHaveLength(1);
    const types = h.journal.read(0, 1000).map((entry: JournalEntry) => entry.type);
    expect(types).not.toContain('camera.photo');
    expect(types).not.toContain('file.queued');
    expect(recentUploads(h.journal.db, 10)).toEqual([]);
    const day = readdirSync(join(h.dir, 'media', 'photos'));
    expect(day.flatMap((folder) => readdirSync(join(h.dir, 'media', 'photos', folder)))).toEqual([]);
  });
});
