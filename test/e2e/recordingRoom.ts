import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { JOURNAL_FILE } from '../../src/journal/journal.js';
import type { RecordingReport } from '../../src/cameras/recording/types.js';
import { runCli } from '../helpers/cli.js';
import { until, type SyncScenario, type useSyncScenario } from '../helpers/syncScenario.js';
import { journal, tail, useCameraRoom, type CameraRoom } from './cameraRoom.js';

export { journal };

/**
 * A room recording its meetings as production runs it: the real daemon, the GStreamer camera
 * behind a password with G.711 audio (recorded as AAC), its sub-stream pushed to nginx-rtmp in
 * mode `activity` (the push and the recording run side by side), a real Mosquitto and the center.
 */

const run = promisify(execFile);

export const CAMERA = 'hall';
export const CAMERA_PASSWORD = 'Rec-Canary-5c1e';
export const STREAM = 'room-rec-hall';
/** Probe, ffmpeg's start and a first frame on a loaded machine. */
export const LIVE_TIMEOUT_MS = 45_000;

/** The room (see useCameraRoom) with its camera recorded in 10 s segments unless `media` says otherwise. */
export function useRecordingRoom(
  open: ReturnType<typeof useSyncScenario>,
): (media?: Record<string, unknown>) => Promise<CameraRoom> {
  const room = useCameraRoom(open, {
    variant: 'h264-pcma',
    password: CAMERA_PASSWORD,
    name: CAMERA,
    stream: STREAM,
  });
  return (media = {}) =>
    room({
      // Loopback: a meeting's recording asked for goes at full speed, not at a 4G room's cap.
      county: { backfillBytesPerSecond: 0 },
      sections: { media: { recordingSegmentSeconds: 10, ...media } },
    });
}

/** Starts a recorded meeting with `room-agent activity start --recording`; resolves with its id. */
export async function startRecordedMeeting(scenario: SyncScenario, durationMin?: number): Promise<string> {
  const result = await runCli([
    ...['activity', 'start', '--config', scenario.room.configPath],
    ...['--type', 'branch-meeting', '--title', '支部党员大会', '--recording'],
    ...(durationMin === undefined ? [] : ['--duration', String(durationMin)]),
  ]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const started = journal(scenario).filter(({ type }) => type === 'activity.started');
  return (started.at(-1)!.payload as { activityId: string }).activityId;
}

export async function endMeeting(scenario: SyncScenario): Promise<void> {
  const result = await runCli(['activity', 'end', '--config', scenario.room.configPath]);
  expect(result.code, result.stderr).toBe(0);
}

export interface SegmentPayload {
  activityId: string;
  camera: string;
  index: number;
  file: string;
  startedWallMs: number;
  endedWallMs: number;
  durationMs: number;
  size: number;
  sha256: string;
  truncated: boolean;
}

/** The `recording.segment` entries of an activity, in journal order. */
export function segmentEntries(scenario: SyncScenario, activityId: string): SegmentPayload[] {
  return journal(scenario)
    .filter(({ type }) => type === 'recording.segment')
    .map(({ payload }) => payload as unknown as SegmentPayload)
    .filter((segment) => segment.activityId === activityId);
}

/** The rows of recording_segments of an activity, by index. */
export function segmentRows(scenario: SyncScenario, activityId: string): Array<Record<string, unknown>> {
  const db = new Database(join(scenario.room.dataDir, JOURNAL_FILE), { readonly: true });
  try {
    return db
      .prepare('SELECT * FROM recording_segments WHERE activity_id = ? ORDER BY camera, idx')
      .all(activityId) as Array<Record<string, unknown>>;
  } finally {
    db.close();
  }
}

/** Waits until the activity has `count` segments indexed; returns them. */
export async function waitForSegments(
  scenario: SyncScenario,
  activityId: string,
  count: number,
  timeoutMs: number,
): Promise<SegmentPayload[]> {
  let found: SegmentPayload[] = [];
  await until(
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      return (found = segmentEntries(scenario, activityId)).length >= count;
    },
    timeoutMs,
    () => `${count} segments of ${activityId}; have ${found.length}\nroom log tail:\n${tail(scenario)}`,
  );
  return found;
}

export async function recording(scenario: SyncScenario): Promise<RecordingReport | undefined> {
  return (await scenario.room.status()).recorders.find(({ camera }) => camera === CAMERA);
}

/** Waits for the camera's recording to be in `state`, read from `status`. */
export async function waitForRecordingState(scenario: SyncScenario, state: string, timeoutMs: number): Promise<void> {
  let last: RecordingReport | undefined;
  await until(
    async () => (last = await recording(scenario).catch(() => undefined))?.state === state,
    timeoutMs,
    () => `recording ${state}; last ${JSON.stringify(last)}\nroom log tail:\n${tail(scenario)}`,
  );
}

/** What `ffmpeg -v error -i FILE -f null -` prints: nothing for a segment that plays cleanly. */
export async function decodeErrors(path: string): Promise<string> {
  const { stderr } = await run('ffmpeg', ['-nostdin', '-v', 'error', '-i', path, '-f', 'null', '-'], {
    timeout: 60_000,
  });
  return stderr;
}

/** The segment's file as indexed: size and SHA-256 of what is on disk. */
export function fileDigest(scenario: SyncScenario, file: string): { size: number; sha256: string } {
  const bytes = readFileSync(join(scenario.room.dataDir, file));
  return { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Every video packet's pts (seconds) of the segment files, in order. */
export async function videoPts(path: string): Promise<number[]> {
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', path],
    { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout
    .split('\n')
    .map((line) => Number.parseFloat(line))
    .filter((pts) => Number.isFinite(pts));
}
