import { DriverError, DriverErrorCode } from '../../common/errors.js';
import { Gt521Command, SECURITY_LEVELS, SUPPORTED_BAUD_RATES, type Gt521CommandName } from './constants.js';
import type { Gt521Request } from './packet.js';

/**
 * Typed builders for every command the driver sends. They check what the protocol itself limits
 * (a 32-bit parameter, the five baud rates, security levels 1–5); slot ranges depend on the model
 * and are the device layer's to check.
 */
export const gt521Commands = {
  /** With info, the module follows its ACK with a 24-byte data packet (firmware, serial number). */
  open: (withInfo: boolean) => request('Open', withInfo ? 1 : 0, withInfo ? 'Open(info)' : 'Open'),
  close: () => request('Close', 0),
  /** The module ACKs at its old speed, then switches; it returns to 9600 only at power-off. */
  changeBaudrate: (baudRate: number) => {
    if (!(SUPPORTED_BAUD_RATES as readonly number[]).includes(baudRate)) {
      throw new DriverError(
        DriverErrorCode.Unsupported,
        `a GT-521F module cannot run at ${baudRate} baud; use one of ${SUPPORTED_BAUD_RATES.join(', ')}`,
        { baudRate },
      );
    }
    return request('ChangeBaudrate', baudRate, `ChangeBaudrate(${baudRate})`);
  },
  /** The sensor's light must be on for IsPressFinger and CaptureFinger to see a finger. */
  cmosLed: (on: boolean) => request('CmosLed', on ? 1 : 0, on ? 'CmosLed(on)' : 'CmosLed(off)'),
  getEnrollCount: () => request('GetEnrollCount', 0),
  checkEnrolled: (slot: number) => request('CheckEnrolled', slotParam(slot), `CheckEnrolled(${slot})`),
  /** Slot −1 enrolls without storing: Enroll3 then returns the merged template as a data packet. */
  enrollStart: (slot: number) =>
    request('EnrollStart', slot === -1 ? 0xffffffff : slotParam(slot), `EnrollStart(${slot})`),
  enroll: (scan: 1 | 2 | 3) => request(`Enroll${scan}`, 0),
  isPressFinger: () => request('IsPressFinger', 0),
  deleteId: (slot: number) => request('DeleteID', slotParam(slot), `DeleteID(${slot})`),
  deleteAll: () => request('DeleteAll', 0),
  verify: (slot: number) => request('Verify1_1', slotParam(slot), `Verify1_1(${slot})`),
  identify: () => request('Identify1_N', 0),
  /** The best image is slower and meant for enrollment; the fast one for identification. */
  captureFinger: (best: boolean) =>
    request('CaptureFinger', best ? 1 : 0, best ? 'CaptureFinger(best)' : 'CaptureFinger(fast)'),
  getTemplate: (slot: number) => request('GetTemplate', slotParam(slot), `GetTemplate(${slot})`),
  /** The host sends the template as a data packet after this command's ACK. */
  setTemplate: (slot: number) => request('SetTemplate', slotParam(slot), `SetTemplate(${slot})`),
  getSecurityLevel: () => request('GetSecurityLevel', 0),
  setSecurityLevel: (level: number) => {
    if (!Number.isInteger(level) || level < SECURITY_LEVELS.min || level > SECURITY_LEVELS.max) {
      throw new DriverError(
        DriverErrorCode.Unsupported,
        `security level ${level} does not exist; use ${SECURITY_LEVELS.min} (fewest false ` +
          `rejections) to ${SECURITY_LEVELS.max} (fewest false acceptances)`,
        { level },
      );
    }
    return request('SetSecurityLevel', level, `SetSecurityLevel(${level})`);
  },
  /** GT-521F only; the module sleeps until woken by its host. */
  enterStandby: () => request('EnterStandby', 0),
} as const;

function request(name: Gt521CommandName, param: number, label: string = name): Gt521Request {
  return { command: Gt521Command[name], name: label, param };
}

function slotParam(slot: number): number {
  if (!Number.isInteger(slot) || slot < 0 || slot > 0xffff) {
    throw new DriverError(
      DriverErrorCode.SlotOutOfRange,
      `slot ${slot} is not a template slot number; slots are whole numbers from 0`,
      { slot },
    );
  }
  return slot;
}
