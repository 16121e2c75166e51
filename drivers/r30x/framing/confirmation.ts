/**
 * The confirmation code, the first payload byte of every ack, mapped to the drivers' error codes
 * with text a technician can act on. Codes absent from the table are ModuleError with the code
 * in the context.
 */
import { DriverError, DriverErrorCode, isDriverError } from '../../common/errors.js';
import { hex8 } from './packet.js';

export const Confirmation = {
  Ok: 0x00,
  ReceiveError: 0x01,
  NoFinger: 0x02,
  CaptureFailed: 0x03,
  ImageMessy: 0x06,
  TooFewFeatures: 0x07,
  NoMatch: 0x08,
  NotFound: 0x09,
  CombineFailed: 0x0a,
  PageOutOfRange: 0x0b,
  WrongPassword: 0x13,
  LibraryFull: 0x1f,
  PasswordNotVerified: 0x21,
  Unsupported: 0xfc,
  /** Not a datasheet code: M5Stack modules send an ack with it on wake-up, unasked. */
  WakeUp: 0xff,
} as const;

interface Meaning {
  readonly code: DriverErrorCode;
  readonly text: string;
}

const MEANINGS: ReadonlyMap<number, Meaning> = new Map<number, Meaning>([
  [0x01, { code: DriverErrorCode.ModuleError, text: 'the module received a damaged packet' }],
  [0x02, { code: DriverErrorCode.NoFinger, text: 'no finger on the sensor' }],
  [0x03, { code: DriverErrorCode.PoorImage, text: 'the sensor failed to capture the finger; place it again' }],
  [0x06, { code: DriverErrorCode.PoorImage, text: 'the finger image is too messy; clean the sensor and the finger' }],
  [0x07, { code: DriverErrorCode.PoorImage, text: 'the finger image has too few features; press flatter and longer' }],
  [0x08, { code: DriverErrorCode.NoMatch, text: 'the two templates do not match' }],
  [0x09, { code: DriverErrorCode.NoMatch, text: 'no enrolled finger matches' }],
  [
    0x0a,
    {
      code: DriverErrorCode.EnrollMismatch,
      text: 'the two scans are of different fingers or too different to combine',
    },
  ],
  [0x0b, { code: DriverErrorCode.SlotOutOfRange, text: 'the slot is beyond the module library' }],
  [
    0x0c,
    { code: DriverErrorCode.BadTemplate, text: 'the module could not read that template (empty or corrupt slot)' },
  ],
  [0x0d, { code: DriverErrorCode.ModuleError, text: 'the module failed to upload the template' }],
  [0x0e, { code: DriverErrorCode.ModuleError, text: 'the module could not receive the data packets' }],
  [0x0f, { code: DriverErrorCode.ModuleError, text: 'the module failed to upload the image' }],
  [0x10, { code: DriverErrorCode.ModuleError, text: 'the module failed to delete the templates' }],
  [0x11, { code: DriverErrorCode.ModuleError, text: 'the module failed to empty its library' }],
  [0x13, { code: DriverErrorCode.WrongPassword, text: 'the module rejected the password' }],
  [0x15, { code: DriverErrorCode.ModuleError, text: 'the module has no valid image to work on' }],
  [0x18, { code: DriverErrorCode.ModuleError, text: 'the module reported a flash write error' }],
  [0x1a, { code: DriverErrorCode.ModuleError, text: 'the module rejected the register number' }],
  [0x1b, { code: DriverErrorCode.ModuleError, text: 'the module rejected the register value' }],
  [0x1c, { code: DriverErrorCode.ModuleError, text: 'the module rejected the notepad page number' }],
  [0x1d, { code: DriverErrorCode.ModuleError, text: 'the module reported a port failure' }],
  [0x1f, { code: DriverErrorCode.LibraryFull, text: 'the module library is full' }],
  [0x20, { code: DriverErrorCode.ModuleError, text: 'the module reported a wrong address' }],
  [
    0x21,
    { code: DriverErrorCode.NoHandshake, text: 'the module wants its password verified first (it may have restarted)' },
  ],
  [0x22, { code: DriverErrorCode.SlotEmpty, text: 'the template buffer is empty' }],
  [0x24, { code: DriverErrorCode.SlotEmpty, text: 'the module library is empty' }],
  [0x26, { code: DriverErrorCode.ModuleError, text: 'the module timed out internally' }],
  [0x27, { code: DriverErrorCode.DuplicateFinger, text: 'the finger is already enrolled' }],
  [0x29, { code: DriverErrorCode.ModuleError, text: 'the sensor reports a hardware fault' }],
  [0xfc, { code: DriverErrorCode.Unsupported, text: 'the module does not support this instruction' }],
  [0xfd, { code: DriverErrorCode.ModuleError, text: 'the module reported a hardware error' }],
  [0xfe, { code: DriverErrorCode.ModuleError, text: 'the module failed to execute the command' }],
]);

export function describeConfirmation(confirmation: number): string {
  return MEANINGS.get(confirmation)?.text ?? `the module answered with unknown code 0x${hex8(confirmation)}`;
}

/** The error for a non-zero confirmation code in the reply to `command`. */
export function confirmationError(confirmation: number, command: string): DriverError {
  const meaning = MEANINGS.get(confirmation);
  return new DriverError(
    meaning?.code ?? DriverErrorCode.ModuleError,
    `${command}: ${describeConfirmation(confirmation)} (code 0x${hex8(confirmation)})`,
    { command, confirmation },
  );
}

/** The module got a damaged packet (01): it did not act on it, so sending it again is safe. */
export function isReceiveError(error: unknown): error is DriverError {
  return (
    isDriverError(error, DriverErrorCode.ModuleError) && error.context['confirmation'] === Confirmation.ReceiveError
  );
}
