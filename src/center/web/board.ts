import { todayRange, type ViewSource } from '../liveView.js';
import type { KnownGap, RoomSummary } from '../room.js';
import type { ActivityRecord, PhotoRecord, SignInRecord } from '../roomDay.js';
import type { SignInCount } from '../store.js';

/** What the board reads beyond the live view's source: one room, its latest sign-ins, its activity. CountyCenter provides it. */
export interface BoardSource extends ViewSource {
  room(deviceId: string): RoomSummary | undefined;
  recentSignIns(deviceId: string, fromMs: number, toMs: number, limit: number): SignInRecord[];
  currentActivity(deviceId: string): ActivityRecord | null;
  recentPhotos(deviceId: string, limit: number): PhotoRecord[];
  photo(deviceId: string, fileId: string): PhotoRecord | null;
}

/** A tile lists this many of the day's sign-ins: a page left open all day holds no more. */
export const RECENT_SIGN_INS = 8;
/** A tile shows this many of the newest photos: a meeting's three (start, middle, end). */
export const RECENT_PHOTOS = 3;
/** A tile names this many of a room's latest gaps. */
export const RECENT_GAPS = 3;

export type ChainStatus =
  { status: 'ok' } | { status: 'broken'; seq: number; reason: string } | { status: 'waiting'; reason: string };

/** One room's tile, as the page draws it. */
export interface RoomTile {
  deviceId: string;
  state: RoomSummary['state'];
  reason: string | null;
  lastSeenMs: number;
  backlog: number | null;
  contiguousSeq: number;
  chain: ChainStatus;
  signIns: SignInCount;
  recent: SignInRecord[];
  activity: ActivityRecord | null;
  scannerDriver: string | null;
  cameras: RoomSummary['cameras'];
  files: number;
  /** The latest gaps the room declared, oldest first: where its chain continued, what it skipped and why. */
  gaps: Array<Pick<KnownGap, 'seq' | 'reason' | 'lost' | 'carried'>>;
  /** The room's last damaged-journal gap (an alarm on the tile); null when none. */
  damaged: Pick<KnownGap, 'seq' | 'quarantinedFile'> | null;
  /** The newest photos, newest first, each fetched from /api/rooms/<id>/photos/<fileId>; where the files lie stays on the center. */
  photos: Array<{ fileId: string; completedMs: number }>;
}

/** The whole board (`full`) or the rooms that changed since the last push. */
export interface BoardUpdate {
  full: boolean;
  generatedMs: number;
  /** Today, local midnight to the next, as the counts count it. */
  day: { fromMs: number; toMs: number };
  brokerConnected: boolean;
  rooms: RoomTile[];
}

function chainOf(room: RoomSummary): ChainStatus {
  if (room.broken !== null) return { status: 'broken', seq: room.broken.seq, reason: room.broken.reason };
  return room.pending === null ? { status: 'ok' } : { status: 'waiting', reason: room.pending };
}

/** The tiles of `deviceIds` (every room when undefined), counted the way the live view counts them. */
export function readBoard(source: BoardSource, nowMs: number, deviceIds?: Iterable<string>): BoardUpdate {
  const day = todayRange(nowMs);
  const summaries =
    deviceIds === undefined
      ? source.rooms()
      : [...deviceIds]
          .flatMap((deviceId) => source.room(deviceId) ?? [])
          .sort((a, b) => a.deviceId.localeCompare(b.deviceId));
  const signIns = source.signInsBetween(day.fromMs, day.toMs);
  const files = source.fileCounts();
  return {
    full: deviceIds === undefined,
    generatedMs: nowMs,
    day,
    brokerConnected: source.brokerConnected,
    rooms: summaries.map((room) => ({
      deviceId: room.deviceId,
      state: room.state,
      reason: room.reason,
      lastSeenMs: room.lastSeenMs,
      backlog: room.backlog,
      contiguousSeq: room.contiguousSeq,
      chain: chainOf(room),
      signIns: signIns.get(room.deviceId) ?? { real: 0, emulated: 0 },
      recent: source.recentSignIns(room.deviceId, day.fromMs, day.toMs, RECENT_SIGN_INS),
      activity: source.currentActivity(room.deviceId),
      scannerDriver: room.scannerDriver,
      cameras: room.cameras,
      files: files.get(room.deviceId) ?? 0,
      gaps: room.gaps.slice(-RECENT_GAPS).map(({ seq, reason, lost, carried }) => ({ seq, reason, lost, carried })),
      damaged: room.damaged === null ? null : { seq: room.damaged.seq, quarantinedFile: room.damaged.quarantinedFile },
      photos: source
        .recentPhotos(room.deviceId, RECENT_PHOTOS)
        .map(({ fileId, completedMs }) => ({ fileId, completedMs })),
    })),
  };
}

/**
 * JSON that is safe wherever it lands: `<`, `>` and `&` escaped, so a member named `</script>` or
 * `<img onerror=…>` can never become markup, and the line separators JavaScript once refused.
 */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
