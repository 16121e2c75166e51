import { setImmediate } from 'node:timers/promises';
import { ExitCode } from '../errors.js';
import type { Logger } from '../log.js';

/** systemd waits TimeoutStopSec=10; the daemon promises to be gone in half that. */
export const STOP_DEADLINE_MS = 5_000;

/**
 * An uncaught exception or unhandled rejection is an internal fault: the process state is unknown,
 * so log it, close what must be closed (the journal) and exit 1 for systemd to restart us.
 * Running on after one (as SignalK does) would leave a room with a half-working agent.
 */
export function installFaultHandlers(logger: Logger, closeBeforeExit: () => void): () => void {
  const onFault = (error: unknown, origin: string): void => {
    logger.fatal({ err: error, origin }, 'internal fault: exiting so that systemd restarts the daemon');
    try {
      closeBeforeExit();
    } catch (closeError) {
      logger.error({ err: closeError }, 'could not close cleanly after the fault');
    }
    process.exit(ExitCode.InternalFault);
  };
  const onRejection = (reason: unknown): void => onFault(reason, 'unhandledRejection');
  process.on('uncaughtException', onFault);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onFault);
    process.off('unhandledRejection', onRejection);
  };
}

/**
 * Resolves with the first SIGTERM or SIGINT. Installed before anything slow starts, so a signal
 * during start-up is a clean stop rather than node's default kill; later signals only log.
 */
export function waitForStopSignal(logger: Logger): {
  received: Promise<NodeJS.Signals>;
  /** The signal received so far: start-up checks it before telling systemd READY=1. */
  signal(): NodeJS.Signals | undefined;
  dispose(): void;
} {
  let first: NodeJS.Signals | undefined;
  let resolveSignal!: (signal: NodeJS.Signals) => void;
  const received = new Promise<NodeJS.Signals>((resolve) => (resolveSignal = resolve));
  const onSignal = (signal: NodeJS.Signals): void => {
    if (first !== undefined) {
      logger.info({ signal }, 'already stopping');
      return;
    }
    first = signal;
    logger.info({ signal }, 'stopping');
    resolveSignal(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return {
    received,
    signal: () => first,
    dispose() {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    },
  };
}

/**
 * Resolves once the event loop has polled for I/O, which is when a signal that arrived during
 * synchronous work gets handled. One setImmediate is not enough: scheduled from an I/O callback,
 * it runs in the same loop iteration, before any further poll; the second runs after the next one.
 */
export async function letPendingSignalsArrive(): Promise<void> {
  await setImmediate();
  await setImmediate();
}

/** Exits 1 if the stop has not finished in time; returns the function that disarms it. */
export function armStopDeadline(logger: Logger, ms = STOP_DEADLINE_MS): () => void {
  const timer = setTimeout(() => {
    logger.fatal({ deadlineMs: ms }, 'stop did not finish in time: exiting anyway');
    process.exit(ExitCode.InternalFault);
  }, ms);
  return () => clearTimeout(timer);
}
