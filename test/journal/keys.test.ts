import { existsSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, isAgentError } from '../../src/errors.js';
import { generateDeviceKey, privateKeyPem } from '../../src/journal/keyCrypto.js';
import { appendSignIns, errorOf, openJournal, useJournal } from './helpers.js';

describe('the device key', () => {
  const j = useJournal();
  const keyFile = () => join(j.dir, 'keys', 'device.pem');
  const nextKeyFile = () => join(j.dir, 'keys', 'device.next.pem');

  it('is created once, readable by its owner only, and kept across opens', () => {
    const first = j.journal.append('a.b', {});
    j.reopen();
    expect(statSync(join(j.dir, 'keys')).mode & 0o777).toBe(0o700);
    expect(statSync(keyFile()).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile(), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(j.journal.append('a.b', {}).keyId).toBe(first.keyId);
  });

  it('is never regenerated once entries are signed', () => {
    const { keyId } = j.journal.append('a.b', {});
    j.journal.close();
    unlinkSync(keyFile());
    const error = errorOf(() => openJournal(j.dir));
    expect(isAgentError(error, ErrorCode.JournalKey)).toBe(true);
    expect(error.message).toBe(
      `the device private key ${keyFile()} is missing, but the journal holds 1 entries signed by key ${keyId}; restore the key file from the backup (room-agent never creates a new key for a signed journal)`,
    );
    expect(existsSync(keyFile())).toBe(false);
  });

  it('refuses a key file that is not the key in force', () => {
    const { keyId } = j.journal.append('a.b', {});
    j.journal.close();
    const stranger = generateDeviceKey();
    writeFileSync(keyFile(), privateKeyPem(stranger));
    expect(() => openJournal(j.dir)).toThrow(
      `${keyFile()} holds key ${stranger.keyId}, but the journal is signed by key ${keyId}; put the matching key file back`,
    );
  });

  it('refuses a key file restored from a backup made before a rotation, naming the key expected', () => {
    appendSignIns(j.journal, 2);
    const backup = readFileSync(keyFile(), 'utf8');
    const { previousKeyId, keyId } = j.journal.rotateKey();
    appendSignIns(j.journal, 2);
    j.journal.close();
    writeFileSync(keyFile(), backup);
    const error = errorOf(() => openJournal(j.dir));
    expect(isAgentError(error, ErrorCode.JournalKey)).toBe(true);
    expect(error.message).toBe(
      `${keyFile()} holds key ${previousKeyId}, which was rotated out: key ${keyId} signs this journal from seq 4 on. ` +
        `The key file is older than the journal (restored from a backup made before the rotation?); put back the newest backup of ${keyFile()}, made after seq 3`,
    );
    expect(error.context).toEqual({ file: keyFile(), found: previousKeyId, expected: keyId, expectedFromSeq: 4 });
  });

  it('rotates with an entry signed by the old key, after which the new key signs and the chain verifies', () => {
    appendSignIns(j.journal, 3);
    const rotation = j.journal.rotateKey();
    const after = j.journal.append('a.b', {});
    expect(rotation.entry).toMatchObject({
      seq: 4,
      type: 'journal.key_rotated',
      keyId: rotation.previousKeyId,
      payload: { keyId: rotation.keyId, previousKeyId: rotation.previousKeyId },
    });
    expect(after.keyId).toBe(rotation.keyId);
    expect(existsSync(nextKeyFile())).toBe(false);
    j.journal.rotateKey();
    appendSignIns(j.journal, 2);
    expect(j.journal.verify('full')).toEqual({ ok: true, checkedFrom: 1, checkedTo: 8, entries: 8 });
    j.reopen();
    expect(j.journal.lastVerify.ok).toBe(true);
    expect(j.journal.append('a.b', {}).keyId).not.toBe(rotation.keyId);
  });

  it('reports a rotation entry whose key was swapped in device_keys', () => {
    appendSignIns(j.journal, 2);
    const { keyId } = j.journal.rotateKey();
    appendSignIns(j.journal, 2);
    j.tamperAndReopen((db) => db.prepare('UPDATE device_keys SET endorsement = NULL WHERE key_id = ?').run(keyId));
    expect(j.journal.verify('full')).toMatchObject({ ok: false, firstBrokenSeq: 3 });
  });

  it('finishes a rotation whose entry committed before the key file was swapped', () => {
    appendSignIns(j.journal, 2);
    const before = readFileSync(keyFile(), 'utf8');
    const { keyId } = j.journal.rotateKey();
    j.journal.close();
    // The state a power cut leaves between the commit and the key file swap.
    writeFileSync(nextKeyFile(), readFileSync(keyFile(), 'utf8'));
    writeFileSync(keyFile(), before);
    j.journal = openJournal(j.dir);
    expect(j.journal.append('a.b', {}).keyId).toBe(keyId);
    expect(existsSync(nextKeyFile())).toBe(false);
  });

  it('forgets the new key of a rotation that never committed', () => {
    const { keyId } = j.journal.append('a.b', {});
    j.journal.close();
    writeFileSync(nextKeyFile(), privateKeyPem(generateDeviceKey()));
    j.journal = openJournal(j.dir);
    expect(j.journal.append('a.b', {}).keyId).toBe(keyId);
    expect(existsSync(nextKeyFile())).toBe(false);
  });
});
