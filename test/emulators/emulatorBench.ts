import { afterEach } from 'vitest';
import { ModuleEmulator, type EmulatorFamily, type EmulatorOptions } from '../helpers/emulator.js';
import { HostPort } from './hostPort.js';

export interface EmulatorBench {
  /** Starts an emulator of the bench's family. */
  readonly start: (options?: Partial<EmulatorOptions>) => Promise<ModuleEmulator>;
  /** Opens the host end of the cable on `path`, at the family's default speed unless told. */
  readonly open: (path: string, baudRate?: number) => Promise<HostPort>;
  /** An emulator and a host port on it at the family's default speed. */
  readonly connect: (options?: Partial<EmulatorOptions>) => Promise<{ emulator: ModuleEmulator; host: HostPort }>;
}

/**
 * Emulators and host ports for tests that speak to an emulator byte by byte; everything a test
 * started is closed and stopped after it. `hostBaudRate` is the speed the family's modules start
 * at: 57600 for R30x, 9600 for GT-521F.
 */
export function useEmulatorBench(family: EmulatorFamily, hostBaudRate: number): EmulatorBench {
  const emulators: ModuleEmulator[] = [];
  const hosts: HostPort[] = [];
  afterEach(async () => {
    for (const host of hosts.splice(0)) await host.close();
    for (const emulator of emulators.splice(0)) await emulator.stop();
  });
  const bench: EmulatorBench = {
    async start(options = {}) {
      const emulator = await ModuleEmulator.start({ family, powerOnDelayMs: 0, ...options });
      emulators.push(emulator);
      return emulator;
    },
    async open(path, baudRate = hostBaudRate) {
      const host = await HostPort.open(path, baudRate);
      hosts.push(host);
      return host;
    },
    async connect(options = {}) {
      const emulator = await bench.start(options);
      return { emulator, host: await bench.open(emulator.path) };
    },
  };
  return bench;
}

/** Writes `command` and reads its reply of `replyLength` bytes (12: a bare ack or response). */
export async function exchange(port: HostPort, command: Buffer, replyLength = 12): Promise<Buffer> {
  await port.write(command);
  return port.read(replyLength);
}
