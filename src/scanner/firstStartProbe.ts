import { FACTORY_PASSWORD } from '../../drivers/r30x/index.js';
import type { ScannerInfo } from '../../drivers/scanner.js';
import type { Config } from '../config/schema.js';
import { createSilentLogger } from '../log.js';
import { createScannerOpener, openerSettings, type ModuleFamilyDriver } from './opener.js';
import { withOpenModule } from './portProbe.js';

/** What the configured module says of itself before anything is bound to it. */
export interface UnboundModule {
  info: ScannerInfo;
  /** Templates stored on the module. */
  enrolled: number;
}

/**
 * Reads the configured module once before the daemon's first start, when no journal and no module
 * secrets exist yet: opened as a new module is (the R30x factory password), its parameters and
 * enrolled slots read, nothing written. Only while no daemon runs: a running daemon owns the port.
 */
export function probeUnboundModule(
  scanner: Config['scanner'],
  family: ModuleFamilyDriver,
  timeoutMs: number,
): Promise<UnboundModule> {
  const open = createScannerOpener(
    openerSettings(scanner, family),
    { modulePassword: FACTORY_PASSWORD },
    createSilentLogger(),
  );
  const module = open();
  return withOpenModule(module, timeoutMs, async (info) => ({ info, enrolled: (await module.enrolledSlots()).length }));
}
