import type { InspectedConfig } from '../../config/load.js';
import type { ControlRegistry } from '../../control/registry.js';
import type { Journal } from '../../journal/journal.js';
import { syncStatusSchema } from '../../sync/health/syncStatus.js';
import { loadedConfigCheck, type DoctorSources } from './doctor.js';
import { journalCheckOn } from './journalCheck.js';
import { runCommand } from './systemdChecks.js';

const NO_PROGRESS = { progress: () => undefined };

/**
 * The doctor inside the daemon, for the center's agent.diagnostics: the daemon's own journal,
 * scanner and link answer through its control methods, in process; sysfs and systemd as the CLI reads them.
 */
export function daemonDoctorSources(
  loaded: InspectedConfig,
  journal: Pick<Journal, 'db'>,
  registry: Pick<ControlRegistry, 'dispatch'>,
): DoctorSources {
  return {
    config: loaded.config,
    configCheck: () => loadedConfigCheck(loaded),
    journalCheck: () => journalCheckOn(journal.db),
    scannerInfo: () => registry.dispatch('scanner.info', {}, NO_PROGRESS),
    sync: async () =>
      syncStatusSchema.parse(((await registry.dispatch('status', {}, NO_PROGRESS)) as { sync: unknown }).sync),
    centerRoundTrip: () => registry.dispatch('sync.roundTrip', {}, NO_PROGRESS),
    roots: { sysRoot: '/sys', devRoot: '/dev' },
    run: runCommand,
  };
}
