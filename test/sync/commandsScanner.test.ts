import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fingerBackups } from '../../src/templates/backupRows.js';
import { ModuleEmulator } from '../helpers/emulator.js';
import { CommandRig, done, TestCenter, useRooms } from './commandsRig.js';
import { ofType, stringContaining, stringMatching } from '../helpers/matchers.js';

/**
 * The center's commands that need the fingerprint module, on an R30x emulator behind a real pty:
 * an enrollment started remotely, and escrowed templates restored onto an empty module.
 */
const rooms = useRooms();

async function roomWithModule(): Promise<{ rig: CommandRig; center: TestCenter; emulator: ModuleEmulator }> {
  const emulator = await ModuleEmulator.start({ family: 'r30x', powerOnDelayMs: 0 });
  rooms.onClose({ close: () => emulator.stop() });
  const { rig, center } = await rooms.room({
    scanner: { driver: 'r30x', path: emulator.path, baudRate: 57_600, pollIntervalMs: 50 },
  });
  const deadline = Date.now() + 10_000;
  while (rig.scanner.state() !== 'connected') {
    if (Date.now() > deadline)
      throw new Error(`the scanner did not connect: ${rig.scanner.state()} ${rig.scanner.stateDetail() ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await center.send(
    center.signed(
      center.envelope('members.upsert', {
        members: [
          { memberId: 'M001', name: '王建国' },
          { memberId: 'M002', name: '李秀英' },
        ],
      }),
    ),
  );
  return { rig, center, emulator };
}

/** The member at the scanner: places the finger when prompted and lifts it when asked. */
function memberFollows(rig: CommandRig, emulator: ModuleEmulator, finger: string): void {
  let acting = Promise.resolve();
  rig.onPrompt = (prompt) => {
    if (prompt.step === 'place') acting = acting.then(() => emulator.place(finger));
    else if (prompt.step === 'lift') acting = acting.then(() => emulator.lift());
  };
}

describe('enrollment.start', () => {
  it('enrolls the member’s finger and answers when it is done; a duplicate finger is answered with whose it is', async () => {
    const { rig, center, emulator } = await roomWithModule();

    memberFollows(rig, emulator, 'M001-right-index');
    const enrolled = await center.send(
      center.signed(
        center.envelope('enrollment.start', {
          memberId: 'M001',
          finger: 'right-index',
          consent: true,
          operator: 'county-ops-zhao',
        }),
      ),
      {},
      30_000,
    );
    memberFollows(rig, emulator, 'M001-right-index');
    const duplicate = await center.send(
      center.signed(center.envelope('enrollment.start', { memberId: 'M002', finger: 'left-thumb', consent: true })),
      {},
      30_000,
    );

    const entry = rig.journal.read(0, 100).find((candidate) => candidate.type === 'member.enrolled')!;
    expect(enrolled.reply).toEqual(
      done(2, {
        memberId: 'M001',
        finger: 'right-index',
        slot: 0,
        moduleFamily: 'r30x',
        templateSize: ofType(Number),
        escrowed: false,
        seq: entry.seq,
      }),
    );
    expect(entry.payload).toMatchObject({
      memberId: 'M001',
      finger: 'right-index',
      slot: 0,
      operator: 'county-ops-zhao',
      consent: true,
    });
    expect(rig.prompts.map((prompt) => prompt.step)).toContain('lift');
    expect(duplicate.reply).toMatchObject({
      commandId: 3,
      status: 'error',
      error: { code: 'failed', message: stringContaining('M001') },
    });
    expect((await emulator.state()).slots).toEqual({ '0': 'M001-right-index' });
    expect(
      rig.journal
        .read(0, 100)
        .filter((candidate) => candidate.type === 'center.command')
        .map((candidate) => candidate.payload),
    ).toEqual([
      { id: 1, type: 'members.upsert', status: 'done', signature: 'verified' },
      { id: 2, type: 'enrollment.start', status: 'done', signature: 'verified' },
      {
        id: 3,
        type: 'enrollment.start',
        status: 'error',
        signature: 'verified',
        error: { code: 'failed', message: stringContaining('M001') },
      },
    ]);
  });
});

describe('templates.restore', () => {
  it('writes escrowed templates into an empty module at their slots, backed up under the device key; a second restore is refused', async () => {
    const { rig, center, emulator } = await roomWithModule();
    const first = await emulator.template('M001-right-index');
    const second = await emulator.template('M002-left-thumb');
    const stranger = await emulator.template('M999-right-thumb');
    const templates = [
      { memberId: 'M001', finger: 'right-index', slot: 3, moduleFamily: 'r30x', template: first.toString('base64') },
      { memberId: 'M002', finger: 'left-thumb', slot: 7, moduleFamily: 'r30x', template: second.toString('base64') },
      { memberId: 'M999', finger: 'right-thumb', slot: 9, moduleFamily: 'r30x', template: stranger.toString('base64') },
    ];

    const restored = await center.send(center.signed(center.envelope('templates.restore', { templates })), {}, 30_000);
    const again = await center.send(
      center.signed(center.envelope('templates.restore', { templates: templates.slice(0, 1) })),
      {},
      30_000,
    );
    const otherFamily = await center.send(
      center.signed(center.envelope('templates.restore', { templates: [{ ...templates[0], moduleFamily: 'gt521' }] })),
      {},
      30_000,
    );

    const entry = rig.journal.read(0, 100).find((candidate) => candidate.type === 'scanner.restored')!;
    expect(restored.reply).toEqual(
      done(2, {
        slots: [3, 7],
        skipped: [{ slot: 9, memberId: 'M999', reason: 'not-on-roster' }],
        moduleFamily: 'r30x',
        templateSize: first.length,
        seq: entry.seq,
      }),
    );
    expect(entry.payload).toMatchObject({ slots: [3, 7], source: 'center', operator: 'center' });
    expect((await emulator.state()).slots).toEqual({ '3': 'M001-right-index', '7': 'M002-left-thumb' });
    expect(fingerBackups(rig.journal.db).map(({ memberId, finger, slot }) => ({ memberId, finger, slot }))).toEqual([
      { memberId: 'M001', finger: 'right-index', slot: 3 },
      { memberId: 'M002', finger: 'left-thumb', slot: 7 },
    ]);
    expect(again.reply).toMatchObject({
      commandId: 3,
      status: 'error',
      error: { code: 'failed', message: stringMatching(/^the module is not empty \(templates: 2\)/) },
    });
    expect(otherFamily.reply).toMatchObject({
      commandId: 4,
      status: 'error',
      error: {
        code: 'failed',
        message: stringMatching(/^the backed-up templates come from a gt521 module but this module is r30x/),
      },
    });
    // No template in clear anywhere in journal.sqlite: the events that go to the center, and the backups.
    rig.journal.db.pragma('wal_checkpoint(TRUNCATE)');
    const file = readFileSync(join(rig.config.device.dataDir, 'journal.sqlite'));
    for (const template of [first, second, stranger]) {
      expect(file.includes(template.subarray(64, 128))).toBe(false);
      expect(file.includes(Buffer.from(template.toString('base64').slice(88, 176)))).toBe(false);
    }
  });
});
