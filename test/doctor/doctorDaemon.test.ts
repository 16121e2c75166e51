import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusSchema } from '../../src/app/statusMethod.js';
import { CountyCenter } from '../../src/center/countyCenter.js';
import { callDaemon } from '../../src/control/client.js';
import { doctorReportSchema } from '../../src/sync/protocol/doctorReport.js';
import { startDaemon, waitForControl, type DaemonProcess } from '../daemon/daemonProcess.js';
import { arrayContaining, objectContaining, stringContaining, stringMatching } from '../helpers/matchers.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { ModuleEmulator } from '../helpers/emulator.js';
import { tamper } from '../journal/helpers.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { DEVICE_ID, doctorRoom, lineOf, PASSWORD } from './doctorRig.js';

/**
 * room-agent doctor beside a running daemon and the reference center: it asks the daemon for what
 * the daemon owns (the scanner's port, the county session) and never takes either, times the
 * center's answer to a round trip, and the center's agent.diagnostics carries the same checks.
 */
const brokerDir = makeTempDir('room-agent-doctor-broker-');
const CENTER_PASSWORD = 'center-secret';
let broker: Mosquitto;
let emulator: ModuleEmulator;
let room: ReturnType<typeof doctorRoom>;
let daemon: DaemonProcess | undefined;
let center: CountyCenter | undefined;

function startCenter(): Promise<CountyCenter> {
  return CountyCenter.start({
    broker: { url: broker.url, username: 'county-center', password: CENTER_PASSWORD },
    dbFile: join(brokerDir.dir, 'center.sqlite'),
    clientId: 'doctor-test-center',
  });
}

async function status() {
  return statusSchema.parse(await callDaemon(room.socketPath, 'status', {}, { timeoutMs: 10_000 }));
}

/** Runs the doctor until one of its lines starts with `start` (the center reconnecting takes its time). */
async function waitForDoctorLine(start: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const result = await room.doctor();
    if (result.stdout.split('\n').some((line) => line.startsWith(start))) return;
    if (Date.now() > deadline) throw new Error(`no doctor line starting "${start}" in:\n${result.stdout}`);
  }
}

