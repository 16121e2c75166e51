import { existsSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, isAgentError } from '../../src/errors.js';
import { generateDeviceKey, privateKeyPem } from '../../src/journal/keyCrypto.js';
import type { Journal } from '../../src/journal/journal.js';
import { makeTempDir } from '../helpers/cli.js';
import { appendSignIns, openJournal, tamper } from './helpers.js';

describe('the device key', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let journal: Journal | undefined;
  let keyFile: string;
  beforeEach(() => {
    temp = makeTempDir();
    keyFile = join(temp.dir, 'keys', 'device.pem');
  });
  afterEach(() => {
    journal?.close();
    journal = undefined;
    temp.cleanup();
  });

  it('is created once, readable by its owner only, and kept across opens', () => {
    journal = openJournal(temp.dir);
    const first = journal.append('a.b', {});
    journal.close();
    expect(statSync(join(temp.dir, 'keys')).mode & 0o777).toBe(0o700);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    journal = openJournal(temp.dir);
    expect(journal.append('a.b', {}).keyId).toBe(first.keyId);
  });

  it('is never regenerated once entries are signed', () => {
    journal = openJournal(temp.dir);
    const { keyId } = journal.append('a.b', {});
    journal.close();
    journal = undefined;
    unlinkSync(keyFile);
    let caught: unknown;
    try {
      journal = openJournal(temp.dir);
    } catch (error) {
      caught = error;
    }
    expect(isAgentError(caught, ErrorCode.JournalKey)).toBe(true);
    expect((caught as Error).message).toBe(
      `the device private key ${keyFile} is missing, but the journal holds 1 entries signed by key ${keyId}; restore the key file from the backup (room-agent never creates a new key for a signed journal)`,
    );
    expect(existsSync(keyFile)).toBe(false);
  });

  it('refuses a key file that is not the key in force', () => {
    journal = openJournal(temp.dir);
    const { keyId } = journal.append('a.b', {});
    journal.close();
    journal = undefined;
    const stranger = generateDeviceKey();
    writeFileSync(keyFile, privateKeyPem(stranger));
    expect(() => openJournal(temp.dir)).toThrow(`${keyFile} holds key ${stranger.keyId}, but the journal is signed by key ${keyId}; put the matching key file back`);
  });

  it('rotates with an entry signed by the old key, after which the new key signs and the chain verifies', () => {
    journal = openJournal(temp.dir);
    appendSignIns(journal, 3);
    const rotation = journal.rotateKey();
    const after = journal.append('a.b', {});
    expect(rotation.entry).toMatchObject({ seq: 4, type: 'journal.key_rotated', keyId: rotation.previousKeyId, payload: { keyId: rotation.keyId, previousKeyId: rotation.previousKeyId } });
    expect(after.keyId).toBe(rotation.keyId);
    expect(existsSync(join(temp.dir, 'keys', 'device.next.pem'))).toBe(false);
    journal.rotateKey();
    appendSignIns(journal, 2);
    expect(journal.verify('full')).toEqual({ ok: true, checkedFrom: 1, checkedTo: 8, entries: 8 });
    journal.close();
    journal = openJournal(temp.dir);
    expect(journal.lastVerify.ok).toBe(true);
    expect(journal.append('a.b', {}).keyId).not.toBe(rotation.keyId);
  });

  it('reports a rotation entry whose key was swapped in device_keys', () => {
    journal = openJournal(temp.dir);
    appendSignIns(journal, 2);
    const { keyId } = journal.rotateKey();
    appendSignIns(journal, 2);
    journal.close();
    tamper(temp.dir, (db) => db.prepare('UPDATE device_keys SET endorsement = NULL WHERE key_id = ?').run(keyId));
    journal = openJournal(temp.dir);
    expect(journal.verify('full')).toMatchObject({ ok: false, firstBrokenSeq: 3 });
  });

  it('finishes a rotation whose entry committed before the key file was swapped', () => {
    journal = openJournal(temp.dir);
    appendSignIns(journal, 2);
    const before = readFileSync(keyFile, 'utf8');
    const { keyId } = journal.rotateKey();
    journal.close();
    journal = undefined;
    // The state a power cut leaves between the commit and the key file swap.
    writeFileSync(join(temp.dir, 'keys', 'device.next.pem'), readFileSync(keyFile, 'utf8'));
    writeFileSync(keyFile, before);
    journal = openJournal(temp.dir);
    expect(journal.append('a.b', {}).keyId).toBe(keyId);
    expect(existsSync(join(temp.dir, 'keys', 'device.next.pem'))).toBe(false);
  });

  it('forgets the new key of a rotation that never committed', () => {
    journal = openJournal(temp.dir);
    const { keyId } = journal.append('a.b', {});
    journal.close();
    journal = undefined;
    writeFileSync(join(temp.dir, 'keys', 'device.next.pem'), privateKeyPem(generateDeviceKey()));
    journal = openJournal(temp.dir);
    expect(journal.append('a.b', {}).keyId).toBe(keyId);
    expect(existsSync(join(temp.dir, 'keys', 'device.next.pem'))).toBe(false);
  });
});
