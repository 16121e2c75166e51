import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusSchema } from '../../src/app/statusMethod.js';
import { callDaemon } from '../../src/control/client.js';
import { doctorReportSchema } from '../../src/sync/protocol/doctorReport.js';
import { startDaemon, waitForControl, type DaemonProcess } from '../daemon/daemonProcess.js';
import { arrayContaining, objectContaining, stringContaining } from '../helpers/matchers.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { ModuleEmulator } from '../helpers/emulator.js';
import { tamper } from '../journal/helpers.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { DEVICE_ID, doctorRoom, lineOf, PASSWORD } from './doctorRig.js';

/**
 * room-agent doctor beside a running daemon: it asks the daemon for what the daemon owns (the
 * scanner's port, the county session) and never takes either; the center's agent.diagnostics
 * carries the same checks.
 */
const brokerDir = makeTempDir('room-agent-doctor-broker-');
const CENTER_PASSWORD = 'center-secret';
let broker: Mosquitto;
let emulator: ModuleEmulator;
let room: ReturnType<typeof doctorRoom>;
let daemon: DaemonProcess | undefined;

async function status() {
  return statusSchema.parse(await callDaemon(room.socketPath, 'status', {}, { timeoutMs: 10_000 }));
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
  room = doctorRoom({ brokerUrl: broker.url, scanner: `scanner:\n  driver: r30x\n  path: ${emulator.path}` });
  daemon = startDaemon(room.configPath);
  await waitForControl(room.socketPath, daemon);
  await runCli(['note', 'before the doctor', '--config', room.configPath]);
  await waitForStatus(
    (s) =>
      s.sync.link.state === 'connected' &&
      s.journal.verification.lastFull !== null &&
      s.services.some((service) => service.name === 'scanner' && service.state === 'ok'),
    'connected, verified and with its scanner',
  );
}, 120_000);

afterAll(async () => {
  if (daemon !== undefined && daemon.child.exitCode === null) await daemon.stop();
  await Promise.all([broker?.stop(), emulator?.stop()]);
  room?.temp.cleanup();
  brokerDir.cleanup();
});

describe('room-agent doctor with the daemon running', () => {
  it('asks the daemon for the scanner and the link, opens no session of its own, and a command queued meanwhile still reaches the daemon', async () => {
    const center = await mqtt.connectAsync(broker.url, {
      username: 'county-center',
      password: CENTER_PASSWORD,
      protocolVersion: 5,
      clientId: 'doctor-test-center',
    });
    try {
      const replies: Array<Record<string, unknown>> = [];
      await center.subscribeAsync(`county/rooms/${DEVICE_ID}/out/replies`, { qos: 1 });
      center.on('message', (_topic, payload) =>
        replies.push(JSON.parse(payload.toString()) as Record<string, unknown>),
      );
      const doctor = room.doctor();
      const id = Date.now();
      await center.publishAsync(
        `county/rooms/${DEVICE_ID}/in/cmd`,
        JSON.stringify({ v: 1, id, deviceId: DEVICE_ID, type: 'agent.diagnostics', params: {} }),
        { qos: 1, properties: { responseTopic: `county/rooms/${DEVICE_ID}/out/replies` } },
      );
      const result = await doctor;

      expect(result.stderr).toBe('');
      expect(lineOf(result.stdout, '✔ fingerprint module')).toMatch(
        /^✔ fingerprint module .* \(r30x\): capacity \d+, 0 enrolled, bound to this device$/,
      );
      expect(lineOf(result.stdout, '✔ county broker')).toMatch(
        new RegExp(
          `^✔ county broker mqtt://127\\.0\\.0\\.1:${broker.port}: the daemon's link is connected \\(since .+\\)$`,
        ),
      );
      expect(lineOf(result.stdout, '✔ the center')).toMatch(
        /^✔ the center has acknowledged nothing yet \(\d+ waiting\)$/,
      );
      expect(lineOf(result.stdout, '– cameras')).toBe('– cameras: none configured');
      expect(result.code, result.stdout).toBe(0);
      // No connection under the doctor's id: the room's session stayed the daemon's.
      expect(broker.log()).not.toContain(`${DEVICE_ID}-doctor`);

      const deadline = Date.now() + 60_000;
      while (replies.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(replies).toEqual([objectContaining({ commandId: id, status: 'done' })]);
      const reply = replies[0] as { result: { doctor: unknown } };
      const report = doctorReportSchema.parse(reply.result.doctor);
      expect(report.checks).toEqual(
        arrayContaining([
          objectContaining({ id: 'journal', status: 'ok' }),
          objectContaining({
            id: 'county',
            status: 'ok',
            text: stringContaining("the daemon's link is connected"),
          }),
          objectContaining({ id: 'scanner', status: 'ok' }),
        ]),
      );
    } finally {
      await center.endAsync();
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
