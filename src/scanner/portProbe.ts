import { Cp2110Transport } from '../../drivers/cp2110/cp2110Transport.js';
import type { ByteTransport } from '../../drivers/common/transport.js';
import { Gt521Scanner } from '../../drivers/gt521/index.js';
import { FACTORY_PASSWORD, R30xScanner } from '../../drivers/r30x/index.js';
import type { FingerprintScanner, ScannerInfo } from '../../drivers/scanner.js';
import { SerialTransport } from '../../drivers/serial/serialTransport.js';
import type { PortCandidate } from './discovery.js';

/**
 * Asks a port which module, if any, answers there: the R30x driver first (it tries every standard
 * speed, 9600×1…12), then the GT-521F driver at 9600, the speed a GT module has after every
 * power-on. Nothing is written to the module: opening only handshakes and reads its parameters.
 * Each attempt has a hard bound, so a port that takes the bytes and answers nothing (a modem, a
 * console, an empty adapter) costs seconds, never a hang.
 */
export interface PortProbeResult {
  candidate: PortCandidate;
  /** The module found, or undefined. */
  info?: ScannerInfo;
  /** Why nothing answered, per family tried (the driver's words). */
  failures: string[];
}

export interface PortProbeOptions {
  /** The device's own R30x module password (keys/scanner.json) when it has one; the factory password is tried after it. */
  modulePassword?: number | undefined;
  /** Bound of one family's attempt on one port. Default 8 s. */
  attemptTimeoutMs?: number;
}

const ATTEMPT_TIMEOUT_MS = 8_000;
/** The R30x power-on allowance at the first speed: a module already powered answers at once. */
const R30X_POWER_ON_MS = 300;
const GT521_POWER_ON_BAUD = 9600;

function transportFor(candidate: PortCandidate): ByteTransport {
  return candidate.transport === 'serial'
    ? new SerialTransport({ path: candidate.path })
    : new Cp2110Transport({ device: { path: candidate.path } });
}

const FAMILIES: readonly { name: string; open: (candidate: PortCandidate, password: number) => FingerprintScanner }[] =
  [
    {
      name: 'r30x',
      open: (candidate, password) =>
        new R30xScanner({
          transport: transportFor(candidate),
          baudRate: 57600,
          password,
          timeouts: { powerOnMs: R30X_POWER_ON_MS },
        }),
    },
    {
      name: 'gt521',
      open: (candidate) => new Gt521Scanner({ transport: transportFor(candidate), baudRate: GT521_POWER_ON_BAUD }),
    },
  ];

/**
 * Opens the module, runs `read` on it and closes it again, the opening bounded by timeoutMs: a
 * port that takes the bytes and answers nothing costs that long, never a hang.
 */
export async function withOpenModule<T>(
  scanner: FingerprintScanner,
  timeoutMs: number,
  read: (info: ScannerInfo) => Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  // A module that drops off mid-probe reports it here; the attempt then fails on its own.
  scanner.on('disconnected', () => undefined);
  try {
    return await Promise.race([scanner.open().then(read), bound]);
  } finally {
    clearTimeout(timer);
    await Promise.race([scanner.close().catch(() => undefined), new Promise((done) => setTimeout(done, 1000))]);
  }
}

/** Probes one port, family after family; the first that opens wins. */
export async function probePort(candidate: PortCandidate, options: PortProbeOptions = {}): Promise<PortProbeResult> {
  const failures: string[] = [];
  const password = options.modulePassword ?? FACTORY_PASSWORD;
  for (const family of FAMILIES) {
    try {
      const info = await withOpenModule(
        family.open(candidate, password),
        options.attemptTimeoutMs ?? ATTEMPT_TIMEOUT_MS,
        (opened) => Promise.resolve(opened),
      );
      return { candidate, info, failures };
    } catch (error) {
      failures.push(`${family.name}: ${(error as Error).message.split('. ')[0]}`);
    }
  }
  return { candidate, failures };
}

/** Probes every free port at once (they are independent), skipping held ones and consoles. */
export function probePorts(
  candidates: readonly PortCandidate[],
  options: PortProbeOptions = {},
): Promise<PortProbeResult[]> {
  return Promise.all(
    candidates.map((candidate) =>
      candidate.heldBy.length > 0 || candidate.console
        ? Promise.resolve({ candidate, failures: [] })
        : probePort(candidate, options),
    ),
  );
}
