import { createHash } from 'node:crypto';
import { AgentError, ErrorCode } from '../errors.js';
import type { EntryContent, JsonValue } from './types.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The canonical encoding that entry hashes are computed over (RFC 8785 JCS for the value types an
 * event may hold):
 * - objects: members sorted by key in UTF-16 code unit order, `{"a":1,"b":2}`, no whitespace;
 * - arrays in their order; strings as JSON.stringify writes them (`"`, `\` and control characters
 *   escaped, everything else literal UTF-8); numbers as ECMAScript writes them (JSON.stringify,
 *   which is what JCS prescribes; -0 is written 0); true, false, null;
 * - rejected: non-finite numbers, undefined, bigint, functions, symbols, strings with lone
 *   surrogates, and any object that is not a plain object or array (Date, Map, class instances),
 *   because none of them survives a JSON round trip unchanged.
 * The hash is SHA-256 over the UTF-8 bytes of this text, written as 64 lowercase hex digits.
 */
export function canonicalJson(value: unknown, path = '$'): string {
  switch (typeof value) {
    case 'string':
      if (LONE_SURROGATE.test(value)) throw badValue(path, 'string contains a lone UTF-16 surrogate');
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw badValue(path, `number must be finite, got ${value}`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return canonicalArray(value, path);
      return canonicalObject(value, path);
    default:
      throw badValue(path, `${typeof value} is not a JSON value`);
  }
}

function canonicalArray(value: unknown[], path: string): string {
  // Array.from turns holes into undefined, which is then rejected instead of written as ",,".
  return `[${Array.from(value, (item, index) => canonicalJson(item, `${path}[${index}]`)).join(',')}]`;
}

function canonicalObject(value: object, path: string): string {
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    throw badValue(path, `${value.constructor?.name ?? 'object'} is not a plain object`);
  }
  const record = value as Record<string, unknown>;
  // Default sort compares UTF-16 code units, which is exactly JCS's member order.
  const members = Object.keys(record)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key], `${path}.${key}`)}`);
  return `{${members.join(',')}}`;
}

function badValue(path: string, problem: string): AgentError {
  return new AgentError(ErrorCode.JournalBadInput, `${path}: ${problem}; event payloads must be plain JSON`, { path });
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Hash of an entry: SHA-256 of the canonical encoding of all its fields except hash and signature. */
export function entryHash(content: EntryContent): string {
  const fields: Record<keyof EntryContent, JsonValue> = {
    seq: content.seq,
    id: content.id,
    type: content.type,
    payload: content.payload,
    wallMs: content.wallMs,
    bootId: content.bootId,
    monoMs: content.monoMs,
    clock: content.clock,
    prevHash: content.prevHash,
    keyId: content.keyId,
  };
  return sha256Hex(canonicalJson(fields));
}
