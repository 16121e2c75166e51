import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { inspectConfig } from '../../src/config/load.js';
import { overrideFiles } from '../../src/config/overrideFiles.js';
import { ErrorCode } from '../../src/errors.js';
import { canonicalJson, sha256Hex } from '../../src/journal/canonical.js';
import { keyIdOf } from '../../src/journal/keyCrypto.js';
import { recordRunning } from '../../src/sync/commands/commandLog.js';
import { CommandProcessor } from '../../src/sync/commands/commandProcessor.js';
import { CENTER_SETTABLE_KEYS } from '../../src/sync/commands/handlers/config.js';
import { MAX_COMMAND_BYTES, MAX_COMMAND_DEPTH, type CommandReply } from '../../src/sync/protocol/messages.js';
import { CommandRig, DEVICE_ID, done, publicKeyBase64, refused, signed, TestCenter, useRooms } from './commandsRig.js';
import { ofType, stringMatching } from '../helpers/matchers.js';

/**
 * Commands from the center against a real Mosquitto, through the real link, outbox and
 * processor, on a real journal and real configuration files. Every refusal is shown with its
 * whole reply and with the journal database and the configuration files unchanged.
 */
const { room } = useRooms();

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const M001 = { memberId: 'M001', name: '王建国' };
const M002 = { memberId: 'M002', name: '李秀英' };

function entriesOf(rig: CommandRig, type: string): unknown[] {
  return rig.journal
    .read(0, 10_000)
    .filter((entry) => entry.type === type)
    .map((entry) => entry.payload);
}

interface BadCommand {
  name: string;
  /** Set-up whose effects are part of the "before" snapshot. */
  prepare?(rig: CommandRig, center: TestCenter): Promise<void>;
  /** `reply` is the expected reply: a CommandReply, or one with matchers where it cannot be exact. */
  command(rig: CommandRig, center: TestCenter): { body: Record<string, unknown> | Buffer; reply: unknown };
}

/** The center's time as a CenterAck tells it: ten days ahead of the device's wall clock. */
const CENTER_TIME = Date.parse('2031-03-01T08:00:00.000Z');

function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the text is JSON');
}

