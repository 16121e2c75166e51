import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { until, useSyncScenario } from '../helpers/syncScenario.js';
import {
  CAMERA,
  decodeErrors,
  endMeeting,
  fileDigest,
  journal,
  LIVE_TIMEOUT_MS,
  segmentEntries,
  segmentRows,
  startRecordedMeeting,
  useRecordingRoom,
  waitForRecordingState,
  waitForSegments,
} from './recordingRoom.js';

const open = useSyncScenario();
const recordingRoom = useRecordingRoom(open);

/** Into the open segment when the agent is killed: well inside a 10 s segment. */
const INTO_SEGMENT_MS = 5_000;

it('indexes the segment a SIGKILLed agent left open as truncated, cut to where it plays cleanly, and resumes recording the meeting after the restart', async () => {
  const { scenario } = await recordingRoom();
  const activityId = await startRecordedMeeting(scenario);
  await waitForRecordingState(scenario, 'live', LIVE_TIMEOUT_MS);
  const before = await waitForSegments(scenario, activityId, 2, 60_000);
  await new Promise((resolve) => setTimeout(resolve, INTO_SEGMENT_MS));

  await scenario.room.kill();
  const folder = join(scenario.room.dataDir, 'media', 'recordings', activityId, CAMERA);
  const indexed = new Set(segmentEntries(scenario, activityId).map((segment) => segment.file.split('/').at(-1)));
  const left = readdirSync(folder).filter((name) => name.endsWith('.ts') && !indexed.has(name));
  expect(left, 'the one segment the kill left open').toHaveLength(1);
  const openFile = left[0]!;
  const openSize = statSync(join(folder, openFile)).size;
  expect(openSize).toBeGreaterThan(0);

  await scenario.room.start();
  const recovered = await waitForSegments(scenario, activityId, before.length + 1, 30_000);
  const cut = segmentEntries(scenario, activityId).find((segment) => segment.file.endsWith(`/${openFile}`));
  expect(cut, `the open segment ${openFile} indexed; have ${recovered.map((s) => s.file).join(', ')}`).toBeDefined();
  expect(cut!.truncated).toBe(true);
  expect(cut!.size).toBeLessThanOrEqual(openSize);
  expect(cut!.size % 188).toBe(0);
  expect(cut!.durationMs).toBeGreaterThan(1_000);
  expect(fileDigest(scenario, cut!.file)).toEqual({ size: cut!.size, sha256: cut!.sha256 });
  expect(await decodeErrors(join(scenario.room.dataDir, cut!.file))).toBe('');

  // The meeting still runs: its recording goes on in a new run of files, numbered after the cut one.
  await waitForRecordingState(scenario, 'live', LIVE_TIMEOUT_MS);
  const resumed = await waitForSegments(scenario, activityId, cut!.index + 1, 60_000);
  const after = resumed.filter((segment) => segment.index > cut!.index);
  expect(after[0]!.file.split('/').at(-1)).toMatch(/^r0002-00000\.ts$/);
  expect(after[0]!.truncated).toBe(false);
  expect(await decodeErrors(join(scenario.room.dataDir, after[0]!.file))).toBe('');
  await endMeeting(scenario);
  await waitForRecordingState(scenario, 'idle', 30_000);
  // The last segment closes as the recording ends: it is indexed a moment after the state says idle.
  const segmentFiles = (): number => readdirSync(folder).filter((name) => name.endsWith('.ts')).length;
  await until(
    () => segmentEntries(scenario, activityId).length === segmentFiles(),
    30_000,
    () => `every segment file indexed (${segmentEntries(scenario, activityId).length} of ${segmentFiles()})`,
  );

  const all = segmentEntries(scenario, activityId);
  expect(all.map((segment) => segment.index)).toEqual(all.map((_, index) => index + 1));
  expect(segmentRows(scenario, activityId).map((row) => row.path)).toEqual(all.map((segment) => segment.file));
  expect(all.filter((segment) => segment.truncated).map((segment) => segment.file)).toEqual([cut!.file]);
  expect(readdirSync(folder).filter((name) => name.endsWith('.damaged'))).toEqual([]);
  expect(journal(scenario).filter(({ type }) => type === 'agent.started')).toHaveLength(2);
});
