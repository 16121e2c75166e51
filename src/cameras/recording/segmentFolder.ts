import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { open, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClockReader } from '../../clock/types.js';
import type { Logger } from '../../log.js';
import { fsyncDirectory } from '../../util/durableDir.js';
import { RECORDINGS_DIR, type ClosedSegment } from './segments.js';
import { parseSegmentList, type ListedSegment } from './segmentList.js';
import type { SegmentTools } from './segmentTools.js';
import { repairSegment } from './tsRepair.js';

/** A segment's file: `r<run>-<segment>.ts`; the run's list `r<run>.csv`; a file no cut could save `….ts.damaged`. */
const SEGMENT_FILE = /^r(\d+)-(\d+)\.ts$/;
export const DAMAGED_SUFFIX = '.damaged';
/**
 * How long the cuts of one crash-left file may be checked. The usual crash needs two decodes
 * (the torn last frame, then the frame before it); a file that needs more on a slow board is set
 * aside as damaged, kept whole for the county, rather than hold back the indexing of every other
 * segment behind it.
 */
export const REPAIR_BUDGET_MS = 5 * 60_000;

/** One camera's recording folder of one activity. */
export interface SegmentFolder {
  activityId: string;
  camera: string;
  /** Relative to the data directory: what the index stores. */
  relDir: string;
  /** Absolute. */
  dir: string;
}

export function segmentFolder(dataDir: string, activityId: string, camera: string): SegmentFolder {
  const relDir = join(RECORDINGS_DIR, activityId, camera);
  return { activityId, camera, relDir, dir: join(dataDir, relDir) };
}

/** The name of run `run`'s files: its segments `<name>-%05d.ts`, its list `<name>.csv`. */
export function runName(run: number): string {
  return `r${String(run).padStart(4, '0')}`;
}

/** The run number after every run whose files are in the folder or whose segments are indexed (pruned ones too). */
export function nextRun(folder: SegmentFolder, indexedPaths: readonly string[]): number {
  const names = existsSync(folder.dir) ? readdirSync(folder.dir) : [];
  const runs = [...names, ...indexedPaths.map((path) => path.slice(path.lastIndexOf('/') + 1))].map((name) =>
    Number(/^r(\d+)[-.]/.exec(name)?.[1] ?? 0),
  );
  return Math.max(0, ...runs) + 1;
}

/** What a sweep needs besides the folder. */
export interface SweepContext {
  tools: SegmentTools;
  clock: ClockReader;
  /** True when the path (relative to the data directory) is indexed already. */
  indexed(path: string): boolean;
  /** Indexes a closed segment (its journal entry and row in one commit); throws when the journal cannot be written. */
  index(segment: ClosedSegment): void;
  /** Journals a file no cut could make playable, before it is renamed aside. */
  damaged(entry: DamagedSegment): void;
  /**
   * What was made of files whose entry the journal refused, by path: kept until written, so a
   * retry writes it again instead of hashing or decoding the file again.
   */
  pending: Map<string, ClosedSegment | DamagedSegment>;
  logger: Logger;
}

/** The `recording.damaged` entry: a crash left a file that does not play at any cut; it is kept, renamed, for the county. */
export interface DamagedSegment {
  activityId: string;
  camera: string;
  /** Where the file now is, relative to the data directory. */
  file: string;
  size: number;
  reason: string;
}

export const SEGMENT_DAMAGED_EVENT = 'recording.damaged';

export interface SweepResult {
  indexed: number;
  /** Closed segments left unindexed: the journal could not be written; the next sweep tries again. */
  blocked: boolean;
}

/**
 * Indexes every closed segment of the folder not indexed yet, in recording order: those the
 * runs' lists name (closed by ffmpeg), and those of ended runs no list names (a run killed with
 * the agent, or ffmpeg killed): these are cut to their last clean packet and indexed as
 * truncated. The files of `openRun` that no list names are its open segment and are left alone.
 * A segment whose index cannot be written stops the sweep (order is kept); the next one resumes.
 */