const BAD_COMMANDS: BadCommand[] = [
  {
    name: 'malformed: not JSON',
    command: () => ({
      body: Buffer.from('{"v":1,"id":4,"deviceId":"room-cmd",'),
      reply: refused(
        null,
        'malformed',
        `the command is not JSON: ${jsonError('{"v":1,"id":4,"deviceId":"room-cmd",')}`,
      ),
    }),
  },
  {
    name: 'malformed: not a command envelope',
    command: () => ({
      body: { v: 1, id: 4, deviceId: DEVICE_ID, type: 'Members Upsert', params: [], colour: 'red' },
      reply: refused(
        4,
        'malformed',
        'the command is not a valid command envelope: type: "Members Upsert" is not a command type such as "members.upsert"; params: expected record, found a list; colour: unknown key',
      ),
    }),
  },
  {
    name: 'oversized',
    command: () => ({
      body: Buffer.alloc(MAX_COMMAND_BYTES + 1, ' '),
      reply: refused(
        null,
        'too-large',
        `the command is ${MAX_COMMAND_BYTES + 1} bytes, more than the ${MAX_COMMAND_BYTES} accepted; it was not parsed`,
      ),
    }),
  },
  {
    // Every check after parsing recurses; this deep a value overflowed the stack (an internal error).
    name: 'malformed: nested 5000 levels deep',
    command: (_rig, center) => {
      // Written as text: JSON.stringify itself recurses too deep for this value.
      let deep = '"M002"';
      for (let level = 0; level < 5000; level++) deep = level % 2 === 0 ? `[${deep}]` : `{"memberId":${deep}}`;
      const body = center.envelope('members.upsert', { members: 'DEEP' });
      return {
        body: Buffer.from(JSON.stringify(body).replace('"DEEP"', deep)),
        reply: refused(
          body.id as number,
          'malformed',
          `the command nests arrays and objects deeper than ${MAX_COMMAND_DEPTH} levels; it was not examined further`,
        ),
      };
    },
  },
  {
    name: 'malformed: nested one level deeper than accepted',
    command: (_rig, center) => {
      // The envelope is level 1 and params level 2; the lists below reach the limit plus one.
      let deep: unknown = 'M002';
      for (let level = 3; level <= MAX_COMMAND_DEPTH + 1; level++) deep = [deep];
      const body = center.envelope('members.upsert', { members: deep });
      return {
        body,
        reply: refused(
          body.id as number,
          'malformed',
          `the command nests arrays and objects deeper than ${MAX_COMMAND_DEPTH} levels; it was not examined further`,
        ),
      };
    },
  },
  {
    name: 'unsigned',
    command: (_rig, center) => {
      const body = center.envelope('members.upsert', { members: [M002] });
      return {
        body,
        reply: refused(
          body.id as number,
          'unsigned',
          'members.upsert commands must carry the center’s signature (county.centerPublicKey is configured), but this one has none',
        ),
      };
    },
  },
  {
    // Once carried out (diagnostics was exempt), its id held every later command off as stale.
    name: 'unsigned diagnostics with the highest id there is',
    command: () => ({
      body: { v: 1, id: Number.MAX_SAFE_INTEGER, deviceId: DEVICE_ID, type: 'agent.diagnostics', params: {} },
      reply: refused(
        Number.MAX_SAFE_INTEGER,
        'unsigned',
        'agent.diagnostics commands must carry the center’s signature (county.centerPublicKey is configured), but this one has none',
      ),
    }),
  },
  {
    name: 'signed by the wrong key',
    command: (rig, center) => {
      const body = signed(
        center.envelope('members.upsert', { members: [M002] }),
        generateKeyPairSync('ed25519').privateKey,
      );
      return { body, reply: badSignature(rig, body.id as number) };
    },
  },
  {
    name: 'a valid signature over another payload',
    command: (rig, center) => {
      const genuine = center.signed(center.envelope('members.upsert', { members: [M001] }));
      const body: Record<string, unknown> = { ...genuine, params: { members: [M002] } };
      return { body, reply: badSignature(rig, body.id as number) };
    },
  },
  {
    name: 'another device’s id',
    command: (_rig, center) => {
      const body = center.signed({
        ...center.envelope('members.upsert', { members: [M002] }),
        deviceId: 'room-elsewhere',
      });
      return {
        body,
        reply: refused(
          body.id as number,
          'wrong-device',
          `the command is for device room-elsewhere, but this is ${DEVICE_ID}`,
        ),
      };
    },
  },
  {
    name: 'expired (center time from an acknowledgement)',
    prepare: (rig, center) => rig.learnCenterTime(center, CENTER_TIME),
    command: (_rig, center) => {
      const body = center.signed(
        center.envelope('members.upsert', { members: [M002] }, { expiresAt: CENTER_TIME - 60_000 }),
      );
      return {
        body,
        // The center's time in the message is read as the reply is made: only its minute is known.
        reply: {
          ...refused(body.id as number, 'expired', ''),
          error: {
            code: 'expired',
            message: stringMatching(
              /^the command expired at 2031-03-01T07:59:00\.000Z \(center time\); the center’s time is now about 2031-03-01T08:00:[0-5]\d\.\d{3}Z$/,
            ),
          },
        },
      };
    },
  },
  {
    name: 'signed, with an id more than an hour ahead of the center’s time',
    prepare: (rig, center) => rig.learnCenterTime(center, CENTER_TIME),
    command: (_rig, center) => {
      const id = CENTER_TIME + 2 * 3600_000;
      center.useId(id);
      const body = center.command('agent.diagnostics');
      return {
        body,
        reply: {
          ...refused(id, 'id-too-far', ''),
          error: {
            code: 'id-too-far',
            message: stringMatching(
              /^command id 1930125600000 is more than 60 minutes ahead of the center’s time \(2031-03-01T08:00:[0-5]\d\.\d{3}Z\) as this device learned it from the center’s acknowledgements: the center issues ids from its clock in ms and issued no such id$/,
            ),
          },
        },
      };
    },
  },
  {
    name: 'a replayed id with another body',
    command: (_rig, center) => {
      center.useId(1);
      const body = center.signed(center.envelope('members.upsert', { members: [M002] }));
      return {
        body,
        reply: refused(
          1,
          'id-reused',
          'command id 1 was already used for a different command (members.upsert); the center must use a new id',
        ),
      };
    },
  },
  {
    name: 'a stale id',
    prepare: async (_rig, center) => {
      center.useId(10);
      expect(
        (await center.send(center.signed(center.envelope('members.upsert', { members: [M002] })))).reply.status,
      ).toBe('done');
    },
    command: (_rig, center) => {
      center.useId(5);
      const body = center.signed(center.envelope('members.upsert', { members: [{ memberId: 'M003', name: '张伟' }] }));
      return {
        body,
        reply: refused(
          5,
          'stale-id',
          'command id 5 is below the newest command id this device ran (10) and was never seen before: refused as stale',
        ),
      };
    },
  },
  {
    name: 'an unknown command type',
    command: (_rig, center) => {
      const body = center.signed(center.envelope('members.purge'));
      return {
        body,
        reply: refused(
          body.id as number,
          'unknown-command',
          'unknown command type "members.purge"; known types: activity.end, activity.start, agent.diagnostics, agent.restart, camera.photo, camera.stream, config.set, enrollment.start, journal.replay, members.remove, members.upsert, plans.add, plans.cancel, recording.upload, templates.restore',
        ),
      };
    },
  },
  {
    name: 'invalid params',
    command: (_rig, center) => {
      const body = center.signed(center.envelope('members.upsert', { members: [{ memberId: 'M 4', role: 'chief' }] }));
      return {
        body,
        reply: refused(
          body.id as number,
          'invalid-params',
          'members.upsert: invalid params: members[0].memberId: "M 4" is not a member number of 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit; members[0].name: required; members[0].role: "chief" is not one of member, secretary',
        ),
      };
    },
  },
];

