import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { expect, it } from 'vitest';
import { ActivityStore } from '../../src/activities/store.js';
import type { CompletedFile } from '../../src/center/store.js';
import type { SegmentRow } from '../../src/cameras/recording/segments.js';
import { cameraClip, CLIP_FPS } from '../../src/demo/cameraClips.js';
import { SUB_SIZE } from '../../src/demo/rtspCamera.js';
import { generateDeviceKey } from '../../src/journal/keyCrypto.js';
import { writeKeyFile } from '../../src/journal/keys.js';
import { runCli } from '../helpers/cli.js';
import { writeIndexedSegment } from '../helpers/recordingSegments.js';
import { SYNC_TIMEOUT_MS, until, useSyncScenario } from '../helpers/syncScenario.js';
import { openJournal } from '../daemon/daemonProcess.js';
import { command } from './cameraProbeRoom.js';
import { objectContaining } from '../helpers/matchers.js';

const run = promisify(execFile);
const scenario = useSyncScenario();

/** The camera clip cut by ffmpeg into MPEG-TS segments of about two seconds, as a recorder closes them. */
async function cutIntoSegments(dir: string): Promise<Buffer[]> {
  const clip = await cameraClip({ codec: 'h264', ...SUB_SIZE });
  mkdirSync(dir, { recursive: true });
  await run('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin'],
    ...['-f', 'h264', '-framerate', String(CLIP_FPS), '-i', clip],
    ...['-c', 'copy', '-f', 'segment', '-segment_time', '2', '-segment_format', 'mpegts', '-reset_timestamps', '1'],
    join(dir, 'seg%05d.ts'),
  ]);
  return readdirSync(dir)
    .sort()
    .map((name) => readFileSync(join(dir, name)));
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Meetings recorded in the room's journal before its daemon starts, one after the other, each
 * with the clip's segments of camera `hall`, as the recorder leaves them.
 */
async function recordedMeetings(
  dataDir: string,
  policies: ReadonlyArray<'on-request' | 'when-idle'>,
): Promise<Array<{ activityId: string; segments: SegmentRow[] }>> {
  const clips = await cutIntoSegments(join(dataDir, '..', 'cut'));
  expect(clips.length).toBeGreaterThanOrEqual(3);
  mkdirSync(dataDir, { recursive: true });
  const journal = openJournal(dataDir, 'create');
  try {
    const activities = new ActivityStore(journal);
    return policies.map((recordingUpload) => {
      const activityId = activities.start(
        { type: 'branch-meeting', title: 'Branch meeting', photos: 0, recording: true, recordingUpload },
        'cli',
      ).id;
      const segments = clips.map((bytes) =>
        writeIndexedSegment(journal, dataDir, { activityId, camera: 'hall', bytes }),
      );
      activities.end({ reason: 'meeting over' });
      return { activityId, segments };
    });
  } finally {
    journal.close();
  }
}

const uploadResultSchema = z.object({
  activityId: z.string(),
  queued: z.array(z.object({ camera: z.string(), index: z.number(), fileId: z.string(), size: z.number() })),
  alreadyQueued: z.array(z.object({ index: z.number() })),
  alreadyUploaded: z.array(z.object({ camera: z.string(), index: z.number(), fileId: z.string() })),
  pruned: z.array(z.unknown()),
  unavailable: z.array(z.unknown()),
});

