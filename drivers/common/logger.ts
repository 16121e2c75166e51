/**
 * The small logger drivers accept, a subset of pino's API, so drivers stay free of the agent's
 * logging setup. Never pass biometric bytes (templates, images) to it.
 */
export interface DriverLogger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

export const silentLogger: DriverLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
