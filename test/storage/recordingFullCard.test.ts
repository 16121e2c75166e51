import { readdirSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { callDaemon } from '../../src/control/client.js';
import type { JournalEntry } from '../../src/journal/types.js';
import { startRtspCamera, type RtspCamera } from '../../src/demo/rtspCamera.js';
import { openJournal, startDaemon, waitForControl, type DaemonProcess } from '../daemon/daemonProcess.js';
import { runCli } from '../helpers/cli.js';
import { until } from '../helpers/syncScenario.js';
import { cardRig } from './cardRig.js';
import { fillLeaving, freeFiller, type mountTmpfs } from './mounts.js';

const MIB = 1024 * 1024;
const CARD_BYTES = 64 * MIB;
const RESERVE_BYTES = 4 * MIB;
const MIN_FREE_BYTES = 4 * MIB;
/** What the recording may write before it must stop: some seconds of the test camera's main stream. */
const HEADROOM_BYTES = 1.5 * MIB;
const CAMERA = 'hall';

let camera: RtspCamera;
let rig: ReturnType<typeof cardRig>;
let card: ReturnType<typeof mountTmpfs> | undefined;
let daemon: DaemonProcess | undefined;

beforeAll(async () => {
  camera = await startRtspCamera({ variant: 'h264', user: 'admin', password: 'Card-pw-77' });
  const cameras = JSON.stringify([{ name: CAMERA, url: camera.url }]);
  rig = cardRig(
    'room-agent-rec-full-',
    `storage:\n  journalReserveBytes: ${RESERVE_BYTES}\nmedia:\n  minFreeBytes: ${MIN_FREE_BYTES}\n  recordingSegmentSeconds: 4\ncameras: ${cameras}\n`,
  );
  card = rig.mount(CARD_BYTES);
  await rig.recordFirst('before the meeting');
}, 120_000);

afterAll(async () => {
  if (daemon?.child.exitCode === null) await daemon.stop('SIGKILL');
  card?.unmount();
  rig.temp.cleanup();
  await camera.stop();
});

const free = (): number => {
  const stats = statfsSync(rig.dataDir);
  return stats.bavail * stats.bsize;
};

async function recordingState(): Promise<string | undefined> {
  return (await rig.status()).recorders.find((recording) => recording.camera === CAMERA)?.state;
}

function entries(): JournalEntry[] {
  const journal = openJournal(rig.dataDir, 'read');
  try {
    return journal.read(0, 100_000);
  } finally {
    journal.close();
  }
}

it('stops recording with its state before media reach the journal reserve, keeps its segments indexed, still records a sign-in, and records again once space is freed', async () => {
  daemon = startDaemon(rig.configPath);
  await waitForControl(rig.socketPath, daemon);
  const call = (method: string, params: unknown) => callDaemon(rig.socketPath, method, params, { timeoutMs: 30_000 });
  await call('members.add', { member: { memberId: 's-001', name: 'Secretary', role: 'secretary' }, operator: 'e2e' });
  await call('members.add', { member: { memberId: 'm-001', name: 'Member' }, operator: 'e2e' });
  const started = await rig.cli(
    'activity',
    'start',
    '--type',
    'branch-meeting',
    '--title',
    '支部党员大会',
    '--recording',
  );
  expect(started.code, started.stderr).toBe(0);
  await until(
    async () => (await recordingState()) === 'live',
    60_000,
    () => `recording live\n${daemon!.stdout()}`,
  );

  // The card fills up to a little above where media must stop; the recording eats the rest.
  fillLeaving(rig.dataDir, RESERVE_BYTES + MIN_FREE_BYTES + HEADROOM_BYTES);
  let lowest = free();
  await until(
    async () => {
      lowest = Math.min(lowest, free());
      return (await recordingState()) === 'no-space';
    },
    120_000,
    () => `recording no-space; free ${free()}\n${daemon!.stdout().split('\n').slice(-30).join('\n')}`,
  );
  // Its ffmpeg is gone and its last segment closed: free space stays where the stop left it.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  lowest = Math.min(lowest, free());
  expect(lowest).toBeGreaterThanOrEqual(RESERVE_BYTES);

  const status = await rig.status();
  const report = status.recorders.find((recording) => recording.camera === CAMERA)!;
  expect(report.detail).toMatch(/below storage.journalReserveBytes \+ media.minFreeBytes/);
  expect(status.services.find((service) => service.name === 'recordings')).toMatchObject({ state: 'degraded' });
  expect((await rig.cli('status')).stdout).toMatch(/no room for media: recording stopped/);
  expect((await runCli(['--lang', 'zh', 'status', '--config', rig.configPath])).stdout).toMatch(/空间不足，录像已停止/);

  // Every segment on the card is indexed: the one open at the stop was closed first.
  const segments = entries().filter(({ type }) => type === 'recording.segment');
  expect(segments.length).toBeGreaterThan(0);
  const activityId = (segments[0]!.payload as { activityId: string }).activityId;
  const folder = join(rig.dataDir, 'media', 'recordings', activityId, CAMERA);
  const files = readdirSync(folder).filter((name) => name.endsWith('.ts'));
  expect(segments.map(({ payload }) => (payload as { file: string }).file.split('/').at(-1)).sort()).toEqual(
    files.sort(),
  );
  expect(segments.every(({ payload }) => (payload as { truncated: boolean }).truncated === false)).toBe(true);

  // A sign-in still goes into the journal.
  const signIn = (await call('signin.manual', { memberId: 'm-001', confirmedBy: 's-001', operator: 'e2e' })) as {
    outcome: string;
  };
  expect(signIn.outcome).toBe('accepted');

  // Space freed (the pruner's or a technician's doing): recording goes on by itself, in a new run of files.
  freeFiller(rig.dataDir);
  await until(
    async () => (await recordingState()) === 'live',
    60_000,
    () => `recording live again`,
  );
  await until(
    () => readdirSync(folder).some((name) => name.startsWith('r0002-')),
    30_000,
    () => 'a new run of files after the space came back',
  );
  expect((await daemon.stop()).code).toBe(0);
  expect(entries().filter(({ type }) => type === 'signin.manual').length).toBeGreaterThanOrEqual(1);
}, 170_000);
