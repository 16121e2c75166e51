import { lookup } from 'node:dns/promises';
import { connect as tcpConnect } from 'node:net';
import type { IClientOptions } from 'mqtt';
import { isAgentError, ErrorCode } from '../../errors.js';
import { brokerForDisplay } from './brokerUrl.js';
import { buildClientOptions, type CountySettings } from './clientOptions.js';
import { describeError, reasonText } from './reasons.js';

/**
 * One connection to the county broker, to learn whether a room can reach it and, when it cannot,
 * at which step it fails: the name (DNS), the road (TCP), the handshake (TLS, or a clock so far off
 * that no certificate is valid), or the door (the broker's CONNACK refusing the credentials). It
 * connects once with a clean session under its own client id, subscribes to nothing and leaves no
 * will, so the check never takes the daemon's session or makes the board show the room offline.
 */

/**
 * Where the connection failed:
 * - dns: the host name does not resolve;
 * - tcp: nothing accepts the connection (refused, timed out, no route);
 * - credentials: a TLS file named in the county section cannot be read or parsed;
 * - tls: the handshake failed (the CA, the client certificate, the host name);
 * - clock: the certificates are not valid at this device's time (the clock is far off);
 * - auth: the broker refused the user name, password or certificate (CONNACK);
 * - refused: the broker refused the connection for another reason (CONNACK);
 * - timeout: the connection was accepted but no CONNACK came in time (a broker that hangs, or TLS to a plaintext port).
 */
export type BrokerFailureKind = 'dns' | 'tcp' | 'credentials' | 'tls' | 'clock' | 'auth' | 'refused' | 'timeout';

export type BrokerCheckResult =
  | { ok: true; url: string; clientId: string; ms: number }
  | {
      ok: false;
      url: string;
      clientId: string;
      kind: BrokerFailureKind;
      /** What failed, in English: the errno code, the TLS error or the CONNACK reason, with a hint. */
      reason: string;
      /** The errno or TLS code (string), or the CONNACK reason code (number), when there is one. */
      code?: string | number;
    };

export interface BrokerCheckOptions {
  county: CountySettings;
  deviceId: string;
  /** The whole check, DNS to CONNACK. Default 10 s. */
  timeoutMs?: number;
  /** Names the check's client id (`<device.id>-<purpose>`). Default provision. */
  purpose?: BrokerCheckPurpose;
  /** The device's clock, named when the certificates say it is wrong. Default the system clock. */
  now?: () => Date;
}

export const BROKER_CHECK_TIMEOUT_MS = 10_000;

/** Who connects for a check: provision while it sets the room up, or the doctor. */
export type BrokerCheckPurpose = 'provision' | 'doctor';

/** The client id of a check: never the daemon's, so a check does not throw the running daemon off. */
export function checkClientId(deviceId: string, purpose: BrokerCheckPurpose = 'provision'): string {
  return `${deviceId}-${purpose}`;
}

const DEFAULT_PORTS: Record<string, number> = { 'mqtt:': 1883, 'mqtts:': 8883, 'ws:': 80, 'wss:': 443 };
/** CONNACK codes that mean "not these credentials": MQTT 5 (0x86, 0x87, 0x8c) and MQTT 3.1.1 (4, 5). */
const AUTH_CODES = new Set([0x86, 0x87, 0x8c, 4, 5]);
const CLOCK_CODES = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME']);

type Failure = Omit<Extract<BrokerCheckResult, { ok: false }>, 'ok' | 'url' | 'clientId'>;

/** Connects once and says whether, or where, it failed. Never throws for a broker that cannot be reached. */
export async function checkBroker(options: BrokerCheckOptions): Promise<BrokerCheckResult> {
  const started = performance.now();
  const deadline = started + (options.timeoutMs ?? BROKER_CHECK_TIMEOUT_MS);
  const url = brokerForDisplay(options.county.url);
  const clientId = checkClientId(options.deviceId, options.purpose);
  const failure = await firstFailure(options, deadline);
  if (failure !== undefined) return { ok: false, url, clientId, ...failure };
  return { ok: true, url, clientId, ms: Math.round(performance.now() - started) };
}

