import { afterEach } from 'vitest';
import { SerialTransport } from '../../../drivers/serial/serialTransport.js';
import { R30xScanner, type R30xScannerOptions } from '../../../drivers/r30x/index.js';
import { ModuleEmulator, type EmulatorOptions } from '../../helpers/emulator.js';

export interface ScannerUnderTest {
  readonly emulator: ModuleEmulator;
  readonly scanner: R30xScanner;
  readonly transport: SerialTransport;
}

type ScannerOverrides = Partial<Omit<R30xScannerOptions, 'transport'>>;

/**
 * An R30x emulator on a real pty and an R30xScanner talking to it through the real serialport
 * transport; everything started is stopped after each test.
 */
export function useScanners(): (
  emulator?: Omit<EmulatorOptions, 'family'>,
  scanner?: ScannerOverrides,
) => Promise<ScannerUnderTest> {
  const started: ScannerUnderTest[] = [];
  afterEach(async () => {
    for (const { scanner, emulator } of started.splice(0)) {
      await scanner.close().catch(() => undefined);
      await emulator.stop();
    }
  });
  return async (emulatorOptions = {}, scannerOptions = {}) => {
    const emulator = await ModuleEmulator.start({ family: 'r30x', powerOnDelayMs: 0, ...emulatorOptions });
    const transport = new SerialTransport({ path: emulator.path });
    const scanner = new R30xScanner({
      transport,
      baudRate: 57_600,
      password: emulatorOptions.password ?? 0,
      ...scannerOptions,
    });
    const underTest = { emulator, scanner, transport };
    started.push(underTest);
    return underTest;
  };
}
