import { rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRtspCamera, type RtspCamera } from '../../src/demo/rtspCamera.js';
import { startDaemon, waitForControl } from '../daemon/daemonProcess.js';
import { stringMatching } from '../helpers/matchers.js';
import { selfSignedCertificate } from '../helpers/certificates.js';
import { makeTempDir } from '../helpers/cli.js';
import { ModuleEmulator } from '../helpers/emulator.js';
import { freePort, type Mosquitto } from '../helpers/mosquitto.js';
import { doctorRoom, lineOf, startPasswordBroker } from './doctorRig.js';

/** room-agent doctor without a daemon: it opens the scanner itself and connects as <device.id>-doctor. */
const brokerDir = makeTempDir('room-agent-doctor-broker-');
let broker: Mosquitto;
let emulator: ModuleEmulator;
let camera: RtspCamera;
let room: ReturnType<typeof doctorRoom>;
let scannerYaml: string;
let camerasYaml: string;

beforeAll(async () => {
  const [started, module, rtsp] = await Promise.all([
    startPasswordBroker(brokerDir.dir),
    ModuleEmulator.start({ family: 'r30x', powerOnDelayMs: 0 }),
    startRtspCamera({ variant: 'h264', user: 'admin', password: 'cam-secret' }),
  ]);
  broker = started;
  emulator = module;
  camera = rtsp;
  scannerYaml = `scanner:\n  driver: r30x\n  path: ${emulator.path}`;
  camerasYaml = `cameras:\n  - name: door\n    url: ${camera.url}`;
  room = doctorRoom({ brokerUrl: broker.url, scanner: scannerYaml, sections: camerasYaml });
  // The standalone scanner.info works on the journal and module secrets a daemon's first start makes.
  const first = startDaemon(room.configPath);
  try {
    await waitForControl(room.socketPath, first);
  } finally {
    await first.stop();
  }
}, 120_000);

afterAll(async () => {
  await Promise.all([broker?.stop(), emulator?.stop(), camera?.stop()]);
  room?.temp.cleanup();
  brokerDir.cleanup();
});

