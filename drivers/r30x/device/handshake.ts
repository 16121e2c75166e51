/**
 * Finding and unlocking the module: VfyPwd is the liveness probe (handshake opcodes differ between
 * models, and 0x35 is the R503's LED command), retried while the module boots, then at each
 * standard speed when the configured one gets no answer.
 */
import { DriverError, DriverErrorCode, isDriverError } from '../../common/errors.js';
import type { DriverLogger } from '../../common/logger.js';
import type { ByteTransport } from '../../common/transport.js';
import { isReceiveError } from '../framing/confirmation.js';
import { vfyPwd } from '../framing/instructions.js';
import { BAUD_UNIT } from '../framing/replies.js';
import type { R30xTimeouts } from '../protocol/policy.js';
import type { R30xProtocol } from '../protocol/protocol.js';

/** A new or reset module's password. */
export const FACTORY_PASSWORD = 0;

/** 9600 × N for N = 1…12, the most common first (factory 57600, then popular reconfigurations). */
export const PROBE_ORDER: readonly number[] = [57_600, 115_200, 9_600, 19_200, 38_400].concat(
  Array.from({ length: 12 }, (_, index) => BAUD_UNIT * (index + 1)).filter(
    (rate) => ![57_600, 115_200, 9_600, 19_200, 38_400].includes(rate),
  ),
);

export type Credential = 'device' | 'factory';

export interface HandshakeContext {
  readonly protocol: R30xProtocol;
  readonly transport: ByteTransport;
  readonly logger: DriverLogger;
  readonly timeouts: R30xTimeouts;
}

export interface HandshakeResult {
  readonly baudRate: number;
  readonly credential: Credential;
}

/**
 * Tries `preferredBaudRate` for the power-on allowance, then every other standard speed once.
 * Leaves the transport at the speed the module answered at.
 */
export async function handshake(
  context: HandshakeContext,
  preferredBaudRate: number,
  password: number,
): Promise<HandshakeResult> {
  const deadline = performance.now() + context.timeouts.powerOnMs;
  await useBaudRate(context, preferredBaudRate);
  do {
    const credential = await unlock(context, password);
    if (credential !== undefined) return { baudRate: preferredBaudRate, credential };
  } while (performance.now() < deadline);

  const others = PROBE_ORDER.filter((rate) => rate !== preferredBaudRate);
  for (const baudRate of others) {
    await useBaudRate(context, baudRate);
    const credential = await unlock(context, password);
    if (credential !== undefined) {
      context.logger.warn(
        { configured: preferredBaudRate, found: baudRate },
        'r30x module answered at a different speed than configured',
      );
      return { baudRate, credential };
    }
  }
  throw new DriverError(
    DriverErrorCode.NoHandshake,
    `no fingerprint module answered on ${context.transport.description} at ${preferredBaudRate} baud or any ` +
      `standard speed (9600×1…12). Check the module's power (3.3 V or 5 V as its label says), that its TX goes ` +
      `to the adapter's RX and its RX to the adapter's TX, and that it is an R30x/ZFM/AS608-compatible module`,
    { transport: context.transport.description, triedBaudRates: [preferredBaudRate, ...others] },
  );
}

/** The credential that opened the module, or undefined when nothing answered at this speed. */
async function unlock(context: HandshakeContext, password: number): Promise<Credential | undefined> {
  const probe = { timeoutMs: context.timeouts.probeMs, retries: 0 };
  const answer = await verify(context, password, probe);
  if (answer === 'accepted') return password === FACTORY_PASSWORD ? 'factory' : 'device';
  if (answer === 'silent') return undefined;
  if (password !== FACTORY_PASSWORD && (await verify(context, FACTORY_PASSWORD, probe)) === 'accepted') {
    return 'factory';
  }
  throw new DriverError(
    DriverErrorCode.WrongPassword,
    `the fingerprint module on ${context.transport.description} rejects this device's password and the factory ` +
      `password: it belongs to another device or was given an unknown password. Fit this device's own module, or ` +
      `have the center recover the password from escrow`,
    { transport: context.transport.description },
  );
}

async function verify(
  context: HandshakeContext,
  password: number,
  probe: { timeoutMs: number; retries: number },
): Promise<'accepted' | 'rejected' | 'silent'> {
  try {
    await context.protocol.execute(vfyPwd(password), probe);
    return 'accepted';
  } catch (error) {
    if (isDriverError(error, DriverErrorCode.WrongPassword)) return 'rejected';
    // A damaged packet (01) at this speed counts as no answer: the next attempt decides.
    if (isDriverError(error, DriverErrorCode.Timeout) || isReceiveError(error)) return 'silent';
    throw error;
  }
}

async function useBaudRate(context: HandshakeContext, baudRate: number): Promise<void> {
  await context.transport.setBaudRate(baudRate);
  context.protocol.baudRate = baudRate;
}
