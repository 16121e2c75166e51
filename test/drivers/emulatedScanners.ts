import { afterEach } from 'vitest';
import { SerialTransport } from '../../drivers/serial/serialTransport.js';
import type { FingerprintScanner } from '../../drivers/scanner.js';
import { ModuleEmulator, type EmulatorFamily, type EmulatorOptions } from '../helpers/emulator.js';

export interface ScannerUnderTest<S extends FingerprintScanner> {
  readonly emulator: ModuleEmulator;
  readonly scanner: S;
  readonly transport: SerialTransport;
}

export type FamilyEmulatorOptions = Omit<EmulatorOptions, 'family'>;

/**
 * A module emulator of `family` on a real pty and a scanner talking to it through the real
 * serialport transport; everything started is stopped after each test. `build` makes the scanner
 * from the transport, the emulator's options and the test's scanner overrides.
 */
export function useEmulatedScanners<S extends FingerprintScanner, Overrides>(
  family: EmulatorFamily,
  build: (transport: SerialTransport, emulator: FamilyEmulatorOptions, overrides: Partial<Overrides>) => S,
): (emulator?: FamilyEmulatorOptions, scanner?: Partial<Overrides>) => Promise<ScannerUnderTest<S>> {
  const started: ScannerUnderTest<S>[] = [];
  afterEach(async () => {
    for (const { scanner, emulator } of started.splice(0)) {
      await scanner.close().catch(() => undefined);
      await emulator.stop();
    }
  });
  return async (emulatorOptions = {}, scannerOptions = {}) => {
    const emulator = await ModuleEmulator.start({ family, powerOnDelayMs: 0, ...emulatorOptions });
    const transport = new SerialTransport({ path: emulator.path });
    const underTest = { emulator, scanner: build(transport, emulatorOptions, scannerOptions), transport };
    started.push(underTest);
    return underTest;
  };
}
