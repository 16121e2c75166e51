import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { IClientOptions } from 'mqtt';
import type { Config } from '../../config/schema.js';
import { LinkCredentialsError } from './errors.js';

export type CountySettings = Config['county'];

/** What the room leaves behind at the broker when its connection dies without a DISCONNECT. */
export interface WillMessage {
  topic: string;
  payload: Buffer | string;
}

export interface ConnectSettings {
  county: CountySettings;
  deviceId: string;
  /** Left out by a one-off check (provision, doctor), which must not mark the room offline when it ends. */
  will?: WillMessage | undefined;
  /** mqtt.js's own CONNACK timeout; the link's watchdog normally gives up first. */
  connackTimeoutMs: number;
}

type CredentialKey = 'caFile' | 'certFile' | 'keyFile';

/** Read at every connect, so a renewed certificate is picked up without a restart. */
function readCredential(county: Partial<Pick<CountySettings, CredentialKey>>, key: CredentialKey): Buffer | undefined {
  const file = county[key];
  if (file === undefined) return undefined;
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LinkCredentialsError(
      key,
      file,
      code === undefined ? (error as Error).message : `cannot read it (${code})`,
      error,
    );
  }
}

/**
 * mqtt.js options for ONE connection attempt. Reconnects are the link's (reconnectPeriod 0):
 * mqtt.js retries every second without backoff. Pings go out every keepalive even while
 * publishing (reschedulePings false), so "nothing received for 2 × keepalive" means the link
 * is dead and not merely busy sending. Throws LinkCredentialsError for an unreadable TLS file.
 */
export function buildClientOptions({ county, deviceId, will, connackTimeoutMs }: ConnectSettings): IClientOptions {
  const ca = readCredential(county, 'caFile');
  const cert = readCredential(county, 'certFile');
  const key = readCredential(county, 'keyFile');
  checkTlsIdentity(county, { ca, cert, key });
  return {
    protocolVersion: 5,
    clientId: deviceId,
    username: county.username ?? deviceId,
    ...(county.password === undefined ? {} : { password: county.password }),
    // A persistent session: commands sent while the room is offline wait at the broker.
    clean: false,
    properties: { sessionExpiryInterval: county.sessionExpirySeconds },
    keepalive: county.keepaliveSeconds,
    reschedulePings: false,
    reconnectPeriod: 0,
    connectTimeout: connackTimeoutMs,
    resubscribe: false,
    queueQoSZero: false,
    ...(will === undefined
      ? {}
      : { will: { topic: will.topic, payload: Buffer.from(will.payload), qos: 1, retain: true } }),
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    rejectUnauthorized: true,
  };
}

/** Runs `parse` on one TLS file, turning what OpenSSL says into a typed error naming the file. */
function parseCredential<T>(
  county: Partial<Pick<CountySettings, CredentialKey>>,
  key: CredentialKey,
  parse: () => T,
): T {
  try {
    return parse();
  } catch (error) {
    throw new LinkCredentialsError(key, county[key] ?? '', `not usable for TLS (${(error as Error).message})`, error);
  }
}

/**
 * Node's TLS parses the files only when the socket is made, where a bad file would surface as
 * an exception inside mqtt.js (or, for a CA file without a certificate, as a vague verification
 * failure); parsed here, each becomes a typed error naming its file.
 */
function checkTlsIdentity(
  county: CountySettings,
  files: { ca?: Buffer | undefined; cert?: Buffer | undefined; key?: Buffer | undefined },
): void {
  const { ca, cert, key } = files;
  if (ca !== undefined) parseCredential(county, 'caFile', () => new X509Certificate(ca));
  if (cert !== undefined) parseCredential(county, 'certFile', () => createSecureContext({ cert }));
  if (key !== undefined) parseCredential(county, 'keyFile', () => createSecureContext({ key }));
  if (cert !== undefined && key !== undefined)
    parseCredential(county, 'keyFile', () => createSecureContext({ cert, key }));
}

/**
 * When the client certificate (county.certFile, its first certificate) stops being valid;
 * undefined without mutual TLS. Throws LinkCredentialsError when the file cannot be read or
 * holds no certificate.
 */
export function certificateExpiry(county: Pick<CountySettings, 'certFile'>): Date | undefined {
  const pem = readCredential(county, 'certFile');
  if (pem === undefined) return undefined;
  return new Date(Date.parse(parseCredential(county, 'certFile', () => new X509Certificate(pem)).validTo));
}
