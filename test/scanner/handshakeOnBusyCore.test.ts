import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { callDaemon } from '../../src/control/client.js';
import { makeTempDir } from '../helpers/cli.js';
import { ModuleEmulator } from '../helpers/emulator.js';
import { logLines, startDaemon, waitForControl, writeConfig, type DaemonProcess } from '../daemon/daemonProcess.js';

/** The core the daemon shares with the busy loops. */
const CORE = '0';
/** With four loops beside it the daemon gets a fifth of the core: loading mqtt.js alone takes over a second. */
const BUSY_LOOPS = 4;

interface Status {
  services: Array<{ name: string; state: string; detail?: string }>;
}

async function scannerDetail(socketPath: string): Promise<string> {
  const status = (await callDaemon(socketPath, 'status', {}, { timeoutMs: 10_000 })) as Status;
  return status.services.find((service) => service.name === 'scanner')?.detail ?? '';
}

/**
 * A Pi at boot, played by one core shared with busy loops: the daemon's start-up work (loading
 * mqtt.js, hundreds of files) takes longer than a reply timeout. The GT-521F module's answer to
 * the speed switch comes at once; it must be taken, not declared missing (fault light, beeps and
 * a power cycle at every boot).
 */
describe('the GT-521F handshake of a daemon on a busy core', () => {
  const started: Array<{ stop(): Promise<unknown> }> = [];
  afterEach(async () => {
    for (const item of started.splice(0).reverse()) await item.stop();
  });

  function busyLoop(): ChildProcess {
    const loop = spawn('taskset', ['-c', CORE, process.execPath, '-e', 'for (;;) {}'], { stdio: 'ignore' });
    started.push({
      async stop() {
        if (loop.exitCode !== null || loop.signalCode !== null) return;
        loop.kill('SIGKILL');
        await once(loop, 'exit');
      },
    });
    return loop;
  }

  it('takes the module’s prompt answer to ChangeBaudrate and connects at the first attempt', async () => {
    const temp = makeTempDir('room-agent-busy-core-');
    started.push({ stop: () => Promise.resolve(temp.cleanup()) });
    const emulator = await ModuleEmulator.start({ family: 'gt521', powerOnDelayMs: 0 });
    started.push(emulator);
    const { configPath, socketPath } = writeConfig(
      temp.dir,
      `scanner:\n  driver: gt521\n  path: ${emulator.path}\n  baudRate: 115200\n`,
    );
    for (let index = 0; index < BUSY_LOOPS; index += 1) busyLoop();

    const daemon: DaemonProcess = startDaemon(configPath);
    started.push({ stop: () => (daemon.child.exitCode === null ? daemon.stop() : Promise.resolve()) });
    // Every thread of the daemon (libuv's pool included, which inherits it) onto the busy core.
    execFileSync('taskset', ['-a', '-p', '-c', CORE, String(daemon.child.pid)], { stdio: 'ignore' });

    await waitForControl(socketPath, daemon, 120_000);
    const deadline = Date.now() + 120_000;
    let detail = await scannerDetail(socketPath);
    while (!detail.startsWith('connected') && Date.now() < deadline) {
      await emulator.waitForEvent((event) => event.event === 'command', 2_000).catch(() => undefined);
      detail = await scannerDetail(socketPath);
    }
    expect(detail).toMatch(/^connected: .*115200 baud/);
    // Read before the stop: closing the port under a capture fails its light-off command, which is the stop's doing.
    const scannerWarnings = logLines(daemon.stdout()).filter(
      (line) => line.service === 'scanner' && Number(line.level) >= 40,
    );
    expect(await daemon.stop()).toMatchObject({ code: 0 });

    // Open at 9600, one switch, the confirming Open at 115200, each answered and taken: no reply
    // timed out (no command asked again, no failed open), wherever start-up's work fell.
    expect(emulator.commandCount('Open')).toBe(2);
    expect(emulator.commandCount('ChangeBaudrate')).toBe(1);
    expect(scannerWarnings.map((line) => line.msg)).toEqual([]);
  });
});
