import type { InspectedConfig } from '../config/load.js';
import { EventBus } from '../daemon/bus.js';
import { FeedbackService } from '../feedback/service.js';
import type { JournalAccess } from '../journal/journal.js';
import { createSilentLogger } from '../log.js';
import { loadScannerSecrets } from '../scanner/secrets.js';
import { ScannerService } from '../scanner/service.js';
import { openCore, registerStatus } from './core.js';
import { registerEnrollmentMethods } from './enrollment.js';
import { OnDemandScanner } from './onDemandScanner.js';
import { registerSignInFeatureMethods } from './signInFeature.js';

/** Runs a control method in this process against the journal directly, as the daemon would. */
export async function runMethod(
  loaded: InspectedConfig,
  method: string,
  params: unknown,
  access: JournalAccess,
  onProgress: ((data: unknown) => void) | undefined,
): Promise<unknown> {
  const { config } = loaded;
  const logger = createSilentLogger();
  const core = openCore(config, logger, undefined, access);
  const scanner = new OnDemandScanner(
    () =>
      new ScannerService({
        config,
        journal: core.journal,
        bus: new EventBus(),
        logger,
        secrets: () => loadScannerSecrets(config.device.dataDir, { create: false }),
      }),
  );
  try {
    registerStatus(core, loaded);
    registerEnrollmentMethods(core.registry, { config, journal: core.journal, scanner, logger });
    registerSignInFeatureMethods(core, config, {
      scanner,
      service: () => scanner.started(),
      feedback: new FeedbackService({ config: config.feedback, logger }),
      daemon: false,
    });
    return await core.registry.dispatch(method, params, { progress: (data) => onProgress?.(data) });
  } finally {
    await scanner.close();
    core.journal.close();
  }
}