describe('room-agent doctor without a daemon', () => {
  it('says ✔ for every check of a sound room, in order, and exits 0', async () => {
    const result = await room.doctor();
    expect(result.stderr).toBe('');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toEqual([
      `✔ configuration valid: ${room.configPath}`,
      stringMatching(
        new RegExp(`^✔ data folder ${room.dataDir} writable: .* free \\(reserve 64\\.0 MiB\\), \\d+ inodes free$`),
      ),
      stringMatching(
        /^✔ journal sound: chain seq \d+…\d+ intact, SQLite quick check ok; last full verification (none yet|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC)$/,
      ),
      '✔ clock synchronised (NTP server ntp.county.example 10.0.0.5)',
      '✔ power good, no throttling (get_throttled=0x0)',
      '✔ hardware watchdog watchdog0 (Broadcom BCM2835 Watchdog timer) active, timeout 15 s',
      stringMatching(/^✔ fingerprint module .* \(r30x\): capacity \d+, 0 enrolled, bound to this device$/),
      '– GPIO: not used (feedback.gpio false or no pins)',
      '✔ camera door: h264 640×360',
      stringMatching(new RegExp(`^✔ county broker ${broker.url.replace(/\./g, '\\.')} reached \\(\\d+ ms\\)$`)),
      '– client certificate: none (no county.certFile)',
      "– the center's round trip: needs the running daemon (the center answers the room's own session only, which the doctor never takes)",
      '✔ systemd unit room-agent: active/running, watchdog 30s, 0 restarts',
      'all checks passed',
    ]);
    expect(result.code).toBe(0);
    // Its own client id, a clean session: the room's session is never taken.
    expect(broker.log()).toMatch(/New client connected from .* as doctor-room-doctor \(p5, c1/);
  });

  it('in Chinese by default; on a bare console (TERM=linux) in English with ASCII marks', async () => {
    const zh = await room.doctor([], { ROOM_AGENT_LANG: 'zh' });
    expect(lineOf(zh.stdout, '✔ 配置有效')).toBe(`✔ 配置有效：${room.configPath}`);
    const bare = await room.doctor([], { ROOM_AGENT_LANG: 'zh', TERM: 'linux' });
    expect(lineOf(bare.stdout, '[OK] configuration')).toBe(`[OK] configuration valid: ${room.configPath}`);
    expect(lineOf(bare.stdout, '[--] GPIO')).toBe('[--] GPIO: not used (feedback.gpio false or no pins)');
    expect(bare.stdout).not.toMatch(/[✔✘–\u4e00-\u9fff]/);
  }, 120_000);

  it('names each injected fault with its ✘ line and fix, and exits 71', async () => {
    const faults: Array<{
      name: string;
      apply: () => void | Promise<void>;
      undo: () => void | Promise<void>;
      line: RegExp | string;
    }> = [
      {
        name: 'wrong broker password',
        apply: () => room.rewrite({ password: 'not-the-password' }),
        undo: () => room.rewrite(),
        line: new RegExp(
          `^✘ cannot reach the county broker ${escape(broker.url)} \\(auth: .*\\) — fix: auth: the broker refused the user name, password or client certificate; check them with the county$`,
        ),
      },
      {
        name: 'clock unsynced',
        apply: () => rmSync(room.flag),
        undo: () => writeFileSync(room.flag, ''),
        line: `✘ clock not synchronised (${room.flag} absent) (NTP server ntp.county.example 10.0.0.5) — fix: check that the NTP server can be reached: timedatectl timesync-status; set NTP= in /etc/systemd/timesyncd.conf if needed`,
      },
      {
        name: 'throttling 0x50005',
        apply: () => writeFileSync(join(room.sysDir, 'devices/platform/soc/soc:firmware/get_throttled'), '0x50005\n'),
        undo: () => writeFileSync(join(room.sysDir, 'devices/platform/soc/soc:firmware/get_throttled'), '0x0\n'),
        line: '✘ power or heat trouble (get_throttled=0x50005): under-voltage (now), throttled (now), under-voltage (since boot), throttled (since boot) — fix: use the official 5.1 V 3 A supply and a short, thick cable; for throttling improve cooling (heatsink, fan, airflow)',
      },
      {
        name: 'bad camera URL',
        apply: () =>
          room.rewrite({
            sections: `cameras:\n  - name: door\n    url: ${camera.url.replace('cam-secret', 'wrong-secret')}`,
          }),
        undo: () => room.rewrite(),
        line: new RegExp(
          `^✘ camera door \\(rtsp://admin:\\*\\*\\*@127\\.0\\.0\\.1:${camera.port}/main\\) cannot be read — fix: .*password.*$`,
        ),
      },
      {
        name: 'malformed camera URL',
        apply: () =>
          room.rewrite({ sections: `cameras:\n  - name: door\n    url: ${camera.url.replace('rtsp://', 'rtsp//')}` }),
        undo: () => room.rewrite(),
        line: `✘ configuration invalid: cameras[0].url: "rtsp//admin:***@127.0.0.1:${camera.port}/main" is not an rtsp:// URL — fix: correct the configuration file as room-agent config check lists`,
      },
      {
        name: 'unreachable camera',
        apply: async () =>
          room.rewrite({
            sections: `cameras:\n  - name: door\n    url: rtsp://admin:cam-secret@127.0.0.1:${await freePort()}/main`,
          }),
        undo: () => room.rewrite(),
        line: /^✘ camera door \(rtsp:\/\/admin:\*\*\*@127\.0\.0\.1:\d+\/main\) cannot be read — fix: the camera cannot be reached: check its power, its cable and the IP address and port in the configuration \(RTSP is usually 554\)$/,
      },
      {
        name: 'no scanner',
        apply: () =>
          room.rewrite({ scanner: `scanner:\n  driver: r30x\n  path: ${join(room.temp.dir, 'no-such-port')}` }),
        undo: () => room.rewrite(),
        line: noScannerLine(join(room.temp.dir, 'no-such-port')),
      },
    ];
    for (const fault of faults) {
      await fault.apply();
      try {
        const result = await room.doctor();
        const failed = result.stdout.split('\n').filter((line) => line.startsWith('✘'));
        expect(failed, `${fault.name}:\n${result.stdout}`).toEqual([
          typeof fault.line === 'string' ? fault.line : stringMatching(fault.line),
        ]);
        expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('checks failed: 1 (exit code 71)');
        expect(result.code, fault.name).toBe(71);
        expect(result.stdout).not.toMatch(/wrong-secret|cam-secret/);
      } finally {
        await fault.undo();
      }
    }
  }, 240_000);

  it('--json prints the same checks', async () => {
    const { code, report } = await room.report();
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.checks.map((check) => [check.id, check.status])).toEqual([
      ['config', 'ok'],
      ['storage', 'ok'],
      ['journal', 'ok'],
      ['clock', 'ok'],
      ['board', 'ok'],
      ['watchdog:watchdog0', 'ok'],
      ['scanner', 'ok'],
      ['gpio', 'na'],
      ['camera:door', 'ok'],
      ['county', 'ok'],
      ['certificate', 'na'],
      ['center', 'na'],
      ['unit', 'ok'],
    ]);
  });
});

/**
 * Rooms of their own (no scanner or camera unless the test adds one), so that these run at once:
 * most of their time is a broker's timeout or a module's power-on, not the machine's.
 */
