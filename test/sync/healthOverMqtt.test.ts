import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/daemon/bus.js';
import type { Journal } from '../../src/journal/journal.js';
import { createSilentLogger } from '../../src/log.js';
import type { HealthSources } from '../../src/sync/health/healthMessage.js';
import { HealthPublisher } from '../../src/sync/health/healthPublisher.js';
import { liveLinkStatus } from '../../src/sync/health/syncStatus.js';
import { healthMessageSchema, type HealthMessage } from '../../src/sync/protocol/messages.js';
import { makeTempDir } from '../helpers/cli.js';
import { FakeClock } from '../helpers/fakeClock.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { appendSignIns, openJournal } from '../journal/helpers.js';
import { countySettings, makeLink, nextEvent, until, watch, type TestLink } from './linkFixtures.js';

/** The health message through the real link to a real Mosquitto, as the center sees it. */
describe('health over MQTT', () => {
  let broker: Mosquitto;
  let temp: ReturnType<typeof makeTempDir>;
  let journal: Journal;
  let room: TestLink;
  let publisher: HealthPublisher;
  let scannerState: string;
  const bus = new EventBus();

  beforeEach(async () => {
    broker = await startMosquitto({ maxInflight: 7 });
    temp = makeTempDir();
    journal = openJournal(join(temp.dir, 'data'), new FakeClock());
    appendSignIns(journal, 3);
    scannerState = 'connected';
    const county = countySettings(broker.url);
    room = makeLink(county);
    const sources: HealthSources = {
      deviceId: 'room-a',
      version: '0.4.0',
      clock: new FakeClock(),
      journal,
      uptimeSeconds: () => process.uptime(),
      scanner: { state: () => scannerState, stateDetail: () => undefined, driver: () => 'r30x' },
      cameras: () => [],
      board: () => ({ disk: null, cpuTemperatureC: null, throttled: null }),
      county,
      outbox: () => ({ ackedSeq: 0, backlogEvents: journal.head().seq, oldestUnsentAgeSeconds: null }),
      files: () => ({ pendingFiles: 0 }),
    };
    publisher = new HealthPublisher({
      link: room.link,
      topics: room.topics,
      intervalMs: 60_000,
      minGapMs: 200,
      bus,
      sources,
      logger: createSilentLogger(),
    });
    publisher.start();
    const up = nextEvent(room.link, 'up');
    room.link.start();
    await up;
  });
  afterEach(async () => {
    publisher.stop();
    await room.link.stop();
    journal.close();
    temp.cleanup();
    await broker.stop();
  });

  /** The retained health message a subscriber arriving now gets. */
  async function retainedHealth(): Promise<HealthMessage & { retained: boolean }> {
    const center = await watch(broker.url, [room.topics.health]);
    try {
      await until(() => center.messages.length > 0, 'the retained health message', 5000);
      const [message] = center.messages;
      return { ...healthMessageSchema.parse(JSON.parse(message!.payload)), retained: message!.retain };
    } finally {
      await center.client.endAsync();
    }
  }

  it('leaves a retained health message for a center that subscribes later, and the status shows the live link', async () => {
    const health = await retainedHealth();
    expect(health).toMatchObject({
      retained: true,
      deviceId: 'room-a',
      journal: { headSeq: 3, ackedSeq: 0 },
      backlog: { events: 3 },
      scanner: { state: 'connected' },
    });
    const status = liveLinkStatus(room.link);
    expect(status).toMatchObject({ state: 'connected', window: 7 });
    expect(Date.parse(status.connectedSince!)).not.toBeNaN();
  });

  it('publishes a change within seconds, and after a broker restart what changed while it was down', async () => {
    const center = await watch(broker.url, [room.topics.health]);
    await until(() => center.messages.length === 1, 'the retained message');
    scannerState = 'disconnected';
    bus.emit('scanner.state', { state: 'disconnected' });
    await until(() => center.messages.length === 2, 'the message after the change', 5000);
    expect(healthMessageSchema.parse(JSON.parse(center.messages[1]!.payload)).scanner.state).toBe('disconnected');
    await center.client.endAsync();

    await broker.pause();
    await until(() => room.link.state !== 'connected', 'the link to notice', 10_000);
    scannerState = 'refused';
    bus.emit('scanner.state', { state: 'refused' });
    await broker.start();
    // The center sees the message retained before the restart, then the one sent on reconnecting.
    const after = await watch(broker.url, [room.topics.health]);
    const states = (): string[] =>
      after.messages.map(({ payload }) => healthMessageSchema.parse(JSON.parse(payload)).scanner.state);
    await until(() => states().includes('refused'), 'the message sent on reconnecting', 15_000);
    expect(states().at(-1)).toBe('refused');
    await after.client.endAsync();
  });
});
