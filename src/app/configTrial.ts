import type { LoadedConfig } from '../config/load.js';
import type { ServiceSupervisor } from '../daemon/supervisor.js';
import type { Logger } from '../log.js';

/**
 * A configuration becomes the last good one after device.configTrialSeconds with every service
 * started. A service that keeps failing to start withholds the confirmation, so a remote override
 * that broke it is reverted at the next start. Degraded devices and links do not withhold it:
 * an unplugged scanner says nothing about the configuration.
 */
export function startConfigTrial(loaded: LoadedConfig, services: ServiceSupervisor, logger: Logger): () => void {
  const timer = setInterval(() => {
    if (!services.allStarted()) {
      logger.warn({ services: services.health() }, 'configuration not confirmed as good yet: not every service has started');
      return;
    }
    clearInterval(timer);
    try {
      loaded.confirmGood();
      logger.info({ overrideActive: loaded.overrideActive }, 'configuration confirmed as the last good one');
    } catch (error) {
      logger.error({ err: error }, 'could not record the configuration as the last good one');
    }
  }, loaded.config.device.configTrialSeconds * 1000);
  return () => clearInterval(timer);
}
