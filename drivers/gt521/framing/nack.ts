import { DriverError, DriverErrorCode } from '../../common/errors.js';

/** The error codes a NACK carries in its parameter (ADH-Tech's list, drivers/gt521/README.md). */
export const Gt521Nack = {
  Timeout: 0x1001,
  InvalidBaudrate: 0x1002,
  InvalidPosition: 0x1003,
  IsNotUsed: 0x1004,
  IsAlreadyUsed: 0x1005,
  CommError: 0x1006,
  VerifyFailed: 0x1007,
  IdentifyFailed: 0x1008,
  DbIsFull: 0x1009,
  DbIsEmpty: 0x100a,
  TurnError: 0x100b,
  BadFinger: 0x100c,
  EnrollFailed: 0x100d,
  IsNotSupported: 0x100e,
  DeviceError: 0x100f,
  CaptureCancelled: 0x1010,
  InvalidParam: 0x1011,
  FingerIsNotPressed: 0x1012,
  Invalid: 0xffff,
} as const;

interface NackMeaning {
  readonly code: DriverErrorCode;
  readonly text: string;
}

const MEANINGS: ReadonlyMap<number, NackMeaning> = new Map(
  (
    [
      [Gt521Nack.Timeout, DriverErrorCode.ModuleError, 'the module timed out'],
      [Gt521Nack.InvalidBaudrate, DriverErrorCode.Unsupported, 'the module does not support that baud rate'],
      [Gt521Nack.InvalidPosition, DriverErrorCode.SlotOutOfRange, 'the slot is beyond the module’s capacity'],
      [Gt521Nack.IsNotUsed, DriverErrorCode.SlotEmpty, 'the slot holds no fingerprint'],
      [
        Gt521Nack.IsAlreadyUsed,
        DriverErrorCode.ModuleError,
        'the slot already holds a fingerprint; delete it first or choose a free slot',
      ],
      [Gt521Nack.CommError, DriverErrorCode.ModuleError, 'the module received a damaged packet'],
      [Gt521Nack.VerifyFailed, DriverErrorCode.ModuleError, 'the finger does not match the slot’s fingerprint'],
      [Gt521Nack.IdentifyFailed, DriverErrorCode.ModuleError, 'the finger matches no enrolled fingerprint'],
      [Gt521Nack.DbIsFull, DriverErrorCode.LibraryFull, 'every slot of the module is in use'],
      [Gt521Nack.DbIsEmpty, DriverErrorCode.SlotEmpty, 'no fingerprint is enrolled on the module'],
      [Gt521Nack.TurnError, DriverErrorCode.ModuleError, 'the module reported an obsolete turn error'],
      [
        Gt521Nack.BadFinger,
        DriverErrorCode.PoorImage,
        'the fingerprint image was too poor to use; place the finger flat and still',
      ],
      [
        Gt521Nack.EnrollFailed,
        DriverErrorCode.EnrollMismatch,
        'the three scans did not combine into one fingerprint; enroll the same finger again',
      ],
      [Gt521Nack.IsNotSupported, DriverErrorCode.Unsupported, 'this module does not support the command'],
      [Gt521Nack.DeviceError, DriverErrorCode.ModuleError, 'the module reported a device fault'],
      [Gt521Nack.CaptureCancelled, DriverErrorCode.ModuleError, 'the module cancelled the capture'],
      [Gt521Nack.InvalidParam, DriverErrorCode.ModuleError, 'the module rejected the command’s parameter'],
      [Gt521Nack.FingerIsNotPressed, DriverErrorCode.NoFinger, 'no finger is on the sensor'],
      [Gt521Nack.Invalid, DriverErrorCode.ModuleError, 'the module rejected the command as invalid'],
    ] as const
  ).map(([nack, code, text]) => [nack, { code, text }]),
);

/**
 * Whether a NACK parameter below 0x1000 names the slot of an already enrolled copy of the finger.
 * Only the enroll steps and SetTemplate answer that way; elsewhere such a value is nonsense.
 */
export type NackContext = 'plain' | 'duplicate-check';

/** Turns a NACK into the DriverError a caller can branch on, with text a technician understands. */
export function nackError(operation: string, nack: number, context: NackContext = 'plain'): DriverError {
  const hex = `0x${nack.toString(16).toUpperCase()}`;
  if (nack < 0x1000) {
    if (context === 'duplicate-check') {
      return new DriverError(
        DriverErrorCode.DuplicateFinger,
        `${operation}: this finger is already enrolled in slot ${nack}`,
        { operation, nack, slot: nack },
      );
    }
    return new DriverError(
      DriverErrorCode.UnexpectedReply,
      `${operation}: the module answered NACK ${hex}, which is not an error code for this command`,
      { operation, nack },
    );
  }
  const meaning = MEANINGS.get(nack) ?? {
    code: DriverErrorCode.ModuleError,
    text: 'the module reported an error code this driver does not know',
  };
  return new DriverError(meaning.code, `${operation}: ${meaning.text} (NACK ${hex})`, {
    operation,
    nack,
  });
}
