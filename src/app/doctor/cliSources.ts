import type { InspectedConfig } from '../../config/load.js';
import { callDaemon } from '../../control/client.js';
import { ErrorCode, isAgentError } from '../../errors.js';
import { CENTER_ROUND_TRIP_TIMEOUT_MS } from '../../sync/centerRoundTrip.js';
import { probeUnboundModule } from '../../scanner/firstStartProbe.js';
import { syncStatusSchema, type SyncStatus } from '../../sync/health/syncStatus.js';
import { requestControl } from '../cliBackend.js';
import { controlSocketPath } from '../controlSocket.js';
import { loadedConfigCheck, type DoctorSources } from './doctor.js';
import type { HostRoots } from './hostChecks.js';
import { journalCheck } from './journalCheck.js';
import { runCommand } from './systemdChecks.js';

const DAEMON_STATUS_TIMEOUT_MS = 5_000;
const SCANNER_INFO_TIMEOUT_MS = 11_000;
/** A standalone scanner.info opens the module first: on a loaded board that may take more than scanner info's 5 s. */
const MODULE_WAIT_MS = 9_000;
/** Within the scanner check's bound, after scanner.info found no journal (it answers that at once). */
const UNBOUND_PROBE_TIMEOUT_MS = 8_000;

/**
 * The doctor run from the command line. What the daemon owns (the scanner's port, the county
 * session) is asked of it over the control socket while it runs; without a daemon the doctor
 * opens the scanner itself for a moment (the standalone scanner.info) and connects to the broker
 * under its own client id.
 */
export function doctorSources(loaded: InspectedConfig, roots: HostRoots): DoctorSources {
  const { config } = loaded;
  const socket = controlSocketPath(config);
  const sync = async (): Promise<SyncStatus | undefined> => {
    let status;
    try {
      status = await callDaemon(socket, 'status', {}, { timeoutMs: DAEMON_STATUS_TIMEOUT_MS });
    } catch (error) {
      if (isAgentError(error, ErrorCode.ControlUnavailable)) return undefined;
      throw error;
    }
    return syncStatusSchema.parse((status as { sync: unknown }).sync);
  };
  return {
    config,
    configCheck: () => loadedConfigCheck(loaded),
    journalCheck: () => journalCheck(config.device.dataDir),
    scannerInfo: () =>
      requestControl(loaded, 'scanner.info', { waitMs: MODULE_WAIT_MS }, { timeoutMs: SCANNER_INFO_TIMEOUT_MS }),
    // Asked only after scanner.info found no daemon and no journal: the port is free then.
    unboundModule: (family) => probeUnboundModule(config.scanner, family, UNBOUND_PROBE_TIMEOUT_MS),
    sync,
    centerRoundTrip: () =>
      callDaemon(socket, 'sync.roundTrip', {}, { timeoutMs: CENTER_ROUND_TRIP_TIMEOUT_MS + 2_000 }),
    roots,
    run: runCommand,
  };
}
