import { existsSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityStore } from '../../src/activities/store.js';
import { statusSchema, type Status } from '../../src/app/statusMethod.js';
import { RECORDINGS_DIR, type SegmentRow } from '../../src/cameras/recording/segments.js';
import { addSegment, markUploaded, prunedEntries } from '../cameras/recording/segmentRig.js';
import { openJournal, startDaemon, waitForControl, writeConfig, type DaemonProcess } from '../daemon/daemonProcess.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { objectContaining, stringMatching } from '../helpers/matchers.js';

const MB = 1024 * 1024;

/**
 * A data directory with recordings above their quota before the daemon starts: an ended meeting
 * (a1 not uploaded, a2 uploaded, a3 uploaded but its file gone: a power cut between its deletion
 * and its entry) and the running one (r1 not uploaded, r2 uploaded), 100 MB each by their rows.
 */
describe('a daemon started on recordings above their quota', () => {
  const temp = makeTempDir('room-agent-recquota-');
  const { configPath, dataDir, socketPath } = writeConfig(temp.dir, `media:\n  recordingQuotaBytes: ${150 * MB}\n`);
  const cli = (...args: string[]) => runCli([...args, '--config', configPath], { timeoutMs: 30_000 });
  let daemon: DaemonProcess | undefined;
  let segments: Record<'a1' | 'a2' | 'a3' | 'r1' | 'r2', SegmentRow>;

  beforeAll(() => {
    const journal = openJournal(dataDir, 'create');
    try {
      const add = (activityId: string) => addSegment(journal, dataDir, { activityId, size: 100 * MB });
      const a1 = add('act-ended');
      const a2 = add('act-ended');
      const a3 = add('act-ended');
      const running = new ActivityStore(journal).start(
        { type: 'theme-party-day', title: 'recorded now', photos: 0, recording: true },
        'cli',
      );
      const r1 = add(running.id);
      const r2 = add(running.id);
      for (const uploaded of [a2, a3, r2]) markUploaded(journal, dataDir, uploaded);
      unlinkSync(join(dataDir, a3.path));
      segments = { a1, a2, a3, r1, r2 };
    } finally {
      journal.close();
    }
  });

  afterAll(async () => {
    if (daemon?.child.exitCode === null) await daemon.stop('SIGKILL');
    temp.cleanup();
  });

  async function status(): Promise<Status> {
    const result = await cli('status', '--json');
    expect(result.code, result.stderr).toBe(0);
    return statusSchema.parse(JSON.parse(result.stdout));
  }

  it('deletes the uploaded segments, then the ended meeting’s, never the running one’s unuploaded, and raises the alarm', async () => {
    daemon = startDaemon(configPath);
    await waitForControl(socketPath, daemon);
    let seen = await status();
    // The first pass runs right after start; the bound only catches one that never comes.
    const deadline = Date.now() + 30_000;
    while (seen.recordings.segments !== 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      seen = await status();
    }
    expect(seen.recordings).toEqual({
      storedBytes: 100 * MB,
      segments: 1,
      notUploaded: 1,
      quotaBytes: 150 * MB,
      lost: objectContaining({ count: 1, activityId: 'act-ended', camera: 'hall', index: 1, reason: 'quota' }),
    });
    expect(seen.services.find((service) => service.name === 'recording-storage')).toEqual({
      name: 'recording-storage',
      state: 'degraded',
      detail: stringMatching(/deleted before it was uploaded \(quota\).*activity act-ended/),
    });
    const text = await cli('status', '--lang', 'en');
    expect(text.stdout).toMatch(/^recordings: 1 segments, 100\.0 MiB \(quota 150\.0 MiB\), 1 not yet uploaded$/m);
    expect(text.stdout).toMatch(/^ALARM: 1 recording segment\(s\) deleted before they were uploaded/m);

    expect((await daemon.stop()).code).toBe(0);
    // Without a daemon, status reads the same from the journal.
    const standalone = await status();
    expect(standalone.daemon).toBeNull();
    expect(standalone.recordings).toEqual(seen.recordings);
    const { a1, a2, a3, r1, r2 } = segments;
    expect([a1, a2, r1, r2].map((segment) => existsSync(join(dataDir, segment.path)))).toEqual([
      false,
      false,
      true,
      false,
    ]);
    // The ended meeting's folders are gone with its last segment; the running meeting's stay.
    expect(existsSync(join(dataDir, RECORDINGS_DIR, 'act-ended'))).toBe(false);
    expect(existsSync(join(dataDir, RECORDINGS_DIR, r1.activityId, 'hall'))).toBe(true);
    const journal = openJournal(dataDir, 'read');
    try {
      expect(prunedEntries(journal)).toEqual([
        objectContaining({ file: a3.path, uploaded: true, reason: 'missing' }),
        objectContaining({ file: a2.path, uploaded: true, reason: 'quota' }),
        objectContaining({ file: r2.path, uploaded: true, reason: 'quota' }),
        // The entry's every field is the pruner test's business; here: which segment went, and why.
        objectContaining({ file: a1.path, uploaded: false, reason: 'quota', sha256: a1.sha256 }),
      ]);
      expect(journal.verify('full').ok).toBe(true);
    } finally {
      journal.close();
    }
  }, 120_000);
});
