import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../../src/journal/canonical.js';
import { admit, type AdmissionRules } from '../../src/sync/commands/admission.js';
import { CENTER_COMMANDS } from '../../src/sync/commands/catalog.js';
import { judgeNewId } from '../../src/sync/commands/commandIds.js';
import { recordOutcome, recordRunning, type CommandIdentity } from '../../src/sync/commands/commandLog.js';
import type { CommandDependencies } from '../../src/sync/commands/dependencies.js';
import { centerKeyFrom } from '../../src/sync/commands/signature.js';
import { COMMAND_ID_MAX_LEAD_MS, MESSAGE_VERSIONS } from '../../src/sync/protocol/messages.js';
import { setLanguage } from '../../src/i18n.js';
import { useJournal } from '../journal/helpers.js';
import { publicKeyBase64 } from './commandsRig.js';

/**
 * The admission rules on their own: which commands need a signature, and how a new id is judged
 * against the ids recorded in a real journal database.
 */
setLanguage('en');

const DEVICE = 'room-adm';
const pair = generateKeyPairSync('ed25519');

function rules(withKey: boolean): AdmissionRules {
  return {
    deviceId: DEVICE,
    centerKey: withKey ? centerKeyFrom(publicKeyBase64(pair.publicKey)) : undefined,
    commands: new Map(CENTER_COMMANDS.map((definition) => [definition.type, definition])),
    // Only a type's own check reads them, and agent.diagnostics, the one admitted here, has none.
    deps: {} as CommandDependencies,
  };
}

function payload(envelope: Record<string, unknown>, signed = false): Buffer {
  const signature = sign(null, Buffer.from(canonicalJson(envelope), 'utf8'), pair.privateKey).toString('base64');
  return Buffer.from(JSON.stringify(signed ? { ...envelope, signature } : envelope));
}

describe('signatures', () => {
  it.each(CENTER_COMMANDS.map((definition) => definition.type))(
    'with a center key, an unsigned %s is refused unsigned',
    (type) => {
      const admission = admit(payload({ v: 1, id: 7, deviceId: DEVICE, type, params: {} }), rules(true));
      expect(admission).toMatchObject({ ok: false, commandId: 7, type, error: { code: 'unsigned' } });
    },
  );

  it('with a center key, a signed diagnostics is admitted as verified', () => {
    const envelope = { v: 1, id: 7, deviceId: DEVICE, type: 'agent.diagnostics', params: {} };
    expect(admit(payload(envelope, true), rules(true))).toMatchObject({
      ok: true,
      identity: { id: 7, signature: 'verified', bodySha256: sha256Hex(canonicalJson(envelope)) },
    });
  });

  it('without a center key, an unsigned command is admitted as unchecked', () => {
    const envelope = { v: 1, id: 7, deviceId: DEVICE, type: 'members.remove', params: { memberId: 'M001' } };
    expect(admit(payload(envelope), rules(false))).toMatchObject({ ok: true, identity: { signature: 'unchecked' } });
  });
});

describe('a new id', () => {
  const fixture = useJournal();
  const NOW = Date.parse('2031-03-01T08:00:00.000Z');

  function record(id: number, signature: CommandIdentity['signature'], running = false): void {
    const identity = { id, type: 'agent.diagnostics', bodySha256: '0'.repeat(64), signature };
    if (running) {
      recordRunning(fixture.journal.db, identity);
      return;
    }
    fixture.journal.transaction((tx) =>
      recordOutcome(tx, identity, { v: MESSAGE_VERSIONS.reply, deviceId: DEVICE, commandId: id, status: 'done' }),
    );
  }

  const judge = (id: number, verifiedOnly: boolean, centerNowMs: number | undefined) =>
    judgeNewId(fixture.journal.db, id, { verifiedOnly, centerNowMs });

  it('is refused id-too-far only beyond the center’s time plus the lead, and only once that time is known', () => {
    const limit = NOW + COMMAND_ID_MAX_LEAD_MS;

    expect(judge(limit, true, NOW)).toEqual({ refusal: undefined, marks: { watermark: 0, recorded: 0 }, limit });
    expect(judge(limit + 1, true, NOW).refusal).toEqual({
      code: 'id-too-far',
      message:
        'command id 1930122000001 is more than 60 minutes ahead of the center’s time (2031-03-01T08:00:00.000Z) as this device learned it from the center’s acknowledgements: the center issues ids from its clock in ms and issued no such id',
    });
    expect(judge(Number.MAX_SAFE_INTEGER, true, undefined)).toMatchObject({ refusal: undefined, limit: undefined });
  });

  it('is stale below the watermark, which with a center key only verified commands make up', () => {
    record(NOW - 10_000, 'verified');
    record(NOW - 5_000, 'unchecked');

    expect(judge(NOW - 7_000, true, NOW)).toMatchObject({
      refusal: undefined,
      marks: { watermark: NOW - 10_000, recorded: NOW - 5_000 },
    });
    expect(judge(NOW - 12_000, true, NOW).refusal).toEqual({
      code: 'stale-id',
      message: `command id ${NOW - 12_000} is below the newest command id this device ran (${NOW - 10_000}) and was never seen before: refused as stale`,
    });
    // Without a key nothing is verified: every command carried out counts.
    expect(judge(NOW - 7_000, false, NOW)).toMatchObject({
      refusal: { code: 'stale-id' },
      marks: { watermark: NOW - 5_000, recorded: NOW - 5_000 },
    });
    expect(judge(NOW - 2_000, false, NOW).refusal).toBeUndefined();
  });

  it('counts a command still running, and leaves out a recorded id beyond the bound, verified or not', () => {
    record(NOW - 10_000, 'verified', true);
    record(NOW + COMMAND_ID_MAX_LEAD_MS + 1, 'verified');
    record(Number.MAX_SAFE_INTEGER, 'unchecked');

    expect(judge(NOW - 9_000, false, NOW)).toEqual({
      refusal: undefined,
      marks: { watermark: NOW - 10_000, recorded: Number.MAX_SAFE_INTEGER },
      limit: NOW + COMMAND_ID_MAX_LEAD_MS,
    });
    expect(judge(NOW - 11_000, true, NOW).refusal?.code).toBe('stale-id');
    // Before the center's time is known nothing is beyond the bound: the verified id far ahead counts.
    expect(judge(NOW, true, undefined)).toMatchObject({
      refusal: { code: 'stale-id' },
      marks: { watermark: NOW + COMMAND_ID_MAX_LEAD_MS + 1 },
    });
  });
});