export async function sweepFolder(
  folder: SegmentFolder,
  openRun: string | undefined,
  context: SweepContext,
): Promise<SweepResult> {
  if (!existsSync(folder.dir)) return { indexed: 0, blocked: false };
  const files = readdirSync(folder.dir)
    .map((name) => ({ name, match: SEGMENT_FILE.exec(name) }))
    .filter((file) => file.match !== null)
    .map(({ name, match }) => ({ name, run: Number(match![1]), segment: Number(match![2]) }))
    .sort((a, b) => a.run - b.run || a.segment - b.segment);
  const lists = new Map<number, Map<string, ListedSegment>>();
  let indexed = 0;
  for (const file of files) {
    const rel = join(folder.relDir, file.name);
    if (context.indexed(rel)) continue;
    const listed = listOf(folder, file.run, lists).get(file.name);
    if (listed === undefined && runName(file.run) === openRun) break;
    const made =
      context.pending.get(rel) ??
      (listed === undefined
        ? await recover(folder, file.name, context)
        : await seal(folder, file.name, listed, context));
    try {
      if ('sha256' in made) context.index(made);
      else context.damaged(made);
    } catch (error) {
      context.pending.set(rel, made);
      context.logger.error({ err: error, file: rel }, 'recording segment not indexed: tried again later');
      return { indexed, blocked: true };
    }
    context.pending.delete(rel);
    if ('sha256' in made) indexed++;
    else await setAside(folder, file.name, made, context);
  }
  return { indexed, blocked: false };
}

function listOf(folder: SegmentFolder, run: number, lists: Map<number, Map<string, ListedSegment>>) {
  let list = lists.get(run);
  if (list === undefined) {
    const path = join(folder.dir, `${runName(run)}.csv`);
    const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
    list = new Map(parseSegmentList(text).map((entry) => [entry.file, entry]));
    lists.set(run, list);
  }
  return list;
}

/** A segment ffmpeg closed: made durable, hashed, timed by its list entry. */
async function seal(
  folder: SegmentFolder,
  name: string,
  listed: ListedSegment,
  context: SweepContext,
): Promise<ClosedSegment> {
  const durationMs = Math.round((listed.endSeconds - listed.startSeconds) * 1000);
  return closed(folder, name, durationMs, false, context);
}

/** A segment left open by a crash: cut to its last clean packet, else to be journaled as damaged and renamed aside. */
async function recover(
  folder: SegmentFolder,
  name: string,
  context: SweepContext,
): Promise<ClosedSegment | DamagedSegment> {
  const path = join(folder.dir, name);
  const { size } = await stat(path);
  const started = performance.now();
  const budget = { ms: REPAIR_BUDGET_MS, now: () => performance.now() };
  const kept = await repairSegment(path, size, context.tools.clean, budget);
  if (kept !== undefined) {
    context.logger.warn({ file: join(folder.relDir, name), size, kept }, 'recording segment left open: cut and kept');
    return closed(folder, name, await context.tools.durationMs(path), true, context);
  }
  const reason =
    size === 0
      ? 'empty'
      : performance.now() - started >= REPAIR_BUDGET_MS
        ? `no cut of it found to play without errors within ${REPAIR_BUDGET_MS / 60_000} min of checks`
        : 'no cut of it plays without errors';
  return {
    activityId: folder.activityId,
    camera: folder.camera,
    file: join(folder.relDir, `${name}${DAMAGED_SUFFIX}`),
    size,
    reason,
  };
}

/** Renames a damaged file aside once its entry is journaled. */
async function setAside(folder: SegmentFolder, name: string, entry: DamagedSegment, context: SweepContext) {
  await rename(join(folder.dir, name), join(folder.dir, `${name}${DAMAGED_SUFFIX}`));
  fsyncDirectory(folder.dir);
  context.logger.error({ ...entry }, 'recording segment damaged: kept aside');
}

async function closed(
  folder: SegmentFolder,
  name: string,
  durationMs: number,
  truncated: boolean,
  context: SweepContext,
): Promise<ClosedSegment> {
  const path = join(folder.dir, name);
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  fsyncDirectory(folder.dir);
  const [{ size, mtimeMs }, sha256] = await Promise.all([stat(path), sha256Of(path)]);
  const reading = context.clock.read();
  // The file's last write, on the agent's clock (which may be corrected from the system's).
  const endedWallMs = Math.round(reading.wallMs - (Date.now() - mtimeMs));
  return {
    path: join(folder.relDir, name),
    activityId: folder.activityId,
    camera: folder.camera,
    startedWallMs: endedWallMs - durationMs,
    endedWallMs,
    clock: reading.state,
    durationMs,
    size,
    sha256,
    truncated,
  };
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
