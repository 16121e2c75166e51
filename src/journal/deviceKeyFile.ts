import { chmodSync, chownSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { AgentError, ErrorCode } from '../errors.js';
import { keyFiles, readKeyFile, writeKeyFile } from './keys.js';
import { generateDeviceKey, type DeviceKey } from './keyCrypto.js';

/** Who owns the data directory and the key: the daemon's user, which signs with it. */
export interface KeyOwner {
  uid: number;
  gid: number;
}

export interface DeviceKeyOutcome {
  key: DeviceKey;
  file: string;
  created: boolean;
}

/**
 * The device key before the daemon's first start, so a technician can hand its fingerprint to the
 * county on the day the room is set up. An existing key is kept as it is (it may have signed the
 * whole journal); a missing one is made only where no journal exists yet: a journal without its
 * key needs the key restored from the backup, and a new key would make its entries unverifiable.
 * `room-agent run` registers a key it finds on disk for an empty journal.
 */
export function ensureDeviceKeyFile(dataDir: string, owner: KeyOwner): DeviceKeyOutcome {
  const files = keyFiles(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o750 });
  chownSync(dataDir, owner.uid, owner.gid);
  const existing = readKeyFile(files.current);
  if (existing !== undefined) {
    chownSync(files.directory, owner.uid, owner.gid);
    chownSync(files.current, owner.uid, owner.gid);
    return { key: existing, file: files.current, created: false };
  }
  const journal = join(dataDir, 'journal.sqlite');
  if (existsSync(journal)) {
    throw new AgentError(
      ErrorCode.JournalKey,
      `${journal} exists but its device key ${files.current} does not: restore keys/ from the room's backup (a new key would leave the journal's entries unverifiable)`,
      { file: files.current },
    );
  }
  mkdirSync(files.directory, { recursive: true, mode: 0o700 });
  chmodSync(files.directory, 0o700);
  chownSync(files.directory, owner.uid, owner.gid);
  const key = generateDeviceKey();
  writeKeyFile(files.current, key);
  chownSync(files.current, owner.uid, owner.gid);
  return { key, file: files.current, created: true };
}

/** SHA-256 of the DER public key, as colon-separated hex pairs: what the county registers and compares. */
export function publicKeyFingerprint(key: Pick<DeviceKey, 'publicKey'>): string {
  const digest = createHash('sha256').update(Buffer.from(key.publicKey, 'base64')).digest('hex');
  return digest.match(/../g)!.join(':');
}
