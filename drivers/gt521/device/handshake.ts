import { DriverError, DriverErrorCode, isDriverError } from '../../common/errors.js';
import type { DriverLogger } from '../../common/logger.js';
import { gt521Commands } from '../framing/commands.js';
import { OPEN_INFO_SIZE, POWER_ON_BAUD_RATE, SUPPORTED_BAUD_RATES } from '../framing/constants.js';
import { nackError } from '../framing/nack.js';
import { decodeOpenInfo, type Gt521OpenInfo } from '../framing/packet.js';
import type { Gt521Protocol } from '../protocol/protocol.js';

export interface Gt521Session {
  readonly info: Gt521OpenInfo;
  /** Where the module answered the first Open: 9600 after a power-on, or a speed left from before. */
  readonly foundAtBaudRate: number;
  /** Where both sides run now. */
  readonly baudRate: number;
}

/**
 * The start-up conversation. A GT-5x1 comes up at 9600 after every power-on and keeps any speed
 * set by ChangeBaudrate until it loses power, so a module the agent already switched (an agent
 * restart, a replug of the USB adapter alone) still runs at the old speed. Hence: open the
 * transport at 9600 and Open with the information packet (serial number, firmware); if nothing
 * answers, try the configured speed (the likeliest leftover) and then the other supported ones;
 * once found, ChangeBaudrate to the configured speed and Open again there to confirm.
 */
export async function openSession(
  protocol: Gt521Protocol,
  targetBaudRate: number,
  handshakeTimeoutMs: number,
  logger: DriverLogger,
): Promise<Gt521Session> {
  await protocol.open(POWER_ON_BAUD_RATE);
  const candidates = [...new Set([POWER_ON_BAUD_RATE, targetBaudRate, ...SUPPORTED_BAUD_RATES])];
  for (const baudRate of candidates) {
    if (baudRate !== protocol.baudRate) await protocol.setHostBaudRate(baudRate);
    // One retry at the power-on speed, where the first bytes may meet a module still booting.
    const retries = baudRate === POWER_ON_BAUD_RATE ? 1 : 0;
    const info = await openWithInfo(protocol, handshakeTimeoutMs, retries);
    if (info === undefined) {
      logger.debug({ baudRate }, 'gt521: no answer to Open at this speed');
      continue;
    }
    logger.info({ baudRate, firmware: info.firmwareVersion }, 'gt521: module answered');
    if (baudRate !== targetBaudRate) await switchSpeed(protocol, targetBaudRate, handshakeTimeoutMs);
    return { info, foundAtBaudRate: baudRate, baudRate: targetBaudRate };
  }
  throw new DriverError(
    DriverErrorCode.NoHandshake,
    `no GT-521F module answered on ${protocol.description} at ${candidates.join(', ')} baud. ` +
      'Check that the module has power, that its TX goes to the adapter’s RX and RX to TX, and ' +
      'that scanner.path names the scanner’s adapter',
    { tried: candidates },
  );
}

async function openWithInfo(
  protocol: Gt521Protocol,
  timeoutMs: number,
  retries: number,
): Promise<Gt521OpenInfo | undefined> {
  const request = gt521Commands.open(true);
  try {
    const reply = await protocol.commandWithData(request, OPEN_INFO_SIZE, { timeoutMs, retries });
    if (!reply.response.ack) throw nackError(request.name, reply.response.param);
    return decodeOpenInfo(reply.data ?? Buffer.alloc(0));
  } catch (error) {
    if (isDriverError(error, DriverErrorCode.Timeout)) return undefined;
    throw error;
  }
}

async function switchSpeed(protocol: Gt521Protocol, baudRate: number, timeoutMs: number): Promise<void> {
  const from = protocol.baudRate;
  await protocol.changeBaudRate(baudRate);
  const request = gt521Commands.open(false);
  try {
    const response = await protocol.command(request, { timeoutMs, retries: 1 });
    if (!response.ack) throw nackError(request.name, response.param);
  } catch (error) {
    if (!isDriverError(error, DriverErrorCode.Timeout)) throw error;
    throw new DriverError(
      DriverErrorCode.NoHandshake,
      `the GT-521F module accepted a switch from ${from} to ${baudRate} baud but does not answer at ` +
        `${baudRate}; the adapter may not handle that speed: configure a lower scanner.baudRate`,
      { from, to: baudRate },
      { cause: error },
    );
  }
}
