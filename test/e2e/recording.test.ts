import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { CompletedFile } from '../../src/center/store.js';
import { SYNC_TIMEOUT_MS, until, useSyncScenario } from '../helpers/syncScenario.js';
import { command } from './cameraProbeRoom.js';
import {
  CAMERA,
  CAMERA_PASSWORD,
  decodeErrors,
  endMeeting,
  fileDigest,
  journal,
  LIVE_TIMEOUT_MS,
  recording,
  segmentEntries,
  segmentRows,
  startRecordedMeeting,
  useRecordingRoom,
  videoPts,
  waitForRecordingState,
  waitForSegments,
} from './recordingRoom.js';

const open = useSyncScenario();
const recordingRoom = useRecordingRoom(open);

/** The meeting's length: six 10 s segments. */
const MEETING_MS = 60_000;
/** The media server frozen this long in the middle of it. */
const SERVER_STOPPED_MS = 30_000;
/** Consecutive video packets of one camera's recording are never further apart than this. */
const MAX_GAP_SECONDS = 1;

it('records a meeting as indexed 10 s segments, each playable with the size and SHA-256 indexed, which the center receives on request, and a media server frozen for 30 s leaves no gap in the recording', async () => {
  const { scenario, server } = await recordingRoom();
  const activityId = await startRecordedMeeting(scenario);
  await waitForRecordingState(scenario, 'live', LIVE_TIMEOUT_MS);
  const liveAt = Date.now();

  // The push's receiver freezes mid-meeting: the push stalls and restarts, the recording must not notice.
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  server.pause();
  await new Promise((resolve) => setTimeout(resolve, SERVER_STOPPED_MS));
  server.resume();
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, liveAt + MEETING_MS - Date.now())));
  expect((await recording(scenario))?.state).toBe('live');
  await endMeeting(scenario);
  await waitForRecordingState(scenario, 'idle', 30_000);

  await waitForSegments(scenario, activityId, 5, 30_000);
  // The last segment closes as the recording ends: it is indexed a moment after the state says idle.
  const folder = join(scenario.room.dataDir, 'media', 'recordings', activityId, CAMERA);
  const segmentFiles = (): number => readdirSync(folder).filter((name) => name.endsWith('.ts')).length;
  await until(
    () => segmentEntries(scenario, activityId).length === segmentFiles(),
    30_000,
    () => `every segment file indexed (${segmentFiles()} files)`,
  );
  const segments = await waitForSegments(scenario, activityId, 5, 30_000);
  // Ended, its last segment closed and indexed: nothing is indexed later.
  const rows = segmentRows(scenario, activityId);
  expect(rows.map((row) => row.idx)).toEqual(segments.map((_, index) => index + 1));
  expect(segments.map((segment) => segment.index)).toEqual(segments.map((_, index) => index + 1));
  const total = segments.reduce((sum, segment) => sum + segment.durationMs, 0);
  expect(total).toBeGreaterThan(MEETING_MS - 5_000);
  for (const [index, segment] of segments.entries()) {
    expect(segment.camera).toBe(CAMERA);
    expect(segment.truncated).toBe(false);
    expect(rows[index]).toMatchObject({ path: segment.file, size: segment.size, sha256: segment.sha256, truncated: 0 });
    expect(fileDigest(scenario, segment.file)).toEqual({ size: segment.size, sha256: segment.sha256 });
    expect(segment.endedWallMs - segment.startedWallMs).toBe(segment.durationMs);
    expect(await decodeErrors(join(scenario.room.dataDir, segment.file))).toBe('');
  }
  // Every segment but the last is about the configured length (cut at the key frame after 10 s).
  for (const segment of segments.slice(0, -1)) expect(segment.durationMs).toBeGreaterThanOrEqual(9_000);

  // One ffmpeg run (the push's stall touched nothing): its timeline has no jump anywhere.
  expect(new Set(segments.map((segment) => segment.file.split('/').at(-1)!.split('-')[0])).size).toBe(1);
  const pts: number[] = [];
  for (const segment of segments) pts.push(...(await videoPts(join(scenario.room.dataDir, segment.file))));
  const gaps = pts.slice(1).map((value, index) => value - pts[index]!);
  expect(Math.max(...gaps)).toBeLessThanOrEqual(MAX_GAP_SECONDS);
  expect(Math.min(...gaps)).toBeGreaterThan(0);
  expect(pts.at(-1)! - pts[0]!).toBeGreaterThan(MEETING_MS / 1000 - 5);

  // The push did stall meanwhile, so the recording really ran beside a troubled push.
  const logs = scenario.room.output();
  expect(logs).toMatch(/camera push ended: restarting/);
  expect(logs).not.toMatch(/camera record ended: restarting/);
  expect(JSON.stringify(journal(scenario))).not.toContain(CAMERA_PASSWORD);
  expect(logs).not.toContain(CAMERA_PASSWORD);

  // The county asks for the meeting's recording: every segment arrives whole, byte for byte.
  const received: CompletedFile[] = [];
  scenario.center!.on('file', (file) => received.push(file));
  const reply = await command(scenario, 'recording.upload', { activityId });
  expect(reply, JSON.stringify(reply)).toMatchObject({ status: 'done' });
  await until(
    () => received.length === segments.length,
    SYNC_TIMEOUT_MS,
    () => `every segment at the center (${received.length} of ${segments.length})`,
  );
  const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
  for (const segment of segments) {
    const file = received.find(({ meta }) => meta.index === segment.index);
    expect(file, `segment ${segment.index} at the center`).toMatchObject({
      kind: 'recording',
      sha256: segment.sha256,
      size: segment.size,
      meta: { activityId, camera: CAMERA, truncated: false },
    });
    expect(sha256(file!.path)).toBe(segment.sha256);
  }
});
