import Database from 'better-sqlite3';
import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentError, ErrorCode } from '../../src/errors.js';
import { generateDeviceKey, type DeviceKey } from '../../src/journal/keyCrypto.js';
import { MESSAGE_VERSIONS } from '../../src/sync/protocol/messages.js';
import { done, startCenterFixture, startResponder, type CenterFixture } from './helpers.js';

describe('county center: commands', () => {
  let f: CenterFixture;
  let key: DeviceKey;
  let responder: MqttClient | undefined;
  beforeEach(async () => {
    key = generateDeviceKey();
    f = await startCenterFixture({ signingKey: key });
  });
  afterEach(async () => {
    await responder?.endAsync();
    responder = undefined;
    await f.close();
  });

  it('signs a command, matches the reply by correlation data and records both', async () => {
    const started = await startResponder(f.broker.url, 'room-cmd', key, (envelope) =>
      done('room-cmd', envelope, { echoed: envelope.params }),
    );
    responder = started.client;

    const reply = await f.center.sendCommand(
      'room-cmd',
      'members.upsert',
      { members: [{ id: 'm-1', name: 'Li' }] },
      { expiresInMs: 60_000 },
    );
    expect(reply).toMatchObject({
      status: 'done',
      deviceId: 'room-cmd',
      result: { echoed: { members: [{ id: 'm-1', name: 'Li' }] } },
    });
    const [first] = started.received;
    expect(first).toMatchObject({ v: 1, deviceId: 'room-cmd', type: 'members.upsert' });
    expect(first!.signature).toBeDefined();
    expect(first!.expiresAt! - Date.now()).toBeGreaterThan(50_000);
    expect(reply.commandId).toBe(first!.id);

    // Unsigned on request: the room, which knows the center's key, refuses it.
    const second = await f.center.sendCommand('room-cmd', 'diagnostics.run', {}, { sign: false });
    expect(second).toMatchObject({ status: 'error', error: { code: 'bad-signature' } });
    expect(started.received[1]!.signature).toBeUndefined();
    expect(started.received[1]!.id).toBeGreaterThan(first!.id);

    const db = new Database(f.dbFile, { readonly: true });
    try {
      const rows = db
        .prepare('SELECT id, type, body, reply FROM commands WHERE device_id = ? ORDER BY id')
        .all('room-cmd') as Array<{ id: number; type: string; body: string; reply: string }>;
      expect(rows.map((row) => [row.id, row.type])).toEqual([
        [first!.id, 'members.upsert'],
        [started.received[1]!.id, 'diagnostics.run'],
      ]);
      expect(JSON.parse(rows[0]!.body)).toEqual(first);
      expect(JSON.parse(rows[0]!.reply)).toEqual(reply);
    } finally {
      db.close();
    }
  });

  it('returns an error reply as it came, and rejects with CenterNoReply when nobody answers', async () => {
    const started = await startResponder(f.broker.url, 'room-err', key, (envelope) => ({
      v: MESSAGE_VERSIONS.reply,
      deviceId: 'room-err',
      commandId: envelope.id,
      status: 'error',
      error: { code: 'invalid-params', message: 'params.members: required' },
    }));
    responder = started.client;
    const reply = await f.center.sendCommand('room-err', 'members.upsert', {});
    expect(reply).toMatchObject({
      status: 'error',
      error: { code: 'invalid-params', message: 'params.members: required' },
    });

    const silent = await f.center
      .sendCommand('nobody-home', 'diagnostics.run', {}, { responseTimeoutMs: 300 })
      .catch((error: unknown) => error);
    expect(silent).toBeInstanceOf(AgentError);
    expect((silent as AgentError).code).toBe(ErrorCode.CenterNoReply);
  });

  it('refuses a command it cannot build: an invalid type, or a signature without a key', async () => {
    const invalid = await f.center.sendCommand('room-x', 'Not A Type', {}).catch((error: unknown) => error);
    expect((invalid as AgentError).code).toBe(ErrorCode.UsageError);
    const unsignedCenter = await startCenterFixture();
    try {
      const noKey = await unsignedCenter.center
        .sendCommand('room-x', 'members.upsert', {}, { sign: true })
        .catch((error: unknown) => error);
      expect((noKey as AgentError).code).toBe(ErrorCode.CenterKeyInvalid);
    } finally {
      await unsignedCenter.close();
    }
  });
});
