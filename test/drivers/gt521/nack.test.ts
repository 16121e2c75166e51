import { describe, expect, it } from 'vitest';
import { DriverErrorCode } from '../../../drivers/common/errors.js';
import { Gt521Nack, nackError } from '../../../drivers/gt521/framing/nack.js';

describe('GT-521F NACK codes', () => {
  it.each([
    [Gt521Nack.InvalidPosition, DriverErrorCode.SlotOutOfRange, /beyond the module’s capacity/],
    [Gt521Nack.IsNotUsed, DriverErrorCode.SlotEmpty, /holds no fingerprint/],
    [Gt521Nack.DbIsFull, DriverErrorCode.LibraryFull, /every slot/],
    [Gt521Nack.BadFinger, DriverErrorCode.PoorImage, /too poor/],
    [Gt521Nack.EnrollFailed, DriverErrorCode.EnrollMismatch, /did not combine/],
    [Gt521Nack.FingerIsNotPressed, DriverErrorCode.NoFinger, /no finger/],
    [Gt521Nack.IsNotSupported, DriverErrorCode.Unsupported, /does not support/],
    [Gt521Nack.InvalidBaudrate, DriverErrorCode.Unsupported, /baud rate/],
    [Gt521Nack.DeviceError, DriverErrorCode.ModuleError, /device fault/],
    [Gt521Nack.Invalid, DriverErrorCode.ModuleError, /invalid/],
  ])('NACK %i maps to its error code with English text', (nack, code, text) => {
    const error = nackError('Enroll2', nack);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(text);
    expect(error.message).toContain(`(NACK 0x${nack.toString(16).toUpperCase()})`);
    expect(error.message.startsWith('Enroll2: ')).toBe(true);
    expect(error.context).toMatchObject({ operation: 'Enroll2', nack });
  });

  it('reads a value below 0x1000 as the slot of a duplicate only where the module checks duplicates', () => {
    const duplicate = nackError('Enroll3', 2999, 'duplicate-check');
    expect(duplicate.code).toBe(DriverErrorCode.DuplicateFinger);
    expect(duplicate.context).toMatchObject({ slot: 2999 });
    expect(duplicate.message).toMatch(/already enrolled in slot 2999/);
    expect(nackError('GetTemplate(3)', 7).code).toBe(DriverErrorCode.UnexpectedReply);
  });

  it('keeps an unknown code visible in hex', () => {
    const error = nackError('Open', 0x1234);
    expect(error.code).toBe(DriverErrorCode.ModuleError);
    expect(error.message).toMatch(/does not know \(NACK 0x1234\)/);
  });
});
