import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, expect } from 'vitest';
import type { CameraReport } from '../../src/cameras/types.js';
import type { ReceivedCommandReply } from '../../src/sync/protocol/messages.js';
import { roomTopics } from '../../src/sync/protocol/topics.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { retainedState, until, type SyncScenario } from '../helpers/syncScenario.js';

const run = promisify(execFile);

/** A probe, an ffmpeg start and its first frames at the media server: a few seconds on an idle machine. */
export const LIVE_TIMEOUT_MS = 40_000;
/** A camera's push reaches a state that a probe decides (failed, backoff with its problem). */
export const STATE_TIMEOUT_MS = 30_000;
/** Frames counted at the media server once a push is live. */
export const FRAMES_TIMEOUT_MS = 30_000;
/** A command's reply through the broker; camera.stream waits up to 15 s for the state it reports. */
export const REPLY_TIMEOUT_MS = 30_000;
/** How long ffprobe may take to read a live stream back from the media server. */
const RECEIVER_PROBE_TIMEOUT_MS = 30_000;
/** A fresh subscriber gets the retained health at once; this only bounds a broker that has none. */
const RETAINED_TIMEOUT_MS = 5_000;

/** Rigs (cameras, media servers) ended after each test, in reverse order of their start. */
export function useRigs(): <R extends { stop(): Promise<void> }>(rig: Promise<R>) => Promise<R> {
  const rigs: Array<{ stop(): Promise<void> }> = [];
  afterEach(async () => {
    for (const rig of rigs.splice(0).reverse()) await rig.stop();
  });
  return async (started) => {
    const rig = await started;
    rigs.push(rig);
    return rig;
  };
}

/** Polls status until camera `name` satisfies `done`; fails naming `what`, the camera's last report and the room's log. */
export async function waitForCamera(
  scenario: SyncScenario,
  name: string,
  what: string,
  done: (camera: CameraReport) => boolean,
  timeoutMs: number,
): Promise<CameraReport> {
  let last: CameraReport | undefined;
  await until(
    async () => {
      last = (await scenario.room.status()).cameras.find((camera) => camera.name === name);
      return last !== undefined && done(last);
    },
    timeoutMs,
    () => `camera ${name} ${what} (last report ${JSON.stringify(last)}); room log:\n${tail(scenario.room.output())}`,
  );
  return last!;
}

/** Sends a command from the center and resolves with the room's reply. */
export function command(
  scenario: SyncScenario,
  type: string,
  params: Record<string, unknown>,
): Promise<ReceivedCommandReply> {
  const center = scenario.center;
  if (center === undefined) throw new Error('no center started');
  return center.sendCommand(scenario.deviceId, type, params, { responseTimeoutMs: REPLY_TIMEOUT_MS });
}

/** The CLI against the room's running daemon (English unless `--lang` says otherwise); fails on a non-zero exit. */
export async function roomCli(scenario: SyncScenario, args: string[]): Promise<CliResult> {
  const result = await runCli([...args, '--config', scenario.room.configPath]);
  expect(result, `room-agent ${args.join(' ')}`).toMatchObject({ code: 0, stderr: '' });
  return result;
}

/** The health message the broker keeps for the room, as any subscriber gets it. */
export async function retainedHealth(scenario: SyncScenario): Promise<Record<string, unknown>> {
  const health = await retainedState(
    scenario.broker.url,
    roomTopics('county', scenario.deviceId).health,
    RETAINED_TIMEOUT_MS,
  );
  if (health === undefined) throw new Error('no retained health at the broker');
  return health;
}

/** Health is sent at most every 5 s, and at once on a camera's change: a second message is due within this. */
const HEALTH_TIMEOUT_MS = 20_000;

/** Waits until the retained health's cameras satisfy `done`; resolves with them. */
export async function waitForHealth(
  scenario: SyncScenario,
  what: string,
  done: (cameras: CameraReport[]) => boolean,
): Promise<CameraReport[]> {
  let cameras: CameraReport[] = [];
  await until(
    async () => done((cameras = ((await retainedHealth(scenario)).cameras ?? []) as CameraReport[])),
    HEALTH_TIMEOUT_MS,
    () => `health at the broker showing ${what} (cameras ${JSON.stringify(cameras)})`,
  );
  return cameras;
}

/** The codec of each stream ffprobe finds when it reads `url` (a live RTMP stream) back, e.g. { video: 'h264', audio: 'aac' }. */
export async function receivedCodecs(url: string): Promise<Record<string, string>> {
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-rw_timeout', '10000000', '-show_entries', 'stream=codec_type,codec_name', '-of', 'json', url],
    { timeout: RECEIVER_PROBE_TIMEOUT_MS },
  );
  const { streams } = JSON.parse(stdout) as { streams: Array<{ codec_type: string; codec_name: string }> };
  return Object.fromEntries(streams.map((stream) => [stream.codec_type, stream.codec_name]));
}

/**
 * Everything of the room a person or the county can read, by where it was read: the daemons'
 * output, every journal entry (payloads included) as sqlite holds it and as `journal export`
 * writes it, status (its lines in both languages and its JSON) and the health retained at the
 * broker.
 */
export async function everythingShown(scenario: SyncScenario): Promise<Record<string, string>> {
  const { room } = scenario;
  const [exported, statusEn, statusZh, statusJson, health] = await Promise.all([
    roomCli(scenario, ['journal', 'export']),
    roomCli(scenario, ['status', '--lang', 'en']),
    roomCli(scenario, ['status', '--lang', 'zh']),
    roomCli(scenario, ['status', '--json']),
    retainedHealth(scenario),
  ]);
  return {
    'daemon output': room.output(),
    'journal entries': journalText(scenario),
    'journal export': exported.stdout,
    'status (en)': statusEn.stdout,
    'status (zh)': statusZh.stdout,
    'status --json': statusJson.stdout,
    'retained health': JSON.stringify(health),
  };
}

/** Every entry of the room's journal (a test's few thousand at most), payloads included, as one text. */
export function journalText(scenario: SyncScenario): string {
  return JSON.stringify(scenario.room.readJournal(({ entries }) => entries(0, 100_000)));
}

/** Fails naming every place where one of `secrets` shows. */
export function expectNoSecrets(shown: Record<string, string>, secrets: readonly string[]): void {
  const found = Object.entries(shown).flatMap(([where, text]) =>
    secrets.filter((secret) => text.includes(secret)).map((secret) => `${secret} in ${where}`),
  );
  expect(found).toEqual([]);
}

function tail(text: string, lines = 40): string {
  return text.split('\n').slice(-lines).join('\n');
}
