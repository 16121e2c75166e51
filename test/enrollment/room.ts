import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { FingerprintScanner } from '../../drivers/scanner.js';
import { inspectConfig } from '../../src/config/load.js';
import { createSilentLogger } from '../../src/log.js';
import { createScannerOpener, openerSettings } from '../../src/scanner/opener.js';
import { loadScannerSecrets } from '../../src/scanner/secrets.js';
import { makeTempDir, spawnCli, type CliResult } from '../helpers/cli.js';
import { ModuleEmulator, type EmulatorOptions } from '../helpers/emulator.js';
import { openJournal, startDaemon, waitForControl, type DaemonProcess } from '../daemon/daemonProcess.js';

/**
 * A village room for enrollment tests: a module emulator on a real pty, a configuration whose
 * scanner is that pty, a data directory, and the CLI and daemon as real processes. Everything
 * started is stopped after each test.
 */
export interface Room {
  dir: string;
  configPath: string;
  dataDir: string;
  socketPath: string;
  emulator: ModuleEmulator;
  family: 'r30x' | 'gt521';
}

export interface RoomOptions extends Omit<EmulatorOptions, 'family' | 'dir'> {
  /** Extra YAML lines of the scanner section, e.g. 'escrowTemplates: true'. */
  scannerKeys?: string[];
  /** Extra YAML lines of the county section, e.g. 'escrowPublicKey: …'. */
  countyKeys?: string[];
}

export const OPERATOR = 'tech-li';

export function useRooms(): {
  open(family: 'r30x' | 'gt521', options?: RoomOptions): Promise<Room>;
  daemon(room: Room): Promise<DaemonProcess>;
  /** Swaps the module for a new, empty one behind the same device path. */
  replaceModule(room: Room, options?: Omit<EmulatorOptions, 'family' | 'dir'>): Promise<void>;
} {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    async open(family, { scannerKeys = [], countyKeys = [], ...emulatorOptions } = {}) {
      const temp = makeTempDir('room-agent-enroll-');
      cleanups.push(temp.cleanup);
      const devices = join(temp.dir, 'dev');
      mkdirSync(devices);
      const emulator = await ModuleEmulator.start({ family, powerOnDelayMs: 0, dir: devices, ...emulatorOptions });
      // A GT module left at a faster speed by one process must be probed by the next: at its
      // power-on speed every command opens it at once.
      const baudRate = family === 'gt521' ? 9600 : 57600;
      const dataDir = join(temp.dir, 'data');
      const configPath = join(temp.dir, 'config.yaml');
      writeFileSync(
        configPath,
        [
          'version: 1',
          'device:',
          '  id: test-room',
          `  dataDir: ${dataDir}`,
          'county:',
          '  url: mqtt://127.0.0.1:1883',
          ...countyKeys.map((line) => `  ${line}`),
          'log:',
          '  format: json',
          'scanner:',
          `  driver: ${family}`,
          `  path: ${emulator.path}`,
          `  baudRate: ${baudRate}`,
          ...scannerKeys.map((line) => `  ${line}`),
          '',
        ].join('\n'),
      );
      const socketPath = join(dataDir, 'control.sock');
      // What the daemon's first start creates; standalone commands never create them.
      openJournal(dataDir, 'create').close();
      loadScannerSecrets(dataDir, { create: true });
      const room: Room = { dir: temp.dir, configPath, dataDir, socketPath, emulator, family };
      cleanups.push(() => room.emulator.stop());
      return room;
    },
    async replaceModule(room, options = {}) {
      await room.emulator.stop();
      room.emulator = await ModuleEmulator.start({
        family: room.family,
        powerOnDelayMs: 0,
        dir: join(room.dir, 'dev'),
        ...options,
      });
    },
    async daemon(room) {
      const daemon = startDaemon(room.configPath);
      cleanups.push(async () => {
        if (daemon.child.exitCode === null) await daemon.stop();
      });
      await waitForControl(room.socketPath, daemon);
      return daemon;
    },
  };
}

/** The emulator's name for a member's finger: each (member, finger) is a distinct synthetic finger. */
export function fingerName(memberId: string, finger: string): string {
  return `${memberId}-${finger}`;
}

/** Runs the CLI to completion against the room's configuration. */
export function cli(room: Room, args: string[]): Promise<CliResult> {
  return finish(spawnCli([...args, '--config', room.configPath]));
}

/**
 * `room-agent enroll`, acting as the member: places the finger when the CLI says so and lifts it
 * when asked. `placed` is the emulator finger (another member's, for a duplicate).
 */
export function enroll(
  room: Room,
  memberId: string,
  finger: string,
  options: { placed?: string; extra?: string[] } = {},
): Promise<CliResult & { prompts: string[] }> {
  const placed = options.placed ?? fingerName(memberId, finger);
  const args = options.extra ?? ['--operator', OPERATOR, '--consent'];
  const child = spawnCli(['enroll', memberId, '--finger', finger, ...args, '--config', room.configPath]);
  const prompts: string[] = [];
  let pending = '';
  let acting = Promise.resolve();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      prompts.push(line);
      if (line.startsWith('Place')) acting = acting.then(() => room.emulator.place(placed));
      else if (line.startsWith('Lift')) acting = acting.then(() => room.emulator.lift());
    }
  });
  return finish(child).then(async (result) => {
    await acting;
    await room.emulator.lift();
    return { ...result, prompts };
  });
}

function finish(child: ChildProcess, timeoutMs = 60_000): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin!.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * Opens the room's module the way the agent does (its family, this device's password) for a
 * check from the test itself; only while no daemon or CLI holds the port.
 */
export async function withModule<T>(room: Room, fn: (scanner: FingerprintScanner) => Promise<T>): Promise<T> {
  const { config } = inspectConfig(room.configPath);
  const secrets = loadScannerSecrets(room.dataDir, { create: false });
  const scanner = createScannerOpener(openerSettings(config.scanner, room.family), secrets, createSilentLogger())();
  await scanner.open();
  try {
    return await fn(scanner);
  } finally {
    await scanner.close();
  }
}

/** For each emulator finger in turn: places it, identifies, lifts; the module slot it matched, or undefined. */
export async function identifySlots(room: Room, fingers: readonly string[]): Promise<Array<number | undefined>> {
  return withModule(room, async (scanner) => {
    const slots: Array<number | undefined> = [];
    for (const finger of fingers) {
      await room.emulator.place(finger);
      const outcome = await scanner.identify();
      await room.emulator.lift();
      slots.push(outcome.kind === 'match' ? outcome.slot : undefined);
    }
    return slots;
  });
}