function badSignature(rig: CommandRig, commandId: number): CommandReply {
  const keyId = keyIdOf(publicKeyBase64(rig.centerKey!));
  return refused(
    commandId,
    'bad-signature',
    `the signature does not verify with county.centerPublicKey (${keyId}): the command was signed by another key or changed after signing`,
  );
}

describe('a bad command', () => {
  it.each(BAD_COMMANDS)(
    '$name: is answered with exactly what is wrong and changes neither the journal nor the configuration',
    async (row) => {
      const { rig, center } = await room();
      // A roster and a command record to leave untouched: command 1 added M001.
      expect((await center.send(center.signed(center.envelope('members.upsert', { members: [M001] })))).reply).toEqual(
        done(1, { changes: [{ memberId: 'M001', kind: 'added' }] }),
      );
      await row.prepare?.(rig, center);
      const before = rig.snapshot();
      const { body, reply } = row.command(rig, center);

      const sent = await center.post(body);
      const received = await center.reply(sent);
      await rig.processor!.settled();

      expect(received).toEqual({ topic: rig.topics.replies, reply, correlationData: sent.correlationData });
      expect(rig.snapshot()).toEqual(before);
      expect(rig.restarts).toEqual([]);
    },
  );
});

describe('command ids', () => {
  it('answers a repeated id with the same body with the identical first reply, acting once', async () => {
    const { rig, center } = await room();
    const start = center.command('activity.start', { type: 'branch-meeting', title: '支部委员会' });

    const first = await center.send(start);
    const headAfterFirst = rig.journal.head();
    const again = await center.send(start);

    expect(first.reply).toMatchObject({
      commandId: 1,
      status: 'done',
      result: { type: 'branch-meeting', title: '支部委员会', source: 'center' },
    });
    expect(again.reply).toEqual(first.reply);
    expect(rig.journal.head()).toEqual(headAfterFirst);
    expect(entriesOf(rig, 'activity.started')).toHaveLength(1);
    expect(entriesOf(rig, 'center.command')).toEqual([
      { id: 1, type: 'activity.start', status: 'done', signature: 'verified' },
    ]);
  });

  it('journals a signed command as verified, once, with the roster change it made', async () => {
    const { rig, center } = await room();
    const upsert = center.signed(
      center.envelope('members.upsert', { members: [M001, M002], operator: 'county-ops-zhao' }),
    );

    const reply = await center.send(upsert);
    const repeat = await center.send(upsert);

    expect(reply.reply).toEqual(
      done(1, {
        changes: [
          { memberId: 'M001', kind: 'added' },
          { memberId: 'M002', kind: 'added' },
        ],
      }),
    );
    expect(repeat.reply).toEqual(reply.reply);
    const entries = rig.journal.read(0, 100).map((entry) => [entry.type, entry.payload]);
    expect(entries).toEqual([
      ['member.upserted', { ...M001, role: 'member', status: 'active', source: 'center', operator: 'county-ops-zhao' }],
      ['member.upserted', { ...M002, role: 'member', status: 'active', source: 'center', operator: 'county-ops-zhao' }],
      ['center.command', { id: 1, type: 'members.upsert', status: 'done', signature: 'verified' }],
    ]);
  });

  it('settles a task the agent was running when it stopped as interrupted, and answers its repeat with that', async () => {
    const { rig, center } = await room();
    const restart = center.signed(center.envelope('agent.restart', { reason: 'kernel update' }));
    // The agent stopped after recording the restart as running, before it answered.
    await rig.disconnect();
    const { signature: _signature, ...unsigned } = restart;
    recordRunning(rig.journal.db, {
      id: 1,
      type: 'agent.restart',
      bodySha256: sha256Hex(canonicalJson(unsigned)),
      signature: 'verified',
    });

    await rig.connect();
    const repeat = await center.send(restart);

    const interrupted =
      'the agent stopped while this command ran, so its outcome is unknown; check the journal, then send it again with a new id';
    expect(repeat.reply).toEqual(refused(1, 'failed', interrupted));
    expect(entriesOf(rig, 'center.command')).toEqual([
      {
        id: 1,
        type: 'agent.restart',
        status: 'error',
        signature: 'verified',
        error: { code: 'failed', message: interrupted },
      },
    ]);
    expect(rig.restarts).toEqual([]);
  });
});

