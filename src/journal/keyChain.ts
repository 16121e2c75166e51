import { z } from 'zod';
import type { Db } from '../store/database.js';
import { statement } from '../store/statements.js';
import { keyIdOf, recordDigest, signDigest, verifyDigest, type DeviceKey } from './keyCrypto.js';

/** One row of device_keys. */
export interface KeyRecord {
  keyId: string;
  publicKey: string;
  /** First seq signed by this key; the rotation entry that introduced it is firstSeq − 1. */
  firstSeq: number;
  previousKeyId: string | null;
  /** The previous key's signature over this key's endorsementDigest; null for the first key. */
  endorsement: string | null;
}

interface KeyRow {
  key_id: string;
  public_key: string;
  first_seq: number;
  previous_key_id: string | null;
  endorsement: string | null;
}

function toRecord(row: KeyRow): KeyRecord {
  return {
    keyId: row.key_id,
    publicKey: row.public_key,
    firstSeq: row.first_seq,
    previousKeyId: row.previous_key_id,
    endorsement: row.endorsement,
  };
}

export function keyRecords(db: Db): KeyRecord[] {
  return (statement(db, 'SELECT * FROM device_keys ORDER BY first_seq').all() as KeyRow[]).map(toRecord);
}

export function registerFirstKey(db: Db, key: DeviceKey, firstSeq: number): void {
  statement(
    db,
    'INSERT INTO device_keys (key_id, public_key, first_seq, previous_key_id, endorsement) VALUES (?, ?, ?, NULL, NULL)',
  ).run(key.keyId, key.publicKey, firstSeq);
}

function endorsementDigest(record: Pick<KeyRecord, 'keyId' | 'publicKey' | 'firstSeq' | 'previousKeyId'>): string {
  return recordDigest('key-rotation', {
    keyId: record.keyId,
    publicKey: record.publicKey,
    firstSeq: record.firstSeq,
    previousKeyId: record.previousKeyId,
  });
}

/** Records a rotated-in key, endorsed by the key it replaces. */
export function registerRotatedKey(db: Db, next: DeviceKey, previous: DeviceKey, firstSeq: number): void {
  const record = { keyId: next.keyId, publicKey: next.publicKey, firstSeq, previousKeyId: previous.keyId };
  statement(
    db,
    'INSERT INTO device_keys (key_id, public_key, first_seq, previous_key_id, endorsement) VALUES (?, ?, ?, ?, ?)',
  ).run(
    record.keyId,
    record.publicKey,
    record.firstSeq,
    record.previousKeyId,
    signDigest(previous, endorsementDigest(record)),
  );
}

/**
 * Which keys may sign. Only the first key is trusted on first use; every later key must carry an
 * endorsement by a trusted predecessor, so a key inserted into device_keys by hand is refused
 * (its endorsement would need the previous private key). Endorsements live in device_keys rather
 * than only in the rotation entry, because pruning may remove that entry.
 */
export class KeyChain {
  private readonly trusted: KeyRecord[] = [];
  /** Why each untrusted key was refused, by key id. */
  readonly refused = new Map<string, string>();

  constructor(records: readonly KeyRecord[]) {
    const byId = new Map(records.map((record) => [record.keyId, record]));
    for (const record of records) {
      const problem = this.problemWith(record, byId);
      if (problem === undefined) this.trusted.push(record);
      else this.refused.set(record.keyId, problem);
    }
  }

  static load(db: Db): KeyChain {
    return new KeyChain(keyRecords(db));
  }

  /** Records come in first_seq order, so a predecessor is always judged before its successor. */
  private problemWith(record: KeyRecord, byId: ReadonlyMap<string, KeyRecord>): string | undefined {
    if (keyIdOf(record.publicKey) !== record.keyId) return `key ${record.keyId} does not match its public key`;
    if (record.previousKeyId === null) {
      return this.trusted.length === 0
        ? undefined
        : `key ${record.keyId} claims to be a first key, but key ${this.trusted[0]!.keyId} came first`;
    }
    const previous = byId.get(record.previousKeyId);
    if (previous === undefined || !this.trusted.includes(previous)) {
      return `key ${record.keyId} names ${record.previousKeyId} as its predecessor, which is not a trusted device key`;
    }
    if (
      record.endorsement === null ||
      !verifyDigest(previous.publicKey, endorsementDigest(record), record.endorsement)
    ) {
      return `key ${record.keyId} has no valid endorsement by key ${previous.keyId}: no rotation introduced it`;
    }
    return undefined;
  }

  trustedKey(keyId: string): KeyRecord | undefined {
    return this.trusted.find((record) => record.keyId === keyId);
  }

  /** The trusted key that signs entry `seq`: the latest one introduced at or before it. */
  keyInForce(seq: number): KeyRecord | undefined {
    let inForce: KeyRecord | undefined;
    for (const record of this.trusted) {
      if (record.firstSeq <= seq) inForce = record;
    }
    return inForce;
  }
}

/** Payload of a `journal.key_rotated` entry: written by the old key, naming the new one. */
export const keyRotationPayloadSchema = z.strictObject({
  keyId: z.string(),
  publicKey: z.string(),
  previousKeyId: z.string(),
});
export type KeyRotationPayload = z.infer<typeof keyRotationPayloadSchema>;

export const KEY_ROTATED_EVENT = 'journal.key_rotated';
