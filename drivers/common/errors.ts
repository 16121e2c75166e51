/**
 * The drivers' one error type, with numeric codes in ranges; callers branch on the code, never on
 * the message. Drivers do not import the agent's AgentError (nothing in drivers/ imports src/).
 */
export const DriverErrorCode = {
  // 1100–1199: transport
  TransportOpen: 1100,
  TransportClosed: 1101,
  TransportWrite: 1102,
  Disconnected: 1103,
  /** A GPIO line could not be exported, written or watched (feedback LEDs, buzzer, button, power). */
  GpioLine: 1104,
  // 1200–1299: protocol (the conversation with the module)
  Timeout: 1200,
  NoHandshake: 1201,
  UnexpectedReply: 1202,
  // 1300–1399: the module reported a condition
  ModuleError: 1300,
  NoFinger: 1301,
  PoorImage: 1302,
  EnrollMismatch: 1303,
  DuplicateFinger: 1304,
  SlotOutOfRange: 1305,
  LibraryFull: 1306,
  SlotEmpty: 1307,
  BadTemplate: 1308,
  /** The module searched or compared and found no matching template. */
  NoMatch: 1309,
  // 1400–1499: module identity and capability
  WrongPassword: 1400,
  Unsupported: 1401,
  // 1500–1599: the caller gave up
  Aborted: 1500,
} as const;

export type DriverErrorCode = (typeof DriverErrorCode)[keyof typeof DriverErrorCode];

export class DriverError extends Error {
  override readonly name = 'DriverError';

  constructor(
    readonly code: DriverErrorCode,
    message: string,
    readonly context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isDriverError(error: unknown, code?: DriverErrorCode): error is DriverError {
  return error instanceof DriverError && (code === undefined || error.code === code);
}

/** A caught value's message, for error text; a thrown non-Error is described as it is. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
