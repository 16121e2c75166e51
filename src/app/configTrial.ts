import type { LoadedConfig } from '../config/load.js';
import { overrideBrokeService, type Reverted } from '../config/revertReason.js';
import type { ServiceSupervisor } from '../daemon/supervisor.js';
import type { Logger } from '../log.js';

export interface ConfigTrial {
  /**
   * Ends the trial clock as a clean stop begins (the services stopping one by one must not read as
   * a failed trial) and returns what settles the trial once they stopped without hanging: a stop
   * that hangs past its deadline exits 1 unsettled, and the next start reverts the override.
   */
  stop(): () => void;
}

/**
 * A configuration becomes the last good one after device.configTrialSeconds with every service
 * started, or at a clean stop with every service started. When the window ends with a service that
 * could not start, a new remote override on trial is reverted at once and `onRejected` ends the
 * daemon with exit 1, so systemd restarts it on the last good configuration: a service retrying
 * for ever (a bad device.controlSocket) would otherwise keep the room on the broken override for
 * as long as the daemon runs. Without an override on trial there is nothing to go back to, and the
 * check repeats every window. Degraded devices and links do not count: an unplugged scanner says
 * nothing about the configuration.
 */
export function startConfigTrial(
  loaded: LoadedConfig,
  services: ServiceSupervisor,
  logger: Logger,
  onRejected: (reverted: Reverted) => void,
): ConfigTrial {
  let decided = false;
  const timer = setInterval(() => {
    if (services.allStarted()) {
      decide();
      settle(() => loaded.confirmGood(), 'configuration confirmed as the last good one');
      return;
    }
    if (!loaded.onTrial) {
      logger.warn(
        { services: services.notStarted() },
        'configuration not confirmed as good yet: not every service has started',
      );
      return;
    }
    decide();
    const reverted = overrideBrokeService(
      services.notStarted().map((service) => `${service.name}: ${service.detail ?? service.state}`),
    );
    // Should the files not change, the marker left behind still gets the override reverted at the next start.
    settle(() => loaded.rejectTrial(), 'remote configuration override reverted: not every service started on it');
    onRejected(reverted);
  }, loaded.config.device.configTrialSeconds * 1000);

  function decide(): void {
    clearInterval(timer);
    decided = true;
  }

  function settle(write: () => void, message: string): void {
    try {
      write();
      logger.info({ overrideActive: loaded.overrideActive }, message);
    } catch (error) {
      logger.error({ err: error }, 'could not record the outcome of the configuration trial');
    }
  }

  return {
    stop() {
      clearInterval(timer);
      const allStarted = services.allStarted();
      return () => {
        if (decided) return;
        if (allStarted)
          settle(() => loaded.confirmGood(), 'configuration confirmed as the last good one at a clean stop');
        else if (loaded.onTrial)
          settle(
            () => loaded.interruptTrial(),
            'configuration trial interrupted by a clean stop; the next start tries again',
          );
      };
    },
  };
}
