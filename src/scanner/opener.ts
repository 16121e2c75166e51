import { CP2110_PRODUCT_ID, CP2110_VENDOR_ID, Cp2110Transport } from '../../drivers/cp2110/cp2110Transport.js';
import type { HidSelector } from '../../drivers/common/hidDevice.js';
import type { ByteTransport } from '../../drivers/common/transport.js';
import { Gt521Scanner } from '../../drivers/gt521/index.js';
import { R30xScanner } from '../../drivers/r30x/index.js';
import type { FingerprintScanner } from '../../drivers/scanner.js';
import { SerialTransport } from '../../drivers/serial/serialTransport.js';
import type { Config } from '../config/schema.js';
import { AgentError, ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { ScannerSecrets } from './secrets.js';

/**
 * Builds a scanner on a fresh transport. Called once per connection attempt: a transport that
 * reported 'disconnected' is finished, and a replugged adapter may be another device node.
 */
export type ScannerOpener = () => FingerprintScanner;

export type ModuleFamilyDriver = 'r30x' | 'gt521';

export interface OpenerSettings {
  family: ModuleFamilyDriver;
  /** A serial path, or undefined for a CP2110 bridge (scanner.hid). */
  serialPath?: string | undefined;
  hid?: HidSelector | undefined;
  baudRate: number;
}

/** Where the configured module is: a serial path or a CP2110 HID selector. Throws ConfigInvalid when scanner.path is missing. */
export function openerSettings(
  scanner: Config['scanner'],
  family: ModuleFamilyDriver,
  emulatorLink?: string,
): OpenerSettings {
  if (emulatorLink !== undefined) return { family, serialPath: emulatorLink, baudRate: scanner.baudRate };
  if (scanner.transport === 'cp2110') return { family, hid: hidSelector(scanner.hid), baudRate: scanner.baudRate };
  if (scanner.path === undefined) {
    throw new AgentError(
      ErrorCode.ConfigInvalid,
      `scanner.path is required for scanner.driver ${family} over serial: set it to the module's adapter, e.g. /dev/serial/by-id/usb-… or /dev/fingerprint`,
      { key: 'scanner.path' },
    );
  }
  return { family, serialPath: scanner.path, baudRate: scanner.baudRate };
}

/** scanner.hid: a hidraw path wins; otherwise the ids, defaulting to the CP2110's. */
export function hidSelector(hid: Config['scanner']['hid']): HidSelector {
  if (hid?.path !== undefined) return { path: hid.path };
  return { vendorId: hid?.vendorId ?? CP2110_VENDOR_ID, productId: hid?.productId ?? CP2110_PRODUCT_ID };
}

export function createScannerOpener(
  settings: OpenerSettings,
  secrets: Pick<ScannerSecrets, 'modulePassword'>,
  logger: Logger,
): ScannerOpener {
  const driverLogger = logger.child({ module: settings.family });
  const transport = (): ByteTransport =>
    settings.serialPath !== undefined
      ? new SerialTransport({ path: settings.serialPath, logger: driverLogger })
      : new Cp2110Transport({ device: settings.hid!, logger: driverLogger });
  if (settings.family === 'r30x') {
    return () =>
      new R30xScanner({
        transport: transport(),
        baudRate: settings.baudRate,
        password: secrets.modulePassword,
        logger: driverLogger,
      });
  }
  return () => new Gt521Scanner({ transport: transport(), baudRate: settings.baudRate, logger: driverLogger });
}
