import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { tokenHash } from '../../src/scanner/binding.js';
import { useRigs, type Rig } from '../signin/rig.js';
import { countyKeys } from '../helpers/countyEscrow.js';
import { objectContaining, ofType, stringContaining } from '../helpers/matchers.js';

const MEMBER = { memberId: 'm-011', fingers: [{ slot: 11, finger: 'zhou-right-index' }] };
/** As the GT driver reports serial numbers: upper-case hex. */
const GT_SERIAL_A = '474E3532314633322D454D554C303031';
const GT_SERIAL_B = '474E3532314633322D454D554C303939';

/** A finger on a module the device does not trust: the fault signal and no record. */
async function expectRefused(room: Rig): Promise<void> {
  expect(room.scanner.state()).toBe('refused');
  await room.emulator.storeTemplate(11, 'zhou-right-index');
  expect(await room.touch('zhou-right-index')).toBe('fault');
  expect(room.entries('signin.accepted')).toHaveLength(0);
  await expect(room.scanner.exclusive('enroll', () => Promise.resolve('used'))).rejects.toMatchObject({
    code: ErrorCode.ModuleMismatch,
  });
}

/** `scanner confirm`: the attached module is bound, the loop resumes and the finger signs in. */
async function expectConfirmed(room: Rig): Promise<void> {
  await room.scanner.confirm('tech-li');
  expect(room.scanner.state()).toBe('connected');
  const confirmed = room.entries('scanner.module_confirmed');
  expect(confirmed.map((entry) => entry.payload)).toEqual([
    objectContaining({ operator: 'tech-li', family: room.family }),
  ]);
  expect(room.scanner.identity()!.binding()!.boundSeq).toBe(confirmed[0]!.seq);
  expect(await room.touch('zhou-right-index')).toBe('accepted');
}

describe('module identity, R30x', () => {
  const rig = useRigs();

  it('binds the first module with the device password and notepad token, and escrows the password to the county', async () => {
    const county = countyKeys();
    const room = await rig('r30x', { escrowPublicKey: county.publicKeyBase64 });
    expect(room.scanner.info()).toMatchObject({ credential: 'device' });
    const [bound] = room.entries('scanner.bound');
    expect(bound!.payload).toEqual({
      family: 'r30x',
      model: ofType(String),
      capacity: 162,
      tokenHash: tokenHash(room.secrets.bindingToken),
    });

    const [escrowed] = room.entries('scanner.password_escrowed');
    const { envelope } = escrowed!.payload as { envelope: { header: unknown } };
    expect(envelope.header).toEqual({ deviceId: 'rig-room', family: 'r30x' });
    expect(county.open(envelope).readUInt32BE(0)).toBe(room.secrets.modulePassword);
    // Nothing in the journal carries the password or the token in the clear.
    const journalText = JSON.stringify(room.journal.read(0, 1000));
    expect(journalText).not.toContain(room.secrets.bindingToken);
    expect(journalText).not.toContain(`:${room.secrets.modulePassword},`);
  });

  it("refuses a module that rejects the device's password, and cannot confirm it", async () => {
    const first = await rig('r30x');
    await first.enroll([MEMBER]);
    await first.stop();
    const room = await rig('r30x', { dataDir: first.dataDir, password: 0x5eed_1234 });
    await room.waitForState('refused');
    expect(room.entries('scanner.module_mismatch').map((entry) => entry.payload)).toEqual([
      {
        family: 'r30x',
        reason: 'password',
        expectedTokenHash: tokenHash(room.secrets.bindingToken),
        foundTokenHash: null,
      },
    ]);
    await room.emulator.place('zhou-right-index');
    // The service keeps trying the module (it may be swapped back): wait for another attempt.
    await room.emulator.waitForCommand('VfyPwd', 5_000, room.emulator.commandCount('VfyPwd') + 2);
    expect(room.scanner.state()).toBe('refused');
    await expect(room.scanner.confirm('tech-li')).rejects.toMatchObject({
      code: ErrorCode.ModuleMismatch,
      message: stringContaining('escrow'),
    });
    expect(room.entries('signin.accepted')).toHaveLength(0);
    // Retried reconnections do not repeat the alarm.
    expect(room.entries('scanner.module_mismatch')).toHaveLength(1);
  });

  it("refuses a module with the device's password but another notepad token until a technician confirms it", async () => {
    const first = await rig('r30x');
    await first.stop();
    const room = await rig('r30x', { dataDir: first.dataDir, password: first.secrets.modulePassword });
    await room.enroll([MEMBER]);
    expect(room.entries('scanner.module_mismatch').map((entry) => entry.payload)).toEqual([
      {
        family: 'r30x',
        reason: 'token',
        expectedTokenHash: tokenHash(room.secrets.bindingToken),
        foundTokenHash: null,
      },
    ]);
    await expectRefused(room);
    await expectConfirmed(room);
  });

  it('refuses a factory-new module where one was bound, until a technician confirms it', async () => {
    const first = await rig('r30x');
    await first.stop();
    const room = await rig('r30x', { dataDir: first.dataDir });
    await room.enroll([MEMBER]);
    expect(room.entries('scanner.module_mismatch').map((entry) => entry.payload)).toEqual([
      objectContaining({ reason: 'factory-module' }),
    ]);
    await expectRefused(room);
    await expectConfirmed(room);
    expect(room.scanner.info()).toMatchObject({ credential: 'device' });
  });
});

describe('module identity, GT-521F', () => {
  const rig = useRigs();

  it('binds the first module by its serial number and refuses another until a technician confirms it', async () => {
    const first = await rig('gt521', { serialNumber: GT_SERIAL_A });
    expect(first.entries('scanner.bound').map((entry) => entry.payload)).toEqual([
      objectContaining({ family: 'gt521', tokenHash: tokenHash(GT_SERIAL_A) }),
    ]);
    await first.stop();

    const room = await rig('gt521', { dataDir: first.dataDir, serialNumber: GT_SERIAL_B });
    await room.enroll([MEMBER]);
    expect(room.entries('scanner.module_mismatch').map((entry) => entry.payload)).toEqual([
      {
        family: 'gt521',
        reason: 'serial',
        expectedTokenHash: tokenHash(GT_SERIAL_A),
        foundTokenHash: tokenHash(GT_SERIAL_B),
      },
    ]);
    await expectRefused(room);
    await expectConfirmed(room);
    expect(room.scanner.identity()!.binding()!.token).toBe(GT_SERIAL_B);
  });
});
