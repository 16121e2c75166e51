/** The GT-511C3 / GT-521F32 / GT-521F52 family: framing, protocol and the scanner device. */
export { Gt521Scanner, type Gt521ScannerOptions } from './device/scanner.js';
export { DEFAULT_ENROLLMENT_SETTINGS, type EnrollmentSettings } from './device/enrollment.js';
export { DEFAULT_GT521_TIMEOUTS, gt521TimeoutsSchema, type Gt521Timeouts } from './protocol/timeouts.js';
export { Gt521Protocol } from './protocol/protocol.js';
export { gt521Commands } from './framing/commands.js';
export { Gt521Command, SUPPORTED_BAUD_RATES, TEMPLATE_SIZE } from './framing/constants.js';
export { Gt521Nack, nackError } from './framing/nack.js';
export { Gt521Parser } from './framing/parser.js';
export {
  decodeDataPacket,
  decodeOpenInfo,
  decodeResponse,
  encodeCommand,
  encodeDataPacket,
  type Gt521OpenInfo,
  type Gt521Packet,
  type Gt521Request,
  type Gt521Response,
} from './framing/packet.js';