describe('expiry', () => {
  it('judges expiresAt by the center’s time from its acks, never by the device’s clock, and not at all before an ack', async () => {
    const { rig, center } = await room();
    // Before any ack the center's time is unknown: only the broker's message expiry bounds a command.
    const beforeAck = await center.send(
      center.command('journal.replay', { fromSeq: 1 }, { expiresAt: Date.parse('2020-01-01T00:00:00Z') }),
    );
    // The device's clock runs ten days ahead of the center's: by it, this command expired long ago.
    const centerTime = Date.now() - 10 * 24 * 3600_000;
    await rig.learnCenterTime(center, centerTime);

    const current = await center.send(
      center.command('journal.replay', { fromSeq: 1 }, { expiresAt: centerTime + 60_000 }),
    );

    expect(beforeAck.reply.status).toBe('done');
    expect(current.reply.status).toBe('done');
  });
});

describe('replies', () => {
  it('go to the command’s response topic under the room’s out/, else to out/replies, with the correlation data', async () => {
    const { rig, center } = await room();
    const own = `${rig.topics.base}/out/replies/ops-desk-7`;

    const named = await center.post(center.command('journal.replay', { fromSeq: 1 }), { responseTopic: own });
    const foreign = await center.post(center.command('journal.replay', { fromSeq: 1 }), {
      responseTopic: 'county/rooms/other-room/out/replies',
    });
    const inbound = await center.post(center.command('journal.replay', { fromSeq: 1 }), {
      responseTopic: `${rig.topics.base}/in/cmd`,
    });
    const none = await center.post(center.command('journal.replay', { fromSeq: 1 }), { responseTopic: null });

    expect((await center.reply(named)).topic).toBe(own);
    for (const sent of [foreign, inbound, none]) {
      const received = await center.reply(sent);
      expect(received.topic).toBe(rig.topics.replies);
      expect(received.correlationData).toEqual(sent.correlationData);
    }
  });
});

