import { deflateRawSync, inflateRawSync } from 'node:zlib';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { centerKeyFrom, signatureValid, signedBytes } from '../../src/sync/commands/signature.js';
import { generateDeviceKey } from '../../src/journal/keyCrypto.js';
import { EVENT_BATCH_PROPERTIES, encodeEventBatch } from '../../src/sync/protocol/eventBatch.js';
import { ErrorCode } from '../../src/errors.js';
import { CENTER_ACK_EXPIRY_SECONDS, commandEnvelopeSchema } from '../../src/sync/protocol/messages.js';
import { range, startCenterFixture, type CenterFixture } from './helpers.js';

describe('county center: bad input and gaps', () => {
  let f: CenterFixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });

  it('never crashes on garbage payloads and topics, counts them per room, and keeps storing', async () => {
    f = await startCenterFixture();
    const room = await f.room('noisy', 5);
    await room.publishState();
    const garbage = await mqtt.connectAsync(f.broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
    const events = room.topics.events;
    const batchProperties = { userProperties: EVENT_BATCH_PROPERTIES.userProperties };
    const wireBatch = JSON.parse(
      inflateRawSync(encodeEventBatch('noisy', 'live', room.entries(1, 2))).toString('utf8'),
    ) as Record<string, unknown>;
    const bad: Array<[string, Buffer | string, mqtt.IClientPublishOptions['properties']?]> = [
      [events, Buffer.from([0xde, 0xad, 0xbe, 0xef]), batchProperties],
      [events, 'not json at all'],
      [events, deflateRawSync(Buffer.from('{"v":1}')), batchProperties],
      // A "deflate bomb": 64 MiB of zeros compress to a few KiB and must not be inflated whole.
      [events, deflateRawSync(Buffer.alloc(64 * 1024 * 1024)), batchProperties],
      // Entries that do not match fromSeq..toSeq (uncompressed, without the encoding property).
      [events, JSON.stringify({ ...wireBatch, toSeq: 3 })],
      // Entries without the members an entry needs (unknown members alone are ignored, missing ones are not).
      [events, JSON.stringify({ ...wireBatch, entries: [{ id: 'a' }, { id: 'b' }] })],
      // Another room's batch on this room's topic.
      [events, encodeEventBatch('other', 'live', room.entries(1, 1)), batchProperties],
      [room.topics.state, '{"v":1,"deviceId":"noisy"}'],
      [room.topics.state, JSON.stringify(room.state({ deviceId: 'someone-else' }))],
      [room.topics.health, '[]'],
      [room.topics.replies, '{"v":1}'],
      ['county/rooms/noisy/out/unknown', 'x'],
      ['county/rooms/noisy/out/files/bad id/init', '{}'],
    ];
    for (const [topic, payload, properties] of bad) await garbage.publishAsync(topic, payload, { qos: 1, properties });
    // Topics that name no valid device: counted, not attached to any room.
    await garbage.publishAsync('county/rooms/-bad-/out/state', 'x', { qos: 1 });
    await garbage.publishAsync(`county/rooms/${'x'.repeat(80)}/out/events`, 'x', { qos: 1 });
    await garbage.endAsync();

    await f.center.waitFor(() => f!.center.stats().badMessages === bad.length + 2, 10_000, 'every bad message counted');
    expect(f.center.room('noisy')?.badMessages).toBe(bad.length);
    expect(f.center.eventCount('noisy')).toBe(0);

    await room.publishBatch(1, 5);
    await f.center.waitForContiguous('noisy', 5);
    expect(f.center.storedSeqs('noisy')).toEqual(range(1, 5));
    expect(f.center.rooms().map((summary) => summary.deviceId)).toEqual(['noisy']);
  });

  it('sends acks that expire, so a room offline for days never takes a stale one as the time', async () => {
    f = await startCenterFixture();
    const room = await f.room('timely', 3);
    const expiries: Array<number | undefined> = [];
    room.client.on('message', (topic, _payload, packet) => {
      if (topic === room.topics.ack) expiries.push(packet.properties?.messageExpiryInterval);
    });
    await room.publishState();
    await room.publishBatch(1, 3);
    await f.center.waitFor(() => expiries.length > 0, 5000, 'an ack');
    expect(expiries.every((expiry) => expiry !== undefined && expiry > 0 && expiry <= CENTER_ACK_EXPIRY_SECONDS)).toBe(
      true,
    );
  });

  it('waits for a lost broker no longer than a command’s reply timeout, and stops within seconds with publishes in flight', async () => {
    f = await startCenterFixture();
    await f.broker.kill();
    const started = Date.now();
    await expect(
      f.center.sendCommand('lonely', 'agent.diagnostics', {}, { responseTimeoutMs: 300 }),
    ).rejects.toMatchObject({ code: ErrorCode.CenterNoReply });
    expect(Date.now() - started).toBeLessThan(3000);
    // mqtt.js holds this QoS 1 publish for the broker's return; its end() would wait for it forever.
    const held = f.center.sendCommand('lonely', 'agent.diagnostics', {}, { responseTimeoutMs: 60_000 });
    held.catch(() => undefined);
    const stopping = Date.now();
    await f.center.stop();
    expect(Date.now() - stopping).toBeLessThan(6000);
    await expect(held).rejects.toMatchObject({ code: ErrorCode.CenterUnavailable });
  });

  it('asks a room to replay across a gap that persists, signed, once per gap period, and stops once it is filled', async () => {
    const key = generateDeviceKey();
    f = await startCenterFixture({ gapSeconds: 0.5, signingKey: key });
    const room = await f.room('gappy', 10);
    await room.publishState();
    await room.publishBatch(1, 5);
    await room.publishBatch(9, 10, 'live');
    await f.center.waitForContiguous('gappy', 5);
    const replays: Array<{ fromSeq: number; at: number }> = [];
    f.center.on('replay', (_deviceId, fromSeq) => replays.push({ fromSeq, at: Date.now() }));

    await f.center.waitFor(() => room.commands.length > 0, 5000, 'a replay command');
    const { payload, properties } = room.commands[0]!;
    const envelope = commandEnvelopeSchema.parse(JSON.parse(payload.toString('utf8')));
    expect(envelope).toMatchObject({ v: 1, deviceId: 'gappy', type: 'journal.replay', params: { fromSeq: 6 } });
    expect(
      signatureValid(
        centerKeyFrom(key.publicKey),
        signedBytes(JSON.parse(payload.toString('utf8')) as Record<string, unknown>),
        envelope.signature!,
      ),
    ).toBe(true);
    expect(properties?.responseTopic).toBe(room.topics.replies);
    expect(properties?.correlationData).toHaveLength(16);
    expect(properties?.messageExpiryInterval).toBeGreaterThan(0);

    // Not answered: asked again, but not more often than once per gap period (0.5 s), where the
    // center checks every 125 ms. Measured between the requests themselves, so a busy machine only
    // spaces them further; less a few ms for the time between the center reading its clock and the event.
    await f.center.waitFor(() => replays.length >= 3, 10_000, 'two more replay commands');
    const spacings = replays.slice(1).map(({ at }, index) => at - replays[index]!.at);
    for (const spacing of spacings) expect(spacing).toBeGreaterThan(500 - 50);
    expect(replays.map(({ fromSeq }) => fromSeq)).toEqual(replays.map(() => 6));

    await room.publishBatch(6, 8);
    await f.center.waitForContiguous('gappy', 10);
    // The center's own count, not what reached the room: a command sent just before the fill may still be on its way.
    const asked = replays.length;
    await new Promise((resolve) => setTimeout(resolve, 3 * 500));
    expect(replays.length).toBe(asked);
  });

  it('asks an online room whose health names a head the center never got, and leaves an offline one alone', async () => {
    f = await startCenterFixture({ gapSeconds: 0.5 });
    const replayed: string[] = [];
    f.center.on('replay', (deviceId) => replayed.push(deviceId));
    const quiet = await f.room('quiet', 5);
    await quiet.publishState();
    await quiet.publishHealth();
    const away = await f.room('away', 5);
    await away.publishState({ state: 'offline', reason: 'link-lost' });
    await away.publishHealth();
    await f.center.waitFor(
      () => f!.center.room('quiet')?.backlog === 5 && f!.center.room('away')?.backlog === 5,
      5000,
      'both heads known',
    );

    await f.center.waitFor(() => quiet.commands.length > 0, 5000, 'a replay command');
    const envelope = commandEnvelopeSchema.parse(JSON.parse(quiet.commands[0]!.payload.toString('utf8')));
    expect(envelope).toMatchObject({ type: 'journal.replay', params: { fromSeq: 1 } });
    // The center's own record, not what reached the room: a command to `away` may still be on its
    // way. Both gaps began together, so another gap period covers every check that could ask it.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(replayed).not.toContain('away');
    expect(away.commands).toEqual([]);
  });
});
