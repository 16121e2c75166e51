import { existsSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storedSegments } from '../../src/cameras/recording/segments.js';
import type { Journal } from '../../src/journal/journal.js';
import { objectContaining } from '../helpers/matchers.js';
import { makeTempDir } from '../helpers/cli.js';
import { openJournal } from '../journal/helpers.js';
import { addSegment, makePruner, markUploaded, prunedEntries } from '../cameras/recording/segmentRig.js';
import { fillToLastByte, freeFiller, mountTmpfs } from './mounts.js';

const MiB = 1024 * 1024;
const CARD_BYTES = 24 * MiB;

/** Free bytes on the card as the agent measures them (statfs, blocks available to it). */
function free(dir: string): number {
  const stats = statfsSync(dir);
  return stats.bavail * stats.bsize;
}

describe('recordings pruned on a small card of their own (tmpfs)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let card: ReturnType<typeof mountTmpfs> | undefined;
  let dataDir: string;
  let journal: Journal;

  beforeEach(() => {
    temp = makeTempDir('room-agent-recprune-');
    dataDir = join(temp.dir, 'data');
    card = mountTmpfs(dataDir, CARD_BYTES);
    journal = openJournal(dataDir);
  });
  afterEach(() => {
    journal.close();
    card?.unmount();
    temp.cleanup();
  });

  const onDisk = (path: string) => existsSync(join(dataDir, path));

  it('keeps the free space the journal and media need, measured on the card: uploaded first, then ended meetings', () => {
    const segments = [1, 2, 3, 4].map((n) =>
      addSegment(journal, dataDir, { activityId: n <= 2 ? 'act-a' : 'act-b', bytes: 3 * MiB }),
    );
    const [u1, u2, n1, n2] = [segments[1]!, segments[3]!, segments[0]!, segments[2]!];
    markUploaded(journal, dataDir, u1);
    markUploaded(journal, dataDir, u2);
    const before = free(dataDir);

    // The floor 5 MiB above what is free: the two uploaded segments (6 MiB) go, nothing else.
    const floor = before + 5 * MiB;
    const first = makePruner(journal, dataDir, { keepFreeBytes: floor, freeBytes: undefined });
    expect(first.pruner.prune()).toBe(true);
    expect(free(dataDir)).toBeGreaterThanOrEqual(floor);
    expect([u1, u2, n1, n2].map((segment) => onDisk(segment.path))).toEqual([false, false, true, true]);
    expect(prunedEntries(journal)).toEqual([
      objectContaining({ file: u1.path, uploaded: true, reason: 'free-space' }),
      objectContaining({ file: u2.path, uploaded: true, reason: 'free-space' }),
    ]);

    // A floor 2 MiB higher still: the oldest segment of an ended meeting goes too, with its alarm.
    const higher = free(dataDir) + 2 * MiB;
    const second = makePruner(journal, dataDir, { keepFreeBytes: higher, freeBytes: undefined });
    expect(second.pruner.prune()).toBe(true);
    expect(free(dataDir)).toBeGreaterThanOrEqual(higher);
    expect(onDisk(n1.path)).toBe(false);
    expect(onDisk(n2.path)).toBe(true);
    expect(prunedEntries(journal)[2]).toEqual(
      objectContaining({ file: n1.path, uploaded: false, reason: 'free-space', sha256: n1.sha256 }),
    );
  });

  it('on a full card deletes uploaded segments though their entries cannot be written, and writes them once space returns', () => {
    const uploaded = addSegment(journal, dataDir, { activityId: 'act-a' });
    const notUploaded = addSegment(journal, dataDir, { activityId: 'act-a' });
    markUploaded(journal, dataDir, uploaded);
    fillToLastByte(dataDir);
    const { pruner, logs } = makePruner(journal, dataDir, { keepFreeBytes: MiB, freeBytes: undefined });

    expect(pruner.prune()).toBe(false);
    // Deleted, though the journal (which needs more than the page it freed) refused its entry.
    expect(onDisk(uploaded.path)).toBe(false);
    expect(pruner.waitingEntries()).toEqual([objectContaining({ uploaded: true, reason: 'free-space' })]);
    expect(prunedEntries(journal)).toEqual([]);
    expect(logs().some((line) => /recording.pruned not recorded/.test(line.msg as string))).toBe(true);
    // A segment not uploaded is never deleted while the journal cannot take its alarm.
    expect(onDisk(notUploaded.path)).toBe(true);
    expect(pruner.prune()).toBe(false);
    expect(onDisk(notUploaded.path)).toBe(true);

    expect(freeFiller(dataDir)).toBeGreaterThan(0);
    expect(pruner.prune()).toBe(true);
    expect(pruner.waitingEntries()).toEqual([]);
    expect(prunedEntries(journal)).toEqual([
      objectContaining({ file: uploaded.path, uploaded: true, reason: 'free-space' }),
    ]);
    expect(storedSegments(journal.db).map((segment) => segment.path)).toEqual([notUploaded.path]);
    expect(journal.verify('full').ok).toBe(true);
  });
});