describe('each command', () => {
  it('members.upsert and members.remove change the roster; removing someone unknown fails', async () => {
    const { rig, center } = await room();
    await center.send(center.signed(center.envelope('members.upsert', { members: [M001] })));

    const removed = await center.send(center.signed(center.envelope('members.remove', { memberId: 'M001' })));
    const unknown = await center.send(center.signed(center.envelope('members.remove', { memberId: 'M404' })));

    const removal = rig.journal.read(0, 100).find((entry) => entry.type === 'member.removed')!;
    expect(removed.reply).toEqual(done(2, { memberId: 'M001', slots: [], seq: removal.seq }));
    expect(removal.payload).toEqual({ memberId: 'M001', slots: [], operator: 'center' });
    expect(unknown.reply).toEqual(
      refused(
        3,
        'failed',
        'member M404 is not on this room’s roster; sync with the county, or add them with room-agent members add M404 --name NAME',
      ),
    );
    expect(rig.journal.db.prepare('SELECT count(*) AS n FROM members').get()).toEqual({ n: 0 });
  });

  it('activity.start and activity.end, plans.add and plans.cancel', async () => {
    const { rig, center } = await room();
    const plan = {
      id: 'plan-2031-03-05',
      type: 'theme-party-day',
      title: '主题党日',
      startsAt: '2031-03-05T09:00:00+08:00',
      durationMin: 90,
      photos: 3,
    };

    const started = await center.send(
      center.command('activity.start', { type: 'party-lesson', title: '党课', photos: 3 }),
    );
    const ended = await center.send(center.command('activity.end', {}));
    const added = await center.send(center.command('plans.add', { plan }));
    const cancelled = await center.send(center.command('plans.cancel', { id: plan.id, reason: 'typhoon warning' }));
    const badPlan = await center.send(
      center.command('plans.add', { plan: { ...plan, id: 'plan-x', startsAt: '2031-03-05 09:00' } }),
    );

    expect(started.reply).toMatchObject({
      commandId: 1,
      status: 'done',
      result: { type: 'party-lesson', title: '党课', photos: 3, source: 'center', endedSeq: null },
    });
    expect(ended.reply).toMatchObject({
      commandId: 2,
      status: 'done',
      result: { endReason: 'ended by the county center' },
    });
    expect(added.reply).toMatchObject({
      commandId: 3,
      status: 'done',
      result: { plan: { ...plan, recording: false }, source: 'center', state: 'scheduled' },
    });
    expect(cancelled.reply).toMatchObject({ commandId: 4, status: 'done', result: { state: 'cancelled' } });
    expect(badPlan.reply).toEqual(
      refused(
        5,
        'invalid-params',
        'plans.add: invalid params: plan.startsAt: "2031-03-05 09:00" is not an ISO 8601 time with an offset, e.g. 2025-07-05T09:00:00+08:00',
      ),
    );
    expect(rig.journal.read(0, 100).map((entry) => entry.type)).toEqual([
      'activity.started',
      'center.command',
      'activity.ended',
      'center.command',
      'activity.plan_received',
      'center.command',
      'activity.plan_cancelled',
      'center.command',
    ]);
  });

  it('journal.replay asks the outbox to send again from the seq', async () => {
    const { rig, center } = await room();
    await center.send(center.signed(center.envelope('members.upsert', { members: [M001, M002] })));
    const head = rig.journal.head().seq;

    const replay = await center.send(center.command('journal.replay', { fromSeq: 2 }));
    const zero = await center.send(center.command('journal.replay', { fromSeq: 0 }));

    expect(replay.reply).toEqual(done(2, { fromSeq: 2, toSeq: head }));
    expect(zero.reply).toEqual(
      refused(3, 'invalid-params', 'journal.replay: invalid params: fromSeq: 0 is below the minimum 1'),
    );
  });

  it('config.set writes the override, replies, then asks for a restart; values merge over the override, null removes one', async () => {
    const { rig, center } = await room();
    const override = overrideFiles(rig.config.device.dataDir).override;

    const set = await center.send(
      center.signed(
        center.envelope('config.set', { values: { 'county.healthIntervalSeconds': 600, 'log.level': 'debug' } }),
      ),
    );
    await rig.processor!.settled();
    expect(set.reply).toEqual(done(1, { changed: true, restart: true }));
    expect(rig.actions).toEqual([`reply:${rig.topics.replies}`, 'restart:config.set']);
    expect(parse(readFileSync(override, 'utf8'))).toEqual({
      version: 1,
      county: { healthIntervalSeconds: 600 },
      log: { level: 'debug' },
    });
    const inspected = inspectConfig(rig.configPath);
    expect(inspected.overrideActive).toBe(true);
    expect(inspected.config.county.healthIntervalSeconds).toBe(600);

    const merged = await center.send(
      center.signed(center.envelope('config.set', { values: { 'log.level': null, 'journal.retentionDays': 30 } })),
    );
    expect(merged.reply).toEqual(done(2, { changed: true, restart: true }));
    expect(parse(readFileSync(override, 'utf8'))).toEqual({
      version: 1,
      county: { healthIntervalSeconds: 600 },
      journal: { retentionDays: 30 },
    });

    const same = await center.send(
      center.signed(center.envelope('config.set', { values: { 'journal.retentionDays': 30 } })),
    );
    await rig.processor!.settled();
    expect(same.reply).toEqual(done(3, { changed: false, restart: false }));
    expect(rig.restarts).toEqual(['config.set', 'config.set']);
  });

  it('config.set refuses a key outside the whitelist and a value the schema refuses, changing no file', async () => {
    const { rig, center } = await room();
    const before = rig.snapshot();

    const keys = await center.send(
      center.signed(
        center.envelope('config.set', { values: { 'county.url': 'mqtt://203.0.113.9:1883', 'feedback.buzzer': 5 } }),
      ),
    );
    const value = await center.send(
      center.signed(
        center.envelope('config.set', { values: { 'county.healthIntervalSeconds': 1, 'log.level': 'loud' } }),
      ),
    );
    const empty = await center.send(center.signed(center.envelope('config.set', { values: {} })));

    const allowed = `not a setting the center may change; allowed: ${CENTER_SETTABLE_KEYS.join(', ')}`;
    expect(keys.reply).toEqual(
      refused(
        1,
        'invalid-params',
        `config.set: invalid params: values.county.url: ${allowed}; values.feedback.buzzer: ${allowed}`,
      ),
    );
    expect(value.reply).toEqual(
      refused(
        2,
        'invalid-params',
        'config.set: invalid params: override: county.healthIntervalSeconds: 1 is below the minimum 5; override: log.level: "loud" is not one of trace, debug, info, warn, error, fatal, silent',
      ),
    );
    expect(empty.reply).toEqual(
      refused(3, 'invalid-params', 'config.set: invalid params: values: at least one setting is needed'),
    );
    expect(rig.snapshot()).toEqual(before);
  });

  it('config.set refuses county.reconnectMinMs above county.reconnectMaxMs, set together or against the one in force', async () => {
    const { rig, center } = await room();
    const before = rig.snapshot();

    const both = await center.send(
      center.signed(
        center.envelope('config.set', {
          values: { 'county.reconnectMinMs': 60_000, 'county.reconnectMaxMs': 5_000 },
        }),
      ),
    );
    // The maximum in force is the one in the rig's configuration file, 500.
    const minOnly = await center.send(
      center.signed(center.envelope('config.set', { values: { 'county.reconnectMinMs': 300_000 } })),
    );

    expect(both.reply).toEqual(
      refused(
        1,
        'invalid-params',
        'config.set: invalid params: override: county.reconnectMinMs: 60000 is more than county.reconnectMaxMs (5000): the first reconnect delay cannot be longer than the longest',
      ),
    );
    expect(minOnly.reply).toEqual(
      refused(
        2,
        'invalid-params',
        'config.set: invalid params: override: county.reconnectMinMs: 300000 is more than county.reconnectMaxMs (500): the first reconnect delay cannot be longer than the longest',
      ),
    );
    expect(rig.snapshot()).toEqual(before);
  });

  it('camera.photo and camera.stream: a configured camera reaches the seam (no camera service yet), another name is refused', async () => {
    const { rig, center } = await room();

    const photo = await center.send(center.command('camera.photo', { camera: 'front' }));
    const before = rig.snapshot();
    const unknown = await center.send(center.command('camera.stream', { camera: 'back', action: 'start' }));

    expect(photo.reply).toEqual(
      refused(1, 'unavailable', 'no camera service runs in this agent version: camera commands cannot be carried out'),
    );
    expect(unknown.reply).toEqual(refused(2, 'invalid-params', 'this room has no camera "back"; configured: front'));
    expect(rig.snapshot()).toEqual(before);
    expect(entriesOf(rig, 'center.command')).toEqual([
      {
        id: 1,
        type: 'camera.photo',
        status: 'error',
        signature: 'verified',
        error: {
          code: 'unavailable',
          message: 'no camera service runs in this agent version: camera commands cannot be carried out',
        },
      },
    ]);
  });

  it('enrollment.start without a fingerprint module is answered unavailable', async () => {
    const { center } = await room();
    await center.send(center.signed(center.envelope('members.upsert', { members: [M001] })));

    const enroll = await center.send(
      center.signed(center.envelope('enrollment.start', { memberId: 'M001', finger: 'right-index', consent: true })),
    );
    const noConsent = await center.send(
      center.signed(center.envelope('enrollment.start', { memberId: 'M001', finger: 'right-index', consent: false })),
    );

    expect(enroll.reply).toEqual(
      refused(2, 'unavailable', 'enroll: scanner.driver is none: there is no fingerprint module to use'),
    );
    expect(noConsent.reply).toEqual(
      refused(3, 'invalid-params', 'enrollment.start: invalid params: consent: false is not one of true'),
    );
  });

  it('agent.restart replies done before the restart is asked for, and a repeat does not restart again', async () => {
    const { rig, center } = await room();
    const restart = center.signed(center.envelope('agent.restart', { reason: 'kernel update' }));

    const first = await center.send(restart);
    await rig.processor!.settled();
    const again = await center.send(restart);
    await rig.processor!.settled();

    expect(first.reply).toEqual(done(1, { restarting: true }));
    expect(again.reply).toEqual(first.reply);
    expect(rig.actions).toEqual([
      `reply:${rig.topics.replies}`,
      'restart:kernel update',
      `reply:${rig.topics.replies}`,
    ]);
  });

  it('agent.diagnostics reports the configuration, a full journal verification, scanner, link, disk and the doctor', async () => {
    const { rig, center } = await room();
    await center.send(center.signed(center.envelope('members.upsert', { members: [M001] })));

    const diagnostics = await center.send(center.command('agent.diagnostics'));

    expect(diagnostics.reply).toEqual(
      done(2, {
        config: { path: rig.configPath, overrideActive: false, overrideFile: false, valid: true, problems: [] },
        journal: { ok: true, checkedFrom: 1, checkedTo: 2, entries: 2 },
        scanner: { state: 'disabled', detail: 'scanner.driver is none' },
        link: {
          state: 'connected',
          inflight: ofType(Number),
          session: { connectionId: 1, window: 20, sessionPresent: false },
        },
        disk: { freeBytes: ofType(Number), totalBytes: ofType(Number) },
        // The rig's doctor has no checks of its own: the daemon's are in test/doctor/doctorDaemon.test.ts.
        doctor: { v: 1, ok: true, checks: [] },
      }),
    );
  });
});