it('the center asks for a meeting’s recording: every segment arrives with its sha256, the room journals file.uploaded, and a second request queues nothing again', async () => {
  const centerKey = generateDeviceKey();
  const sync = await scenario({ centerKey, county: { fileSegmentBytes: 16_384 } });
  const { room } = sync;

  const [meeting] = await recordedMeetings(room.dataDir, ['on-request']);
  const { activityId, segments } = meeting!;

  const center = await sync.startCenter();
  const received: CompletedFile[] = [];
  center.on('file', (file) => received.push(file));
  await room.start();
  await sync.waitSynced();

  const reply = await command(sync, 'recording.upload', { activityId });
  expect(reply, JSON.stringify(reply)).toMatchObject({ status: 'done' });
  const first = uploadResultSchema.parse((reply as { result: unknown }).result);
  expect(first.queued.map(({ index }) => index)).toEqual(segments.map(({ index }) => index));
  expect(first.alreadyUploaded).toEqual([]);

  await until(
    () => received.length === segments.length,
    SYNC_TIMEOUT_MS,
    () =>
      `every segment at the center (${received.length} of ${segments.length}); room log:\n${room.output().slice(-4000)}`,
  );
  for (const segment of segments) {
    const queued = first.queued.find(({ index }) => index === segment.index)!;
    const file = received.find(({ fileId }) => fileId === queued.fileId);
    expect(file, `segment ${segment.index} at the center`).toMatchObject({
      kind: 'recording',
      sha256: segment.sha256,
      size: segment.size,
      meta: { activityId, camera: 'hall', index: segment.index, truncated: false, clock: 'synced' },
    });
    // The bytes the center stored are the recorded file's.
    expect(sha256(readFileSync(file!.path))).toBe(sha256(readFileSync(join(room.dataDir, segment.path))));
  }
  await until(
    () =>
      room.readJournal(({ entries }) => entries(0, 100_000).filter(({ type }) => type === 'file.uploaded')).length ===
      segments.length,
    SYNC_TIMEOUT_MS,
    () => 'file.uploaded journaled for every segment',
  );
  const uploaded = room.readJournal(({ entries }) =>
    entries(0, 100_000)
      .filter(({ type }) => type === 'file.uploaded')
      .map(({ payload }) => payload as { fileId: string; sha256: string }),
  );
  expect(uploaded.map(({ fileId }) => fileId).sort()).toEqual(first.queued.map(({ fileId }) => fileId).sort());

  // The auditor's listing at the center: the activity's segments in order, none missing.
  const listed = center.recordings({ deviceId: room.deviceId, activityId });
  expect(listed.map(({ index, sha256: digest }) => ({ index, digest }))).toEqual(
    segments.map(({ index, sha256: digest }) => ({ index, digest })),
  );

  // The operator's way: `center send` with the center's key, then `center recordings`.
  const keyFile = join(room.dataDir, '..', 'center.key');
  writeKeyFile(keyFile, centerKey);
  const again = await runCli([
    ...['center', 'send', '--broker', sync.broker.url, '--db', sync.centerDbFile, '--room', room.deviceId],
    ...['--type', 'recording.upload', '--params', JSON.stringify({ activityId }), '--signing-key', keyFile, '--json'],
  ]);
  expect(again, again.stderr).toMatchObject({ code: 0 });
  const second = uploadResultSchema.parse((JSON.parse(again.stdout) as { result: unknown }).result);
  expect(second.queued).toEqual([]);
  expect(second.alreadyUploaded).toEqual(first.queued.map(({ camera, index, fileId }) => ({ camera, index, fileId })));
  const listing = await runCli(['center', 'recordings', '--db', sync.centerDbFile, '--activity', activityId]);
  expect(listing, listing.stderr).toMatchObject({ code: 0, stderr: '' });
  expect(listing.stdout).toContain(
    `room ${room.deviceId}, activity ${activityId}, camera hall: segments received: ${segments.length}`,
  );
  expect(listing.stdout).not.toContain('missing');
  // Nothing more was queued on the room.
  expect(
    room.readJournal(({ entries }) => entries(0, 100_000).filter(({ type }) => type === 'file.queued')).length,
  ).toBe(segments.length);
});

it('a when-idle meeting’s recording goes to the center by itself once the link is idle; an on-request meeting’s stays on the room', async () => {
  const sync = await scenario({ county: { fileSegmentBytes: 16_384 } });
  const { room } = sync;
  // The on-request meeting first: a policy that took any activity's segments would send its ones first.
  const [onRequest, whenIdle] = await recordedMeetings(room.dataDir, ['on-request', 'when-idle']);
  const center = await sync.startCenter();
  const received: CompletedFile[] = [];
  center.on('file', (file) => received.push(file));
  await room.start();

  await until(
    () => received.length >= whenIdle!.segments.length,
    // One segment per idle look (every 2 s), each after the last one's file.uploaded was acknowledged.
    2 * SYNC_TIMEOUT_MS,
    () => `the when-idle segments at the center (${received.length}); room log:\n${room.output().slice(-4000)}`,
  );
  expect(received.map(({ meta }) => meta)).toEqual(
    whenIdle!.segments.map(({ index }) => objectContaining({ activityId: whenIdle!.activityId, index })),
  );
  for (const [at, segment] of whenIdle!.segments.entries()) expect(received[at]!.sha256).toBe(segment.sha256);
  const queued = room.readJournal(({ entries }) => entries(0, 100_000).filter(({ type }) => type === 'file.queued'));
  expect(queued).toHaveLength(whenIdle!.segments.length);
  expect(center.recordings({ activityId: onRequest!.activityId })).toEqual([]);
});