/** Polls the daemon's status until `ready` holds: the link up, a full verification recorded… */
async function waitForStatus(ready: (s: Awaited<ReturnType<typeof status>>) => boolean, what: string) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const current = await status();
    if (ready(current)) return current;
    if (Date.now() > deadline) throw new Error(`never ${what}: ${JSON.stringify(current)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  const passwords = join(brokerDir.dir, 'passwd');
  execFileSync('mosquitto_passwd', ['-c', '-b', passwords, DEVICE_ID, PASSWORD]);
  execFileSync('mosquitto_passwd', ['-b', passwords, 'county-center', CENTER_PASSWORD]);
  [broker, emulator] = await Promise.all([
    startMosquitto({ extraConfig: ['allow_anonymous false', `password_file ${passwords}`] }),
    ModuleEmulator.start({ family: 'r30x', powerOnDelayMs: 0 }),
  ]);
  center = await startCenter();
  room = doctorRoom({ brokerUrl: broker.url, scanner: `scanner:\n  driver: r30x\n  path: ${emulator.path}` });
  daemon = startDaemon(room.configPath);
  await waitForControl(room.socketPath, daemon);
  await runCli(['note', 'before the doctor', '--config', room.configPath]);
  await waitForStatus(
    (s) =>
      s.sync.link.state === 'connected' &&
      s.sync.cursor !== null &&
      s.journal.verification.lastFull !== null &&
      s.services.some((service) => service.name === 'scanner' && service.state === 'ok'),
    'connected, acknowledged, verified and with its scanner',
  );
}, 120_000);

afterAll(async () => {
  if (daemon !== undefined && daemon.child.exitCode === null) await daemon.stop();
  await center?.stop();
  await Promise.all([broker?.stop(), emulator?.stop()]);
  room?.temp.cleanup();
  brokerDir.cleanup();
});

describe('room-agent doctor with the daemon running', () => {
  it('asks the daemon for the scanner and the link, times the center’s round trip, opens no session of its own, and a command queued meanwhile still reaches the daemon', async () => {
    const doctor = room.doctor();
    const diagnostics = center!.sendCommand(DEVICE_ID, 'agent.diagnostics', {}, { responseTimeoutMs: 60_000 });
    const result = await doctor;

    expect(result.stderr).toBe('');
    expect(result.stdout.trimEnd().split('\n')).toEqual([
      `✔ configuration valid: ${room.configPath}`,
      stringMatching(
        new RegExp(`^✔ data folder ${room.dataDir} writable: .* free \\(reserve 64\\.0 MiB\\), \\d+ inodes free$`),
      ),
      stringMatching(
        /^✔ journal sound: chain seq \d+…\d+ intact, SQLite quick check ok; last full verification \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/,
      ),
      '✔ clock synchronised (NTP server ntp.county.example 10.0.0.5)',
      '✔ power good, no throttling (get_throttled=0x0)',
      '✔ hardware watchdog watchdog0 (Broadcom BCM2835 Watchdog timer) active, timeout 15 s',
      stringMatching(/^✔ fingerprint module .* \(r30x\): capacity \d+, 0 enrolled, bound to this device$/),
      '– GPIO: not used (feedback.gpio false or no pins)',
      '– cameras: none configured',
      stringMatching(
        new RegExp(
          `^✔ county broker mqtt://127\\.0\\.0\\.1:${broker.port}: the daemon's link is connected \\(since .+\\)$`,
        ),
      ),
      '– client certificate: none (no county.certFile)',
      stringMatching(
        /^✔ the center answered in \d+ ms; acknowledged through seq \d+ \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\), \d+ waiting$/,
      ),
      '✔ systemd unit room-agent: active/running, watchdog 30s, 0 restarts',
      'all checks passed',
    ]);
    expect(result.code, result.stdout).toBe(0);
    // No connection under the doctor's id: the room's session stayed the daemon's.
    expect(broker.log()).not.toContain(`${DEVICE_ID}-doctor`);

    const reply = await diagnostics;
    expect(reply).toMatchObject({ deviceId: DEVICE_ID, status: 'done' });
    const report = doctorReportSchema.parse((reply as unknown as { result: { doctor: unknown } }).result.doctor);
    expect(report.checks).toEqual(
      arrayContaining([
        objectContaining({ id: 'journal', status: 'ok' }),
        objectContaining({
          id: 'county',
          status: 'ok',
          text: stringContaining("the daemon's link is connected"),
        }),
        objectContaining({ id: 'scanner', status: 'ok' }),
        objectContaining({ id: 'center', status: 'ok', text: stringMatching(/^the center answered in \d+ ms;/) }),
      ]),
    );
  }, 120_000);

  it('a center that does not answer is ✘ after the round trip’s 5 s, with the fix, and exits 71', async () => {
    await center!.stop();
    center = undefined;
    try {
      const result = await room.doctor();
      const failed = result.stdout.split('\n').filter((line) => line.startsWith('✘'));
      expect(failed, result.stdout).toEqual([
        stringMatching(
          /^✘ the center did not answer within 5 s \(\d+ waiting\) — fix: the link is up but the center does not answer: ask the county to check that the center runs and is connected to the broker, and this room's registered key$/,
        ),
      ]);
      expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('checks failed: 1 (exit code 71)');
      expect(result.code).toBe(71);
    } finally {
      center = await startCenter();
    }
    // The center back: the same round trip is answered again.
    await waitForDoctorLine('✔ the center answered in');
  }, 120_000);

  it('the broker down: the daemon’s link is ✘ with the fix, the round trip is not tried, and it exits 71', async () => {
    await broker.pause();
    try {
      await waitForStatus((s) => s.sync.link.state !== 'connected', 'without its link');
      const result = await room.doctor();
      const port = String(broker.port);
      expect(
        result.stdout.split('\n').filter((line) => line.startsWith('✘')),
        `${result.stdout}${result.stderr}`,
      ).toEqual([
        stringMatching(
          new RegExp(
            `^✘ county broker mqtt://127\\.0\\.0\\.1:${port}: the daemon's link is (disconnected|connecting)(: .+)? — fix: check the uplink \\(4G\\), county\\.url, the user name and password; see journalctl -u room-agent$`,
          ),
        ),
      ]);
      expect(lineOf(result.stdout, "– the center's round trip")).toMatch(
        /^– the center's round trip: not tried, the daemon's link is (disconnected|connecting) \(see the county broker line\)$/,
      );
      expect(result.code).toBe(71);
    } finally {
      await broker.start();
    }
  }, 120_000);

  it('a journal byte changed after the last full verification is ✘ with the seq, the verification’s time and the fix', async () => {
    const before = await status();
    const lastFull = before.journal.verification.lastFull!;
    expect(lastFull.broken).toBeNull();
    await daemon!.stop();
    // One byte of the entry's recorded time: what an edit of the file by hand would do.
    tamper(room.dataDir, (db) =>
      expect(db.prepare('UPDATE events SET wall_ms = wall_ms + 1 WHERE seq = 2').run().changes).toBe(1),
    );
    const result = await room.doctor();
    expect(lineOf(result.stdout, '✘ journal')).toMatch(
      new RegExp(
        `^✘ journal chain broken at seq 2: .* \\(last full verification \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC, seq ${lastFull.checkedFrom}…${lastFull.checkedTo} sound then\\) — fix: the journal was changed after it was verified: leave the file alone, run room-agent journal verify and hand a copy of the data folder to the county$`,
      ),
    );
    expect(result.code).toBe(71);
  }, 60_000);
});