describe('without county.centerPublicKey', () => {
  it('carries out member commands unsigned and journals them as unchecked', async () => {
    const { rig, center } = await room({ centerKey: 'none' });

    const upsert = await center.send(center.envelope('members.upsert', { members: [M001] }));

    expect(upsert.reply).toEqual(done(1, { changes: [{ memberId: 'M001', kind: 'added' }] }));
    expect(entriesOf(rig, 'center.command')).toEqual([
      { id: 1, type: 'members.upsert', status: 'done', signature: 'unchecked' },
    ]);
  });

  it('refuses a key that is not Ed25519 when the processor is built', async () => {
    const { rig } = await room({ centerKey: 'none' });
    const build = (centerPublicKey: string): unknown => {
      try {
        return new CommandProcessor({ ...rig.processorOptions(), centerPublicKey });
      } catch (error) {
        return error;
      }
    };

    expect(build('AAAA')).toMatchObject({
      code: ErrorCode.CenterPublicKeyInvalid,
      message: stringMatching(/^county\.centerPublicKey is not a DER \(SPKI\) public key in base64: /),
    });
    expect(build(publicKeyBase64(generateKeyPairSync('x25519').publicKey))).toMatchObject({
      code: ErrorCode.CenterPublicKeyInvalid,
      message:
        'county.centerPublicKey is a x25519 key, but command signatures need an Ed25519 key; ask the county center for its Ed25519 public key',
    });
  });
});

describe('a room that is offline', () => {
  it('gets a command sent meanwhile after it reconnects; one whose message expiry passed is never carried out', async () => {
    const { rig, center } = await room();
    await rig.disconnect();

    const waiting = await center.post(center.signed(center.envelope('members.upsert', { members: [M001] })), {
      expirySeconds: 60,
    });
    const expiring = await center.post(center.signed(center.envelope('members.upsert', { members: [M002] })), {
      expirySeconds: 1,
    });
    await sleep(3000);
    await rig.connect();

    expect((await center.reply(waiting)).reply).toEqual(done(1, { changes: [{ memberId: 'M001', kind: 'added' }] }));
    await sleep(1500);
    await rig.processor!.settled();
    expect(center.repliesTo(expiring)).toEqual([]);
    expect(rig.journal.db.prepare('SELECT id FROM center_commands').all()).toEqual([{ id: 1 }]);
    expect(rig.journal.db.prepare('SELECT member_id FROM members').all()).toEqual([{ member_id: 'M001' }]);
  });
});
