import type { Logger } from '../log.js';
import type { Notifier } from './sdnotify.js';

export interface WatchdogOptions {
  notifier: Notifier;
  intervalMs: number;
  /**
   * A cheap check that the process can still do its job (a query on the journal). It runs on the
   * event loop, so a blocked loop sends nothing either; a failing check withholds the ping and
   * systemd restarts the daemon after WatchdogSec.
   */
  isAlive: () => void;
  logger: Logger;
}

/** Pings WATCHDOG=1 every intervalMs while the liveness check passes; returns the stop function. */
export function startWatchdog({ notifier, intervalMs, isAlive, logger }: WatchdogOptions): () => void {
  let withheld = false;
  const timer = setInterval(() => {
    try {
      isAlive();
    } catch (error) {
      if (!withheld)
        logger.error(
          { err: error },
          'liveness check failed: withholding watchdog pings so systemd restarts the daemon',
        );
      withheld = true;
      return;
    }
    if (withheld) logger.info('liveness check passes again: watchdog pings resumed');
    withheld = false;
    notifier.watchdog();
  }, intervalMs);
  return () => clearInterval(timer);
}