async function firstFailure(options: BrokerCheckOptions, deadline: number): Promise<Failure | undefined> {
  const parsed = new URL(options.county.url);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port === '' ? DEFAULT_PORTS[parsed.protocol]! : Number(parsed.port);
  const address = await resolve(host, deadline);
  if (typeof address !== 'string') return address;
  return (await reachTcp(address, port, deadline)) ?? (await connectMqtt(options, deadline));
}

function remaining(deadline: number): number {
  return Math.max(1, Math.round(deadline - performance.now()));
}

async function resolve(host: string, deadline: number): Promise<string | Failure> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Failure>((done) => {
    timer = setTimeout(
      () => done({ kind: 'dns', reason: `no answer for ${host} within the check's time`, code: 'ETIMEOUT' }),
      remaining(deadline),
    );
  });
  try {
    return await Promise.race([lookup(host).then((found) => found.address), timedOut]);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EAI_FAIL';
    return { kind: 'dns', reason: `${host} cannot be resolved (${code})`, code };
  } finally {
    clearTimeout(timer);
  }
}

function reachTcp(address: string, port: number, deadline: number): Promise<Failure | undefined> {
  return new Promise((done) => {
    const socket = tcpConnect({ host: address, port });
    const finish = (failure: Failure | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      done(failure);
    };
    const timer = setTimeout(
      () =>
        finish({
          kind: 'tcp',
          reason: `${address}:${port} did not answer the connection (timed out)`,
          code: 'ETIMEDOUT',
        }),
      remaining(deadline),
    );
    socket.once('connect', () => finish(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish({ kind: 'tcp', reason: `${address}:${port}: ${error.code ?? error.message}`, code: error.code ?? 'ETCP' }),
    );
  });
}

async function connectMqtt(options: BrokerCheckOptions, deadline: number): Promise<Failure | undefined> {
  let clientOptions: IClientOptions;
  try {
    clientOptions = {
      ...buildClientOptions({
        county: options.county,
        deviceId: options.deviceId,
        connackTimeoutMs: remaining(deadline),
      }),
      clientId: checkClientId(options.deviceId, options.purpose),
      clean: true,
      properties: { sessionExpiryInterval: 0 },
    };
  } catch (error) {
    if (isAgentError(error, ErrorCode.LinkCredentials)) return { kind: 'credentials', reason: error.message };
    throw error;
  }
  const { default: mqtt } = await import('mqtt');
  const client = mqtt.connect(options.county.url, clientOptions);
  return new Promise((done) => {
    const finish = (failure: Failure | undefined): void => {
      clearTimeout(timer);
      client.removeAllListeners();
      // An error after the end must not become an unhandled 'error' event.
      client.on('error', () => undefined);
      client.end(true);
      done(failure);
    };
    const timer = setTimeout(
      () => finish({ kind: 'timeout', reason: 'the broker accepted the connection but sent no CONNACK in time' }),
      remaining(deadline),
    );
    client.once('connect', () => finish(undefined));
    client.on('error', (error) => finish(classifyMqttError(error, options.now ?? (() => new Date()))));
    client.once('close', () =>
      finish({ kind: 'refused', reason: 'the broker closed the connection before its CONNACK' }),
    );
  });
}

function classifyMqttError(error: Error, now: () => Date): Failure {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'number') {
    const reason = `${reasonText(code)}: ${describeError(error)}`;
    return { kind: AUTH_CODES.has(code) ? 'auth' : 'refused', reason, code };
  }
  const text = typeof code === 'string' ? code : '';
  if (CLOCK_CODES.has(text))
    return {
      kind: 'clock',
      reason: `${describeError(error)}; this device's clock reads ${now().toISOString()}`,
      code: text,
    };
  if (DNS_CODES.has(text)) return { kind: 'dns', reason: describeError(error), code: text };
  if (text === 'ECONNREFUSED' || text === 'ETIMEDOUT' || text === 'EHOSTUNREACH' || text === 'ENETUNREACH')
    return { kind: 'tcp', reason: describeError(error), code: text };
  return { kind: 'tls', reason: describeError(error), ...(text === '' ? {} : { code: text }) };
}
