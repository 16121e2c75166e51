import { existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RECORDINGS_DIR, storedSegments } from '../../../src/cameras/recording/segments.js';
import { recordingStorageReport } from '../../../src/cameras/recording/storageReport.js';
import { uploadCompleted } from '../../../src/sync/files/uploadRows.js';
import { objectContaining, stringMatching } from '../../helpers/matchers.js';
import { useJournal } from '../../journal/helpers.js';
import { addSegment, makePruner, markUploaded, prunedEntries } from './segmentRig.js';

const MB = 1024 * 1024;

describe('the recording pruner on a real journal', () => {
  const fixture = useJournal();

  /** Two ended meetings: A (older) and B, each with one uploaded and one unuploaded segment of 100 MB by their rows. */
  function twoMeetings() {
    const { journal, dir } = fixture;
    const a1 = addSegment(journal, dir, { activityId: 'act-a', size: 100 * MB });
    const a2 = addSegment(journal, dir, { activityId: 'act-a', size: 100 * MB });
    const b1 = addSegment(journal, dir, { activityId: 'act-b', camera: 'door', size: 100 * MB });
    const b2 = addSegment(journal, dir, { activityId: 'act-b', camera: 'door', size: 100 * MB });
    markUploaded(journal, dir, a2);
    markUploaded(journal, dir, b1);
    // Queued but not complete: not uploaded.
    markUploaded(journal, dir, b2, false);
    return { a1, a2, b1, b2 };
  }

  const stored = () => storedSegments(fixture.journal.db).map((segment) => segment.path);
  const onDisk = (path: string) => existsSync(join(fixture.dir, path));

  it('deletes uploaded segments first, oldest first, down to the quota', () => {
    const { a1, a2, b1, b2 } = twoMeetings();
    const { pruner } = makePruner(fixture.journal, fixture.dir, { quotaBytes: 250 * MB });
    expect(pruner.prune()).toBe(true);
    // 400 MB over a 250 MB quota: two segments must go, both of them the uploaded ones.
    expect(stored()).toEqual([a1.path, b2.path]);
    expect(onDisk(a2.path) || onDisk(b1.path)).toBe(false);
    expect(onDisk(a1.path) && onDisk(b2.path)).toBe(true);
    expect(prunedEntries(fixture.journal)).toEqual([
      objectContaining({ file: a2.path, uploaded: true, reason: 'quota', index: 2 }),
      objectContaining({ file: b1.path, uploaded: true, reason: 'quota', index: 1 }),
    ]);
    // Within the quota now: another pass deletes nothing.
    expect(pruner.prune()).toBe(true);
    expect(prunedEntries(fixture.journal)).toHaveLength(2);
  });

  it('then deletes segments not uploaded, oldest first, each with its alarm entry, log and report', () => {
    const { a1, b2 } = twoMeetings();
    const { pruner, logs } = makePruner(fixture.journal, fixture.dir, { quotaBytes: 150 * MB });
    expect(pruner.prune()).toBe(true);
    expect(stored()).toEqual([b2.path]);
    const entries = prunedEntries(fixture.journal);
    expect(entries).toHaveLength(3);
    expect(entries[2]).toEqual({
      activityId: 'act-a',
      camera: 'hall',
      index: 1,
      file: a1.path,
      size: 100 * MB,
      sha256: a1.sha256,
      uploaded: false,
      reason: 'quota',
    });
    const alarm = logs().find((line) => line.level === 40 && line.file === a1.path);
    expect(alarm).toMatchObject({
      uploaded: false,
      sha256: a1.sha256,
      msg: stringMatching(/before it was uploaded/),
    });
    const report = recordingStorageReport(fixture.journal.db, {
      uploaded: (fileId) => uploadCompleted(fixture.journal.db, fileId),
      waiting: pruner.waitingEntries(),
      nowWallMs: fixture.clock.wallMs,
      quotaBytes: 150 * MB,
    });
    expect(report).toEqual({
      storedBytes: 100 * MB,
      segments: 1,
      notUploaded: 1,
      quotaBytes: 150 * MB,
      lost: {
        count: 1,
        at: fixture.clock.wallMs,
        activityId: 'act-a',
        camera: 'hall',
        index: 1,
        reason: 'quota',
        journaled: true,
      },
    });
    // The alarm lasts a day, then clears by itself.
    const dayLater = recordingStorageReport(fixture.journal.db, {
      uploaded: () => false,
      waiting: [],
      nowWallMs: fixture.clock.wallMs + 24 * 60 * 60 * 1000 + 1,
      quotaBytes: 0,
    });
    expect(dayLater.lost).toBeNull();
  });

  it('never deletes a segment of the running meeting before its upload, but does once it is uploaded', () => {
    const { journal, dir } = fixture;
    const ended = addSegment(journal, dir, { activityId: 'act-old', size: 100 * MB });
    const running1 = addSegment(journal, dir, { activityId: 'act-now', size: 100 * MB });
    const running2 = addSegment(journal, dir, { activityId: 'act-now', size: 100 * MB });
    markUploaded(journal, dir, running1);
    const { pruner, state, logs } = makePruner(journal, dir, { quotaBytes: 50 * MB });
    state.running = 'act-now';
    // Uploaded first (running1, even of the running meeting), then the ended meeting's; running2 stays.
    expect(pruner.makeRoom()).toBe(false);
    expect(stored()).toEqual([running2.path]);
    expect(prunedEntries(journal).map((entry) => [entry.file, entry.uploaded])).toEqual([
      [running1.path, true],
      [ended.path, false],
    ]);
    expect(prunedEntries(journal).some((entry) => entry.activityId === 'act-now' && entry.uploaded === false)).toBe(
      false,
    );
    expect(logs().filter((line) => /no room for recordings/.test(line.msg as string))).toHaveLength(1);
    // The running meeting's folders stay for its recorder; the ended one's empty folders are gone.
    expect(existsSync(join(dir, RECORDINGS_DIR, 'act-now', 'hall'))).toBe(true);
    expect(existsSync(join(dir, RECORDINGS_DIR, 'act-old'))).toBe(false);
    expect(existsSync(join(dir, RECORDINGS_DIR))).toBe(true);
    // Still no room, and the log does not repeat it at every pass.
    expect(pruner.prune()).toBe(false);
    expect(logs().filter((line) => /no room for recordings/.test(line.msg as string))).toHaveLength(1);
  });

  it('deletes a segment the county asked for (its upload queued) only after those nobody asked for, even newer ones', () => {
    const { journal, dir } = fixture;
    const asked = addSegment(journal, dir, { activityId: 'act-a', size: 100 * MB });
    const unasked = addSegment(journal, dir, { activityId: 'act-b', size: 100 * MB });
    markUploaded(journal, dir, asked, false);
    const { pruner } = makePruner(journal, dir, { quotaBytes: 150 * MB });
    expect(pruner.prune()).toBe(true);
    expect(stored()).toEqual([asked.path]);
    expect(prunedEntries(journal)).toEqual([objectContaining({ file: unasked.path, uploaded: false })]);
  });

  it('removes an ended meeting’s folders with the spent segment lists of its runs once its last segment is gone', () => {
    const { journal, dir } = fixture;
    const only = addSegment(journal, dir, { activityId: 'act-a', size: 10 * MB });
    const cameraDir = join(dir, RECORDINGS_DIR, 'act-a', 'hall');
    writeFileSync(join(cameraDir, 'r0001.csv'), `${only.path.split('/').at(-1)!},0.0,10.0\n`);
    markUploaded(journal, dir, only);
    const { pruner } = makePruner(journal, dir, { quotaBytes: 1 });
    expect(pruner.prune()).toBe(true);
    expect(existsSync(join(dir, RECORDINGS_DIR, 'act-a'))).toBe(false);
  });

  it('keeps free space at its floor, with free-space as the reason', () => {
    const { journal, dir } = fixture;
    const first = addSegment(journal, dir, { activityId: 'act-a', size: 10 * MB });
    const second = addSegment(journal, dir, { activityId: 'act-a', size: 10 * MB });
    markUploaded(journal, dir, first);
    markUploaded(journal, dir, second);
    const { pruner, state } = makePruner(journal, dir, { keepFreeBytes: 100 * MB });
    state.free = 95 * MB;
    expect(pruner.prune()).toBe(true);
    expect(stored()).toEqual([second.path]);
    expect(prunedEntries(journal)).toEqual([objectContaining({ file: first.path, reason: 'free-space' })]);
  });

  it('with no quota and enough free space deletes nothing', () => {
    twoMeetings();
    const { pruner } = makePruner(fixture.journal, fixture.dir, { quotaBytes: 0, keepFreeBytes: 10 * MB });
    expect(pruner.prune()).toBe(true);
    expect(stored()).toHaveLength(4);
    expect(prunedEntries(fixture.journal)).toEqual([]);
  });

  it('journals, at the next start, files a crash left deleted without their entry, uploaded as they were', () => {
    const { a1, a2 } = twoMeetings();
    // The crash came between the unlink (and the folder's fsync) and the entry.
    unlinkSync(join(fixture.dir, a1.path));
    unlinkSync(join(fixture.dir, a2.path));
    const journal = fixture.reopen();
    const { pruner, logs } = makePruner(journal, fixture.dir);
    pruner.recordMissing();
    expect(prunedEntries(journal)).toEqual([
      objectContaining({ file: a1.path, uploaded: false, reason: 'missing', sha256: a1.sha256 }),
      objectContaining({ file: a2.path, uploaded: true, reason: 'missing' }),
    ]);
    expect(stored()).toHaveLength(2);
    expect(
      logs()
        .filter((line) => line.level === 40)
        .map((line) => line.file),
    ).toEqual([a1.path, a2.path]);
    // Once only.
    pruner.recordMissing();
    expect(prunedEntries(journal)).toHaveLength(2);
  });

  it('never deletes a row whose path leads outside the recordings folder', () => {
    const { journal, dir } = fixture;
    const outside = addSegment(journal, dir, { activityId: 'act-a', size: 100 * MB });
    journal.db.prepare('UPDATE recording_segments SET path = ? WHERE path = ?').run('journal.sqlite', outside.path);
    const { pruner, logs } = makePruner(journal, dir, { quotaBytes: 1 });
    expect(pruner.prune()).toBe(false);
    expect(existsSync(join(dir, 'journal.sqlite'))).toBe(true);
    expect(prunedEntries(journal)).toEqual([]);
    expect(pruner.prune()).toBe(false);
    expect(logs().filter((line) => /outside/.test(line.msg as string))).toHaveLength(1);
  });
});
