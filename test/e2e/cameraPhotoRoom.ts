import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { JournalEntry } from '../../src/journal/types.js';
import { runCli } from '../helpers/cli.js';
import { until, type SyncScenario, type useSyncScenario } from '../helpers/syncScenario.js';
import { journal, tail, useCameraRoom, type CameraRoom } from './cameraRoom.js';

export { journal };

/** A password that must never leave the camera's URL: the journal and the log are searched for it. */
export const CAMERA_PASSWORD = 'Photo-Canary-8d2f';
export const CAMERA = 'hall';
export const STREAM = 'room-e2e-hall';

/** A grab on loopback takes a second or two; this only catches a photo that never comes. */
export const PHOTO_TIMEOUT_MS = 20_000;
/** The activity scheduler ends a meeting within seconds of its planned end. */
export const END_TIMEOUT_MS = 20_000;
/** Probe, ffmpeg's start and its first frames at the media server, on a loaded machine. */
export const PUSH_LIVE_TIMEOUT_MS = 30_000;
/** A push is stopped gracefully: q, SIGINT, then SIGKILL, a second and a half each. */
export const PUSH_STOP_TIMEOUT_MS = 15_000;
/** A photo reaches the center once its upload ran (a few dozen kB over loopback). */
export const UPLOAD_TIMEOUT_MS = 30_000;

/**
 * The room of a meeting with photos: the H.264 test camera behind a password, pushing to the
 * county's media server (see useCameraRoom).
 */
export function usePhotoRoom(open: ReturnType<typeof useSyncScenario>): () => Promise<CameraRoom> {
  const room = useCameraRoom(open, { variant: 'h264', password: CAMERA_PASSWORD, name: CAMERA, stream: STREAM });
  return () => room();
}

/** Starts a meeting as a technician does, with `room-agent activity start`; resolves with its journal entry. */
export async function startMeeting(
  scenario: SyncScenario,
  terms: { photos: number; durationMin: number },
): Promise<JournalEntry> {
  const result = await runCli([
    ...['activity', 'start', '--config', scenario.room.configPath],
    ...['--type', 'branch-meeting', '--title', '支部党员大会'],
    ...['--photos', String(terms.photos), '--duration', String(terms.durationMin)],
  ]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const started = journal(scenario).filter(({ type }) => type === 'activity.started');
  expect(started).toHaveLength(1);
  return started[0]!;
}

/** A photo entry's payload, as the photo service journals it. */
export interface PhotoPayload {
  camera: string;
  activityId?: string;
  slot?: number;
  reason: string;
  sha256?: string;
  fileId?: string;
  bytes?: number;
}

/** The activity's `camera.photo` and `camera.photo.missed` entries, in journal order. */
export function photoEntries(scenario: SyncScenario, activityId: string): Array<JournalEntry & { p: PhotoPayload }> {
  return journal(scenario)
    .filter(({ type }) => type === 'camera.photo' || type === 'camera.photo.missed')
    .map((entry) => ({ ...entry, p: entry.payload as unknown as PhotoPayload }))
    .filter(({ p }) => p.activityId === activityId);
}

/** Waits for the journal entry `find` picks; fails with what the journal and the room's log hold. */
export async function waitForEntry(
  scenario: SyncScenario,
  what: string,
  find: (entries: JournalEntry[]) => JournalEntry | undefined,
  timeoutMs: number,
): Promise<JournalEntry> {
  let found: JournalEntry | undefined;
  await until(
    () => (found = find(journal(scenario))) !== undefined,
    timeoutMs,
    () =>
      `${what}; journal types: ${journal(scenario)
        .map(({ type }) => type)
        .join(', ')}\nroom log tail:\n${tail(scenario)}`,
  );
  return found!;
}

export function waitForSlot(
  scenario: SyncScenario,
  activityId: string,
  slot: number,
  timeoutMs = PHOTO_TIMEOUT_MS,
): Promise<JournalEntry> {
  return waitForEntry(
    scenario,
    `photo slot ${slot} journaled`,
    (entries) =>
      entries.find(({ type, payload }) => {
        const p = payload as unknown as PhotoPayload;
        return type.startsWith('camera.photo') && p.activityId === activityId && p.slot === slot;
      }),
    timeoutMs,
  );
}

/** A file the center stored, as its database lists it, with the SHA-256 of the file on its disk. */
export interface CenterFile {
  fileId: string;
  kind: string;
  sha256: string;
  diskSha256: string;
  meta: Record<string, unknown>;
}

/** The files the center's database holds for the room, read from its SQLite file and its disk. */
export function centerFiles(scenario: SyncScenario): CenterFile[] {
  const db = new Database(scenario.centerDbFile, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare('SELECT file_id, kind, sha256, path, meta FROM files WHERE device_id = ? ORDER BY completed_ms')
      .all(scenario.deviceId) as Array<{ file_id: string; kind: string; sha256: string; path: string; meta: string }>;
    return rows.map((row) => ({
      fileId: row.file_id,
      kind: row.kind,
      sha256: row.sha256,
      diskSha256: createHash('sha256').update(readFileSync(row.path)).digest('hex'),
      meta: JSON.parse(row.meta) as Record<string, unknown>,
    }));
  } finally {
    db.close();
  }
}

/** Waits until the center stored `count` files of the room. */
export async function waitForCenterFiles(scenario: SyncScenario, count: number): Promise<CenterFile[]> {
  await until(
    () => (scenario.center?.fileCounts().get(scenario.deviceId) ?? 0) >= count,
    UPLOAD_TIMEOUT_MS,
    () => `${count} files at the center (${scenario.center?.fileCounts().get(scenario.deviceId) ?? 0})`,
  );
  return centerFiles(scenario);
}

/** The camera's push state as `room-agent status` shows it. */
export async function pushState(scenario: SyncScenario): Promise<string | undefined> {
  return (await scenario.room.status()).cameras.find(({ name }) => name === CAMERA)?.state;
}

export async function waitForPushState(scenario: SyncScenario, state: string, timeoutMs: number): Promise<void> {
  let last: string | undefined;
  await until(
    async () => (last = await pushState(scenario)) === state,
    timeoutMs,
    () => `push state ${state} (at ${last})\nroom log tail:\n${tail(scenario)}`,
  );
}

/** The daemons' pino lines with this message. */
export function logged(scenario: SyncScenario, msg: string): Array<Record<string, unknown>> {
  return scenario.room
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.msg === msg);
}
