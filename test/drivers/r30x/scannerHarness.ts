import { R30xScanner, type R30xScannerOptions } from '../../../drivers/r30x/index.js';
import { useEmulatedScanners } from '../emulatedScanners.js';

/** An R30x emulator and an R30xScanner at the factory speed, with the emulator's password. */
export function useScanners(): ReturnType<
  typeof useEmulatedScanners<R30xScanner, Omit<R30xScannerOptions, 'transport'>>
> {
  return useEmulatedScanners(
    'r30x',
    (transport, emulator, overrides) =>
      new R30xScanner({
        transport,
        baudRate: 57_600,
        password: emulator.password ?? 0,
        ...overrides,
      }),
  );
}
