import { createDecipheriv, diffieHellman, generateKeyPairSync, hkdfSync, createPublicKey, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openJournal } from '../daemon/daemonProcess.js';
import { cli, enroll, fingerName, OPERATOR, useRooms } from './room.js';

interface Envelope {
  format: string;
  version: number;
  algorithm: string;
  purpose: string;
  header: Record<string, unknown>;
  ephemeralPublicKey: string;
  nonce: string;
  ciphertext: string;
  tag: string;
}

/** JSON with object keys sorted (RFC 8785 for the plain values an envelope holds). */
function sortedJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${sortedJson(record[key])}`)
    .join(',')}}`;
}

/** What the county center does with its private key, written from the documented format alone. */
function openAtCounty(envelope: Envelope, countyPrivate: KeyObject, countyPublicDer: Buffer): Buffer {
  const ephemeralDer = Buffer.from(envelope.ephemeralPublicKey, 'base64');
  const shared = diffieHellman({ privateKey: countyPrivate, publicKey: createPublicKey({ key: ephemeralDer, format: 'der', type: 'spki' }) });
  const key = Buffer.from(hkdfSync('sha256', shared, Buffer.concat([ephemeralDer, countyPublicDer]), Buffer.from(`room-agent ${envelope.purpose} v1`), 32));
  const { nonce, ciphertext, tag, ...bound } = envelope;
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64'));
  decipher.setAAD(Buffer.from(sortedJson(bound)));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]);
}

/**
 * With escrow enabled by the county, an enrolled template is also kept sealed to the county's
 * X25519 key: the county's private key opens it to the exact template bytes, and its header
 * (module family and template size, bound by the additional data) says where it can be restored.
 */
describe('template escrow to the county', () => {
  const rooms = useRooms();

  it('seals the exact template to the county key with its module family and size', async () => {
    const county = generateKeyPairSync('x25519');
    const countyPublicDer = county.publicKey.export({ format: 'der', type: 'spki' });
    const room = await rooms.open('r30x', { scannerKeys: ['escrowTemplates: true'], countyKeys: [`escrowPublicKey: ${countyPublicDer.toString('base64')}`] });
    await cli(room, ['members', 'add', 'M001', '--name', '王建国', '--operator', OPERATOR]);
    expect((await enroll(room, 'M001', 'right-index')).code).toBe(0);

    const journal = openJournal(room.dataDir, 'read');
    const row = journal.db.prepare('SELECT * FROM template_escrow').get() as { slot: number; member_id: string; module_family: string; template_size: number; envelope: string; created_seq: number; sent_seq: number | null };
    const enrolled = journal.read(0, 1000).find((entry) => entry.type === 'member.enrolled')!;
    journal.close();

    expect(row).toMatchObject({ slot: 0, member_id: 'M001', module_family: 'r30x', template_size: 512, created_seq: enrolled.seq, sent_seq: null });
    expect(enrolled.payload).toMatchObject({ escrowed: true });
    const envelope = JSON.parse(row.envelope) as Envelope;
    expect(envelope).toMatchObject({
      format: 'room-agent-county-envelope',
      version: 1,
      algorithm: 'X25519-HKDF-SHA256-AES-256-GCM',
      purpose: 'template-escrow',
      header: { deviceId: 'test-room', memberId: 'M001', finger: 'right-index', slot: 0, moduleFamily: 'r30x', templateSize: 512 },
    });
    const template = await room.emulator.template(fingerName('M001', 'right-index'));
    expect(openAtCounty(envelope, county.privateKey, countyPublicDer).equals(template)).toBe(true);

    const relabelled = { ...envelope, header: { ...envelope.header, moduleFamily: 'gt521', templateSize: 498 } };
    expect(() => openAtCounty(relabelled, county.privateKey, countyPublicDer)).toThrow(/authenticate/);
    const otherCounty = generateKeyPairSync('x25519');
    expect(() => openAtCounty(envelope, otherCounty.privateKey, otherCounty.publicKey.export({ format: 'der', type: 'spki' }))).toThrow(/authenticate/);
  });
});
