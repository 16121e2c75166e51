/**
 * Wire constants of the ADH-Tech GT-511C3 / GT-521F32 / GT-521F52 UART protocol
 * (drivers/gt521/README.md). Every multi-byte field is little-endian.
 */

/** Command and response packets start with 55 AA. */
export const COMMAND_START = [0x55, 0xaa] as const;
/** Data packets (module info, templates) start with 5A A5. */
export const DATA_START = [0x5a, 0xa5] as const;
/** The module's fixed device id; a packet carrying any other id is not from our module. */
export const DEVICE_ID = 0x0001;

/** Command and response packets: start(2) device id(2) param(4) code(2) checksum(2). */
export const COMMAND_PACKET_SIZE = 12;
/** Bytes a data packet adds around its payload: start(2) device id(2) … checksum(2). */
export const DATA_PACKET_OVERHEAD = 6;

export const ACK = 0x30;
export const NACK = 0x31;

export const Gt521Command = {
  Open: 0x01,
  Close: 0x02,
  ChangeBaudrate: 0x04,
  CmosLed: 0x12,
  GetEnrollCount: 0x20,
  CheckEnrolled: 0x21,
  EnrollStart: 0x22,
  Enroll1: 0x23,
  Enroll2: 0x24,
  Enroll3: 0x25,
  IsPressFinger: 0x26,
  DeleteID: 0x40,
  DeleteAll: 0x41,
  Verify1_1: 0x50,
  Identify1_N: 0x51,
  CaptureFinger: 0x60,
  GetTemplate: 0x70,
  SetTemplate: 0x71,
  SetSecurityLevel: 0xf0,
  GetSecurityLevel: 0xf1,
  EnterStandby: 0xf9,
} as const;

export type Gt521CommandName = keyof typeof Gt521Command;
export type Gt521CommandCode = (typeof Gt521Command)[Gt521CommandName];

/** Payload of the data packet that follows Open with a non-zero parameter. */
export const OPEN_INFO_SIZE = 24;
/** Every GT-5x1 model stores 498-byte templates (GetTemplate / SetTemplate / Enroll3 with id −1). */
export const TEMPLATE_SIZE = 498;

/** The speeds ChangeBaudrate accepts; the module comes up at 9600 after every power-on. */
export const SUPPORTED_BAUD_RATES = [9600, 19200, 38400, 57600, 115200] as const;
export const POWER_ON_BAUD_RATE = 9600;

/** SetSecurityLevel accepts 1 (lowest false rejection) … 5 (lowest false acceptance). */
export const SECURITY_LEVELS = { min: 1, max: 5 } as const;
