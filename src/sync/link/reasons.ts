import { LinkDownError, LinkPublishRefused } from './errors.js';

/**
 * Why a connection or a publish failed, in words a technician can act on: OpenSSL's and Node's
 * TLS errors name the symptom (an alert number, a verify code), the hint names the county
 * setting to check; MQTT reason codes get their names.
 */
const MAX_REASON_LENGTH = 300;

/**
 * The MQTT 5 reason codes a broker answers a refused CONNECT, PUBLISH, SUBSCRIBE or a DISCONNECT
 * with, named as in the MQTT 5.0 specification (section 2.4). Our own table rather than mqtt.js's:
 * that one is internal to the package (lib/handlers/ack, outside its exports), so any release
 * could move it. Codes below 0x80 other than these mean success (a granted QoS) and are never
 * shown; 0x00 reaches us only in a DISCONNECT.
 */
const REASON_NAMES: Readonly<Record<number, string | undefined>> = {
  0x00: 'Normal disconnection',
  0x04: 'Disconnect with Will Message',
  0x10: 'No matching subscribers',
  0x11: 'No subscription existed',
  0x18: 'Continue authentication',
  0x19: 'Re-authenticate',
  0x80: 'Unspecified error',
  0x81: 'Malformed Packet',
  0x82: 'Protocol Error',
  0x83: 'Implementation specific error',
  0x84: 'Unsupported Protocol Version',
  0x85: 'Client Identifier not valid',
  0x86: 'Bad User Name or Password',
  0x87: 'Not authorized',
  0x88: 'Server unavailable',
  0x89: 'Server busy',
  0x8a: 'Banned',
  0x8b: 'Server shutting down',
  0x8c: 'Bad authentication method',
  0x8d: 'Keep Alive timeout',
  0x8e: 'Session taken over',
  0x8f: 'Topic Filter invalid',
  0x90: 'Topic Name invalid',
  0x91: 'Packet Identifier in use',
  0x92: 'Packet Identifier not found',
  0x93: 'Receive Maximum exceeded',
  0x94: 'Topic Alias invalid',
  0x95: 'Packet too large',
  0x96: 'Message rate too high',
  0x97: 'Quota exceeded',
  0x98: 'Administrative action',
  0x99: 'Payload format invalid',
  0x9a: 'Retain not supported',
  0x9b: 'QoS not supported',
  0x9c: 'Use another server',
  0x9d: 'Server moved',
  0x9e: 'Shared Subscriptions not supported',
  0x9f: 'Connection rate exceeded',
  0xa0: 'Maximum connect time',
  0xa1: 'Subscription Identifiers not supported',
  0xa2: 'Wildcard Subscriptions not supported',
};

const TLS_HINTS: Record<string, string> = {
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED:
    'the broker requires a client certificate: set county.certFile and county.keyFile',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE:
    'the broker refused the TLS handshake (a client certificate missing or not accepted?)',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'the broker did not accept the client certificate (county.certFile)',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'the broker does not trust the CA of the client certificate (county.certFile)',
  SELF_SIGNED_CERT_IN_CHAIN: "the broker's certificate is not signed by the CA in county.caFile",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the broker's certificate is self-signed and not in county.caFile",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the broker's certificate is not signed by the CA in county.caFile",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the broker's certificate is not signed by the CA in county.caFile",
  CERT_HAS_EXPIRED: "the broker's certificate has expired (or this device's clock is far off)",
  CERT_NOT_YET_VALID: "the broker's certificate is not valid yet (this device's clock may be behind)",
  ERR_TLS_CERT_ALTNAME_INVALID: "the broker's certificate does not name the host in county.url",
};

/** CONNACK refusals (mqtt.js: "Connection refused: …", the reason code as error.code). */
const CONNACK_HINTS: Record<number, string> = {
  0x85: 'the broker does not accept device.id as a client id',
  0x86: 'check county.username and county.password (ROOM_AGENT_COUNTY_PASSWORD)',
  0x87: 'check county.username and county.password (or the client certificate) and the broker ACL',
  0x8a: 'the broker has banned this client',
};

/** "…:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:../deps/…" → "tlsv13 alert certificate required" */
function openSslReason(message: string): string {
  return /SSL routines:[^:]*:([^:]+):/.exec(message)?.[1] ?? message;
}

/** The message of a connection error, OpenSSL noise removed, with a hint for known TLS failures. */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? openSslReason(error.message) : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const refused = typeof code === 'number' && message.startsWith('Connection refused');
  const hint = typeof code === 'string' ? TLS_HINTS[code] : refused ? CONNACK_HINTS[code] : undefined;
  const text = hint === undefined ? message : `${message}: ${hint}`;
  return text.length > MAX_REASON_LENGTH ? `${text.slice(0, MAX_REASON_LENGTH)}…` : text;
}

/** "0x87 Not authorized" */
export function reasonText(code: number | undefined): string {
  return code === undefined
    ? 'no reason code'
    : `0x${code.toString(16).padStart(2, '0')} ${REASON_NAMES[code] ?? 'unknown reason'}`;
}

/** What a publish callback's error means for the caller: the broker's refusal, or a lost connection. */
export function publishError(topic: string, error: Error): Error {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'number' && code >= 0x80)
    return new LinkPublishRefused(topic, code, REASON_NAMES[code] ?? 'unknown reason');
  return new LinkDownError(describeError(error));
}

/** "<topic> (0x87 Not authorized)" for each subscription the SUBACK refused (reason code ≥ 0x80). */
export function refusedSubscriptions(subscriptions: readonly string[], error: Error): string[] {
  const granted = (error as { packet?: { granted?: unknown } }).packet?.granted;
  if (!Array.isArray(granted)) return [];
  return subscriptions.flatMap((topic, index) => {
    const code: unknown = granted[index];
    return typeof code === 'number' && code >= 0x80 ? [`${topic} (${reasonText(code)})`] : [];
  });
}
