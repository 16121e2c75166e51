import { describe, expect, it } from 'vitest';
import { countyKeys } from '../helpers/countyEscrow.js';
import { openJournal } from '../daemon/daemonProcess.js';
import { cli, enroll, fingerName, OPERATOR, useRooms } from './room.js';

/**
 * With escrow enabled by the county, an enrolled template is also kept sealed to the county's
 * X25519 key: the county's private key opens it to the exact template bytes, and its header
 * (module family and template size, bound by the additional data) says where it can be restored.
 */
describe('template escrow to the county', () => {
  const rooms = useRooms();

  it('seals the exact template to the county key with its module family and size', async () => {
    const county = countyKeys();
    const room = await rooms.open('r30x', {
      scannerKeys: ['escrowTemplates: true'],
      countyKeys: [`escrowPublicKey: ${county.publicKeyBase64}`],
    });
    await cli(room, ['members', 'add', 'M001', '--name', '王建国', '--operator', OPERATOR]);
    expect((await enroll(room, 'M001', 'right-index')).code).toBe(0);

    const journal = openJournal(room.dataDir, 'read');
    const row = journal.db.prepare('SELECT * FROM template_escrow').get() as {
      slot: number;
      member_id: string;
      module_family: string;
      template_size: number;
      envelope: string;
      created_seq: number;
      sent_seq: number | null;
    };
    const enrolled = journal.read(0, 1000).find((entry) => entry.type === 'member.enrolled')!;
    journal.close();

    expect(row).toMatchObject({
      slot: 0,
      member_id: 'M001',
      module_family: 'r30x',
      template_size: 512,
      created_seq: enrolled.seq,
      sent_seq: null,
    });
    expect(enrolled.payload).toMatchObject({ escrowed: true });
    const envelope = JSON.parse(row.envelope) as { header: Record<string, unknown> };
    expect(envelope).toMatchObject({
      format: 'room-agent-county-envelope',
      version: 1,
      algorithm: 'X25519-HKDF-SHA256-AES-256-GCM',
      purpose: 'template-escrow',
      header: {
        deviceId: 'test-room',
        memberId: 'M001',
        finger: 'right-index',
        slot: 0,
        moduleFamily: 'r30x',
        templateSize: 512,
      },
    });
    const template = await room.emulator.template(fingerName('M001', 'right-index'));
    expect(county.open(envelope).equals(template)).toBe(true);

    const relabelled = { ...envelope, header: { ...envelope.header, moduleFamily: 'gt521', templateSize: 498 } };
    expect(() => county.open(relabelled)).toThrow(/authenticate/);
    expect(() => countyKeys().open(envelope)).toThrow(/authenticate/);
  });
});
