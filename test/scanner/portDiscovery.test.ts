import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverPorts, type DiscoveryRoots } from '../../src/scanner/discovery.js';
import { probePorts } from '../../src/scanner/portProbe.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { provisionArgs } from '../helpers/provision.js';
import { ModuleEmulator } from '../helpers/emulator.js';

/**
 * Scanner discovery on a fixture device folder whose entries lead to real pseudo-terminals: two
 * module emulators (R30x behind a by-id link and ttyUSB0, GT-521F on ttyACM0), a port another
 * process holds open, a port where nothing answers, and the GPIO UART with the kernel console on it.
 */
const temp = makeTempDir('room-agent-ports-');
const devDir = join(temp.dir, 'dev');
const BY_ID = join(devDir, 'serial', 'by-id', 'usb-1a86_USB_Serial-if00-port0');
const CMDLINE = 'console=serial0,115200 console=tty1 root=/dev/mmcblk0p2 rootwait';
let r30x: ModuleEmulator;
let gt521: ModuleEmulator;
let ptys: ChildProcess;
let held: string;
let silent: string;

/** Two ptys from one process: the first it keeps open (a held port), the second it leaves free and mute. */
async function startPtys(): Promise<void> {
  const script = [
    'import os, pty, sys, time',
    'm1, s1 = pty.openpty()',
    'm2, s2 = pty.openpty()',
    'name2 = os.ttyname(s2)',
    'os.close(s2)',
    'print(os.ttyname(s1), name2, flush=True)',
    'time.sleep(600)',
  ].join('\n');
  ptys = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const first = await createInterface({ input: ptys.stdout! })[Symbol.asyncIterator]().next();
  [held, silent] = String(first.value).split(' ') as [string, string];
}

beforeAll(async () => {
  [r30x, gt521] = await Promise.all([
    ModuleEmulator.start({ family: 'r30x', capacity: 300 }),
    ModuleEmulator.start({ family: 'gt521' }),
  ]);
  await startPtys();
  mkdirSync(join(devDir, 'serial', 'by-id'), { recursive: true });
  symlinkSync(r30x.slavePath!, BY_ID);
  symlinkSync(r30x.slavePath!, join(devDir, 'ttyUSB0'));
  symlinkSync(gt521.slavePath!, join(devDir, 'ttyACM0'));
  symlinkSync(held, join(devDir, 'ttyUSB1'));
  symlinkSync(silent, join(devDir, 'ttyUSB2'));
  writeFileSync(join(devDir, 'ttyAMA0'), '');
  symlinkSync('ttyAMA0', join(devDir, 'serial0'));
  // Not a port: left alone.
  writeFileSync(join(devDir, 'tty1'), '');
});

afterAll(async () => {
  ptys?.kill('SIGKILL');
  await Promise.all([r30x?.stop(), gt521?.stop()]);
  temp.cleanup();
});

const roots = (): DiscoveryRoots => ({ devDir, procDir: '/proc', sysDir: join(temp.dir, 'sys'), cmdline: CMDLINE });

describe('scanner port discovery', () => {
  it('lists each device once under its most stable name, flags a held port and the serial console', () => {
    const ports = discoverPorts(roots());
    const byPath = new Map(ports.map((port) => [port.path, port]));
    expect([...byPath.keys()].sort()).toEqual(
      [
        BY_ID,
        join(devDir, 'serial0'),
        join(devDir, 'ttyACM0'),
        join(devDir, 'ttyUSB1'),
        join(devDir, 'ttyUSB2'),
      ].sort(),
    );
    expect(byPath.get(BY_ID)).toMatchObject({ names: [BY_ID, join(devDir, 'ttyUSB0')], heldBy: [], console: false });
    expect(byPath.get(join(devDir, 'ttyUSB1'))!.heldBy).toEqual([{ pid: ptys.pid, command: 'python3' }]);
    expect(byPath.get(join(devDir, 'serial0'))).toMatchObject({
      console: true,
      names: [join(devDir, 'serial0'), join(devDir, 'ttyAMA0')],
    });
    expect(byPath.get(join(devDir, 'ttyUSB2'))).toMatchObject({ heldBy: [], console: false });
    expect(discoverPorts({ ...roots(), cmdline: 'console=tty1' }).find((port) => port.console)).toBeUndefined();
  });

  it('probes the free ports with the r30x and gt521 drivers, skips the held one and the console, and gives up on a mute one in bounded time', async () => {
    const started = performance.now();
    const results = await probePorts(discoverPorts(roots()));
    const elapsed = performance.now() - started;
    const byPath = new Map(results.map((result) => [result.candidate.path, result]));
    expect(byPath.get(BY_ID)!.info).toMatchObject({ family: 'r30x', capacity: 300, baudRate: 57600 });
    expect(byPath.get(join(devDir, 'ttyACM0'))!.info).toMatchObject({ family: 'gt521', baudRate: 9600 });
    expect(byPath.get(join(devDir, 'ttyACM0'))!.info!.capacity).toBeGreaterThan(0);
    const mute = byPath.get(join(devDir, 'ttyUSB2'))!;
    expect(mute.info).toBeUndefined();
    expect(mute.failures.map((failure) => failure.split(':')[0])).toEqual(['r30x', 'gt521']);
    expect(byPath.get(join(devDir, 'ttyUSB1'))).toMatchObject({ failures: [] });
    expect(byPath.get(join(devDir, 'ttyUSB1'))!.info).toBeUndefined();
    expect(byPath.get(join(devDir, 'serial0'))!.info).toBeUndefined();
    // Two families, each bounded at 8 s, ports in parallel: far below this even on a loaded machine.
    expect(elapsed).toBeLessThan(40_000);
  });

  it('provision --scanner PATH writes the module the port answers with (family, path, speed)', async () => {
    const cmdline = join(temp.dir, 'cmdline');
    writeFileSync(cmdline, CMDLINE);
    const { config, args } = provisionArgs(temp.dir, [
      ...['--dev-dir', devDir, '--cmdline', cmdline],
      ...['--scanner', join(devDir, 'ttyACM0')],
    ]);
    const result = await runCli(args, { timeoutMs: 90_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `${join(devDir, 'ttyUSB1')}: held by another process (python3 pid ${ptys.pid}), skipped`,
    );
    expect(result.stdout).toContain(`${join(devDir, 'serial0')}: the kernel serial console is on this port`);
    expect(result.stdout).toContain('raspi-config');
    expect(result.stdout).toMatch(new RegExp(`${BY_ID}: r30x module .*, capacity 300, 57600 baud`));
    const written = readFileSync(config, 'utf8');
    expect(written).toContain('  driver: gt521\n');
    expect(written).toContain(`  path: ${join(devDir, 'ttyACM0')}\n`);
    expect(written).toContain('  baudRate: 9600\n');
  });
});
