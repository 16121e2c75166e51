import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentError, ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import { removeFileDurably, writeFileAtomic } from '../util/atomicWrite.js';
import { mkdirDurable } from '../util/durableDir.js';
import type { Db } from '../store/database.js';
import { KeyChain, keyRecords, registerFirstKey, type KeyRecord } from './keyChain.js';
import { deviceKeyFromPem, generateDeviceKey, privateKeyPem, type DeviceKey } from './keyCrypto.js';

/**
 * Private key files under `<dataDir>/keys/` (directory 0700, files 0600). `device.pem` is the key
 * in force; `device.next.pem` exists only while a rotation is in flight and becomes device.pem once
 * the rotation entry has committed.
 */
export interface KeyFiles {
  directory: string;
  current: string;
  next: string;
}

export function keyFiles(dataDir: string): KeyFiles {
  const directory = join(dataDir, 'keys');
  return { directory, current: join(directory, 'device.pem'), next: join(directory, 'device.next.pem') };
}

export function readKeyFile(file: string): DeviceKey | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return deviceKeyFromPem(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new AgentError(
      ErrorCode.JournalKey,
      `${file} is not a readable Ed25519 private key: ${(error as Error).message}; restore it from the backup`,
      { file },
      { cause: error },
    );
  }
}

export function writeKeyFile(file: string, key: DeviceKey): void {
  writeFileAtomic(file, privateKeyPem(key), 0o600);
}

function ensureKeyDirectory(files: KeyFiles): void {
  mkdirDurable(files.directory, 0o700);
  // mkdir leaves an existing directory's mode alone; the key must never be readable by others.
  chmodSync(files.directory, 0o700);
}

/** Makes the rotated-in key the key in force once its rotation entry is on disk. */
export function promoteNextKey(files: KeyFiles, next: DeviceKey): void {
  writeKeyFile(files.current, next);
  removeFileDurably(files.next);
}

export function discardNextKey(files: KeyFiles): void {
  removeFileDurably(files.next);
}

/** A rotation cut short by a crash: finish it if its entry committed, forget it otherwise. */
function settleInterruptedRotation(files: KeyFiles, knownKeyIds: ReadonlySet<string>, logger: Logger): void {
  const next = readKeyFile(files.next);
  if (next === undefined) return;
  if (knownKeyIds.has(next.keyId)) {
    logger.warn({ keyId: next.keyId }, 'finishing a key rotation interrupted after its entry was written');
    promoteNextKey(files, next);
  } else {
    logger.warn({ keyId: next.keyId }, 'discarding a key from a rotation that never committed');
    discardNextKey(files);
  }
}

/**
 * The key new entries are signed with. Created once, on a journal that has never been signed, and
 * only when `create` is set (`room-agent run`); never regenerated afterwards, because entries
 * signed by a lost key could no longer be told apart from forgeries by anything but the center's
 * anchor. Whether the key table itself is intact is for verification to report: recording must go
 * on regardless.
 */
export function loadSigningKey(dataDir: string, db: Db, headSeq: number, logger: Logger, create: boolean): DeviceKey {
  const files = keyFiles(dataDir);
  if (create) ensureKeyDirectory(files);
  const records = keyRecords(db);
  settleInterruptedRotation(files, new Set(records.map((record) => record.keyId)), logger);
  const onDisk = readKeyFile(files.current);
  if (onDisk === undefined) {
    if (records.length > 0 || headSeq > 0) {
      const newest = records.at(-1)?.keyId;
      throw new AgentError(
        ErrorCode.JournalKey,
        `the device private key ${files.current} is missing, but the journal holds ${headSeq} entries signed by key ${newest ?? '(unknown)'}; restore the key file from the backup (room-agent never creates a new key for a signed journal)`,
        { file: files.current, keyId: newest, headSeq },
      );
    }
    if (!create) {
      throw new AgentError(
        ErrorCode.JournalKey,
        `there is no device key at ${files.current} yet; room-agent run creates it on its first start`,
        { file: files.current },
      );
    }
    const created = generateDeviceKey();
    writeKeyFile(files.current, created);
    registerFirstKey(db, created, headSeq + 1);
    logger.info({ keyId: created.keyId }, 'created the device signing key');
    return created;
  }
  if (records.length === 0) {
    // A crash between writing the key file and registering it; with entries present, a wiped key table.
    registerFirstKey(db, onDisk, headSeq + 1);
    if (headSeq > 0)
      logger.error({ keyId: onDisk.keyId, headSeq }, 'device_keys was empty although the journal has entries');
    return onDisk;
  }
  requireKeyInForce(files.current, onDisk, records, headSeq + 1);
  return onDisk;
}

/**
 * Only the key in force at the next seq may sign it. An older key of the same journal, replaced by
 * an endorsed rotation, is the typical result of restoring a backup made before that rotation:
 * accepting it would make every new entry fail verification, so it is refused here, where the
 * technician can still act. A key whose own record is not trusted (device_keys was edited) is
 * left to verification to report: recording must go on.
 */
function requireKeyInForce(file: string, onDisk: DeviceKey, records: readonly KeyRecord[], nextSeq: number): void {
  const chain = new KeyChain(records);
  const inForce = chain.keyInForce(nextSeq);
  if (inForce?.keyId === onDisk.keyId) return;
  const known = records.some((record) => record.keyId === onDisk.keyId);
  if (known && (inForce === undefined || chain.trustedKey(onDisk.keyId) === undefined)) return;
  const expected = inForce ?? records.at(-1)!;
  const context = { file, found: onDisk.keyId, expected: expected.keyId, expectedFromSeq: expected.firstSeq };
  if (known) {
    throw new AgentError(
      ErrorCode.JournalKey,
      `${file} holds key ${onDisk.keyId}, which was rotated out: key ${expected.keyId} signs this journal from seq ${expected.firstSeq} on. ` +
        `The key file is older than the journal (restored from a backup made before the rotation?); put back the newest backup of ${file}, made after seq ${expected.firstSeq - 1}`,
      context,
    );
  }
  throw new AgentError(
    ErrorCode.JournalKey,
    `${file} holds key ${onDisk.keyId}, but the journal is signed by key ${expected.keyId}; put the matching key file back`,
    context,
  );
}
