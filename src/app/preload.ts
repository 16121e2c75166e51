import type { Logger } from '../log.js';

/**
 * Loads the modules whose loading holds the main thread for long, before the scanner's handshake
 * starts: mqtt.js is about 230 files, required synchronously (a third of a second here, seconds
 * on a Pi at boot). Loaded when the county link starts, it ran while the handshake waited for the
 * module's replies: a reply that came in a millisecond waited behind it, and start-up declared
 * a module that had answered silent (fault light, a power cycle, a retry).
 */
export async function preloadBlockingModules(logger: Logger): Promise<void> {
  const started = performance.now();
  try {
    await import('mqtt');
  } catch (error) {
    // The county link loads it again when it starts and reports the broken installation there.
    logger.debug({ err: error }, 'mqtt.js could not be preloaded');
    return;
  }
  logger.debug({ ms: Math.round(performance.now() - started) }, 'mqtt.js loaded before the scanner starts');
}