describe.concurrent('room-agent doctor without a daemon, a room each', () => {
  it('before the daemon’s first start it opens the scanner itself: model, capacity, enrolled count, not bound yet', async ({
    onTestFinished,
  }) => {
    const fresh = await ModuleEmulator.start({ family: 'r30x', capacity: 300, powerOnDelayMs: 0 });
    onTestFinished(() => fresh.stop());
    await fresh.storeTemplate(7, 'alice-right-index');
    const own = doctorRoom({ brokerUrl: broker.url, scanner: `scanner:\n  driver: r30x\n  path: ${fresh.path}` });
    onTestFinished(() => own.temp.cleanup());

    const result = await own.doctor();
    expect(result.stderr).toBe('');
    expect(lineOf(result.stdout, '– journal')).toBe(
      '– journal: not created yet (the daemon creates it when it first starts)',
    );
    expect(lineOf(result.stdout, '✔ fingerprint module')).toMatch(
      /^✔ fingerprint module .+ \(r30x\): capacity 300, 1 enrolled, not bound yet \(the daemon binds it at its first start\)$/,
    );
    expect(result.code, result.stdout).toBe(0);

    const missing = join(own.temp.dir, 'no-such-port');
    own.rewrite({ scanner: `scanner:\n  driver: r30x\n  path: ${missing}` });
    const absent = await own.doctor();
    expect(absent.stdout.split('\n').filter((line) => line.startsWith('✘'))).toEqual([noScannerLine(missing)]);
    expect(absent.code).toBe(71);
  }, 120_000);

  it('a certificate expiring in 10 days is ✘ with the date', async ({ onTestFinished }) => {
    // TLS files need a TLS URL (config check refuses them with mqtt://); nothing listens there,
    // and the certificate check reads the file whatever the broker does.
    const own = doctorRoom({ brokerUrl: `mqtts://127.0.0.1:${await freePort()}` });
    onTestFinished(() => own.temp.cleanup());
    const certFile = join(own.temp.dir, 'client.crt');
    const keyFile = join(own.temp.dir, 'client.key');
    selfSignedCertificate({ certFile, keyFile, subject: '/CN=doctor-room', days: 10 });
    own.rewrite({ county: [`certFile: ${certFile}`, `keyFile: ${keyFile}`] });
    const result = await own.doctor();
    expect(lineOf(result.stdout, '✘ certificate')).toMatch(
      /^✘ certificate trouble: client certificate expires in (9|10) days \(\d{4}-\d\d-\d\d\) — fix: ask the county for a new certificate and replace county\.certFile \/ county\.keyFile \(due within 30 days\)$/,
    );
    expect(result.code).toBe(71);
  }, 120_000);

  it('a broker down is ✘ with its cause', async ({ onTestFinished }) => {
    const closedPort = await freePort();
    const own = doctorRoom({ brokerUrl: `mqtt://127.0.0.1:${closedPort}` });
    onTestFinished(() => own.temp.cleanup());
    const down = await own.doctor();
    expect(lineOf(down.stdout, '✘ cannot reach')).toBe(
      `✘ cannot reach the county broker mqtt://127.0.0.1:${closedPort} (tcp: 127.0.0.1:${closedPort}: ECONNREFUSED) — fix: TCP: the connection was refused or timed out; check the port in the URL, the uplink (4G) and firewalls`,
    );
    expect(down.code).toBe(71);
  }, 120_000);

  it('a broker that accepts and never answers costs no more than the check’s timeout', async ({ onTestFinished }) => {
    const sockets: Socket[] = [];
    let connectedAt: number | undefined;
    const hung: Server = createServer((socket) => {
      connectedAt ??= performance.now();
      sockets.push(socket);
    });
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => {
      for (const socket of sockets) socket.destroy();
      hung.close();
    });
    const port = (hung.address() as { port: number }).port;
    const own = doctorRoom({ brokerUrl: `mqtt://127.0.0.1:${port}` });
    onTestFinished(() => own.temp.cleanup());
    const result = await own.doctor();
    expect(lineOf(result.stdout, '✘ cannot reach')).toMatch(
      new RegExp(
        `^✘ cannot reach the county broker mqtt://127\\.0\\.0\\.1:${port} \\(timeout: .*\\) — fix: the broker accepted the connection but did not answer MQTT`,
      ),
    );
    expect(result.code).toBe(71);
    // From the check's connection to the doctor's end: the broker's 10 s and no more (the other
    // checks of this room answer at once). Measured from the connection, not the process's start,
    // which a loaded machine makes as slow as it likes.
    const afterConnect = performance.now() - connectedAt!;
    expect(afterConnect).toBeGreaterThan(9_000);
    expect(afterConnect).toBeLessThan(15_000);
  }, 120_000);
});

/** The ✘ line of a scanner.path where no device is. */
function noScannerLine(path: string): string {
  return `✘ no fingerprint module answers (${path}): cannot open ${path}: no such device. Is the scanner plugged in? List /dev/serial/by-id/ and /dev/serial/by-path/ and set scanner.path to the entry for it — fix: check the module's cable and power and scanner.path; then run room-agent scanner info`;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
