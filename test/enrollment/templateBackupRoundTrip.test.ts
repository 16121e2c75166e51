import { createDecipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadScannerSecrets } from '../../src/scanner/secrets.js';
import { openJournal } from '../daemon/daemonProcess.js';
import { cli, enroll, fingerName, identifySlots, OPERATOR, useRooms, type Room } from './room.js';

interface BackupRow {
  slot: number;
  module_family: string;
  template_size: number;
  key_id: string;
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/**
 * Opens a backup row as its format is documented (AES-256-GCM under the template key in
 * keys/scanner.json, additional data naming slot, family and size), independently of the agent.
 */
function decryptBackup(room: Room, row: BackupRow): Buffer {
  const { templateKey } = loadScannerSecrets(room.dataDir, { create: false });
  expect(row.key_id).toBe(
    createHash('sha256').update('room-agent template key id\0').update(templateKey).digest('hex').slice(0, 16),
  );
  expect(row.nonce).toHaveLength(12);
  const decipher = createDecipheriv('aes-256-gcm', templateKey, row.nonce);
  decipher.setAAD(
    Buffer.from(
      `room-agent template backup v1\0slot=${row.slot}\0family=${row.module_family}\0size=${row.template_size}`,
    ),
  );
  decipher.setAuthTag(row.tag);
  return Buffer.concat([decipher.update(row.ciphertext), decipher.final()]);
}

function journalTypes(room: Room): Array<{ type: string; payload: unknown }> {
  const journal = openJournal(room.dataDir, 'read');
  try {
    return journal.read(0, 1000).map(({ type, payload }) => ({ type, payload }));
  } finally {
    journal.close();
  }
}

/**
 * At the smallest and the largest R30x data packet size, the template read off the module
 * (UpChar) is backed up byte for byte, and written back (DownChar) after a wipe it matches again.
 */
describe.each([32, 256] as const)('R30x template backup round trip at %i-byte packets', (packetSize) => {
  const rooms = useRooms();

  it('backs up the exact template, wipes the module keeping it, and restores it so the finger matches again', async () => {
    const room = await rooms.open('r30x', { packetSize, model: 'r307' });
    const finger = fingerName('M001', 'right-index');
    await cli(room, ['members', 'add', 'M001', '--name', '王建国', '--operator', OPERATOR]);
    expect((await enroll(room, 'M001', 'right-index')).code).toBe(0);

    const journal = openJournal(room.dataDir, 'read');
    const row = journal.db
      .prepare('SELECT b.*, f.module_family, f.template_size FROM template_backups b JOIN fingers f USING (slot)')
      .get() as BackupRow;
    journal.close();
    const template = await room.emulator.template(finger);
    expect(template).toHaveLength(768);
    expect(row.template_size).toBe(768);
    expect(row.ciphertext.includes(template.subarray(0, 32))).toBe(false);
    expect(decryptBackup(room, row).equals(template)).toBe(true);

    const refused = await cli(room, ['scanner', 'restore', '--operator', OPERATOR]);
    expect(refused.code).toBe(65);
    expect(refused.stderr).toMatch(
      /^room-agent: the module is not empty \(templates: 1\); restore writes only into an empty module/,
    );

    const wiped = await cli(room, ['scanner', 'wipe', '--operator', OPERATOR, '--yes']);
    expect(wiped.stdout).toBe(
      'The module is empty (templates cleared: 1); the backups (1) stay on this device for room-agent scanner restore (journal seq 4)\n',
    );
    expect((await room.emulator.state()).slots).toEqual({});
    expect(await identifySlots(room, [finger])).toEqual([undefined]);

    const restored = await cli(room, ['scanner', 'restore', '--operator', OPERATOR]);
    expect(restored.stderr).toBe('');
    expect(restored.stdout).toBe(
      'Restored the backed-up templates (1, r30x, 768 bytes each) into the module and checked the count (journal seq 5)\n',
    );
    expect((await room.emulator.state()).slots).toEqual({ [String(row.slot)]: finger });
    expect(await identifySlots(room, [finger])).toEqual([row.slot]);
    expect(journalTypes(room).slice(-2)).toEqual([
      { type: 'scanner.wiped', payload: { cleared: 1, operator: OPERATOR } },
      {
        type: 'scanner.restored',
        payload: {
          slots: [row.slot],
          operator: OPERATOR,
          source: 'database',
          moduleFamily: 'r30x',
          templateSize: 768,
          skipped: [],
        },
      },
    ]);
  });
});
