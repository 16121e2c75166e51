import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

export interface LogSettings {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  /** 'auto' pretty-prints on a TTY and writes JSON lines for journald otherwise. */
  format: 'auto' | 'json' | 'pretty';
}

/**
 * Paths whose values never reach a log line: secrets from config and anything biometric.
 * Biometric bytes must not be passed to a logger at all; the redaction is a second fence.
 */
const REDACT_PATHS = [
  'password',
  '*.password',
  'config.county.password',
  // Camera and push URLs carry the cameras' passwords and the media server's keys.
  'config.cameras[*].url',
  'config.cameras[*].subUrl',
  'config.cameras[*].push.url',
  'passphrase',
  '*.passphrase',
  'privateKey',
  '*.privateKey',
  'template',
  '*.template',
];

export function createRootLogger(settings: LogSettings, destination?: NodeJS.WritableStream): Logger {
  const pretty = settings.format === 'pretty' || (settings.format === 'auto' && process.stdout.isTTY === true);
  const options: LoggerOptions = {
    level: settings.level,
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  if (pretty && destination === undefined) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:standard' } } });
  }
  return destination === undefined ? pino(options) : pino(options, destination as pino.DestinationStream);
}

/** A logger for code paths that run before configuration is known, and for CLI one-shots. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
