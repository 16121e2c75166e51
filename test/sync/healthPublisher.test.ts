import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/daemon/bus.js';
import type { Journal } from '../../src/journal/journal.js';
import { createSilentLogger } from '../../src/log.js';
import type { HealthSources } from '../../src/sync/health/healthMessage.js';
import { HealthPublisher } from '../../src/sync/health/healthPublisher.js';
import { LinkDownError } from '../../src/sync/link/errors.js';
import type { Link, LinkEvents, LinkSession, LinkState, PublishRequest } from '../../src/sync/link/types.js';
import { healthMessageSchema } from '../../src/sync/protocol/messages.js';
import { roomTopics } from '../../src/sync/protocol/topics.js';
import { makeTempDir } from '../helpers/cli.js';
import { FakeClock } from '../helpers/fakeClock.js';
import { openJournal } from '../journal/helpers.js';
import { until } from './linkFixtures.js';

/**
 * The Link seam with the broker replaced by a list: what the publisher hands the link, and when.
 * `hold` keeps PUBACKs back, as a full in-flight window or a slow uplink would.
 */
class RecordingLink implements Link {
  state: LinkState = 'connected';
  session: LinkSession | undefined = { connectionId: 1, window: 20, sessionPresent: false };
  readonly inflight = 0;
  readonly sent: Array<{ request: PublishRequest; atMs: number }> = [];
  hold = false;
  private held: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private readonly listeners: { [E in keyof LinkEvents]: Set<LinkEvents[E]> } = {
    up: new Set(),
    down: new Set(),
    message: new Set(),
  };

  publish(request: PublishRequest): Promise<void> {
    this.sent.push({ request, atMs: performance.now() });
    if (!this.hold) return Promise.resolve();
    return new Promise((resolve, reject) => this.held.push({ resolve, reject }));
  }

  on<E extends keyof LinkEvents>(event: E, listener: LinkEvents[E]): () => void {
    this.listeners[event].add(listener);
    return () => this.listeners[event].delete(listener);
  }

  release(): void {
    for (const { resolve } of this.held.splice(0)) resolve();
  }

  goDown(): void {
    this.state = 'disconnected';
    this.session = undefined;
    for (const { reject } of this.held.splice(0)) reject(new LinkDownError('test'));
    for (const listener of this.listeners.down) listener('test');
  }

  comeUp(): void {
    this.state = 'connected';
    this.session = { connectionId: 2, window: 20, sessionPresent: true };
    for (const listener of this.listeners.up) listener(this.session);
  }

  listenerCount(): number {
    return this.listeners.up.size;
  }
}

describe('HealthPublisher', () => {
  const topics = roomTopics('county', 'yx-hongqi-01');
  const GAP_MS = 150;
  let temp: ReturnType<typeof makeTempDir>;
  let journal: Journal;
  let link: RecordingLink;
  let bus: EventBus;
  let scannerState: string;
  let publisher: HealthPublisher | undefined;

  function start(intervalMs = 60_000): HealthPublisher {
    const clock = new FakeClock();
    const sources: HealthSources = {
      deviceId: 'yx-hongqi-01',
      version: '0.4.0',
      clock,
      journal,
      uptimeSeconds: () => 10,
      scanner: { state: () => scannerState, stateDetail: () => undefined, driver: () => 'r30x' },
      cameras: () => [],
      board: () => ({ disk: null, cpuTemperatureC: null, throttled: null }),
      county: {},
      outbox: () => ({ ackedSeq: 0, backlogEvents: journal.head().seq, oldestUnsentAgeSeconds: null }),
      files: () => ({ pendingFiles: 0 }),
    };
    publisher = new HealthPublisher({
      link,
      topics,
      intervalMs,
      minGapMs: GAP_MS,
      bus,
      sources,
      logger: createSilentLogger(),
    });
    publisher.start();
    return publisher;
  }

  const scannerStates = (): string[] =>
    link.sent.map(({ request }) => healthMessageSchema.parse(JSON.parse(String(request.payload))).scanner.state);

  beforeEach(() => {
    temp = makeTempDir();
    journal = openJournal(join(temp.dir, 'data'));
    link = new RecordingLink();
    bus = new EventBus();
    scannerState = 'connecting';
  });
  afterEach(() => {
    publisher?.stop();
    publisher = undefined;
    journal.close();
    temp.cleanup();
  });

  it('publishes a retained QoS 1 health message on the health topic at once when started connected', async () => {
    start();
    await until(() => link.sent.length === 1, 'the first message');
    const { request } = link.sent[0]!;
    expect(request).toMatchObject({
      topic: 'county/rooms/yx-hongqi-01/out/health',
      qos: 1,
      retain: true,
      priority: 'control',
    });
    expect(healthMessageSchema.parse(JSON.parse(String(request.payload)))).toMatchObject({
      deviceId: 'yx-hongqi-01',
      scanner: { state: 'connecting' },
    });
  });

  it('repeats every interval while connected', async () => {
    start(200);
    await until(() => link.sent.length >= 4, 'four messages');
    const gaps = link.sent.slice(1).map(({ atMs }, index) => atMs - link.sent[index]!.atMs);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(195);
  });

  it('tells a change soon, but a burst of changes makes one message, never two within the minimum gap', async () => {
    start();
    await until(() => link.sent.length === 1, 'the first message');
    for (let i = 0; i < 10; i++) {
      scannerState = i % 2 === 0 ? 'disconnected' : 'connected';
      bus.emit('scanner.state', { state: scannerState as 'connected' });
    }
    bus.emit('clock.synced', { source: 'timesyncd', seq: 1 });
    await until(() => link.sent.length === 2, 'the message after the burst');
    expect(link.sent[1]!.atMs - link.sent[0]!.atMs).toBeGreaterThanOrEqual(GAP_MS - 2);
    // It carries the state after the burst, and nothing follows while nothing changes.
    await sleep(3 * GAP_MS);
    expect(scannerStates()).toEqual(['connecting', 'connected']);

    // Long after the last message a change goes out at once.
    const before = performance.now();
    bus.emit('journal.tamper', { firstBrokenSeq: 3, reason: 'hash mismatch' });
    await until(() => link.sent.length === 3, 'the message after the tamper report');
    expect(link.sent[2]!.atMs - before).toBeLessThan(GAP_MS);
  });

  it('publishes nothing while disconnected and right after the link comes up', async () => {
    link.state = 'disconnected';
    start(100);
    bus.emit('scanner.state', { state: 'connected' });
    await sleep(400);
    expect(link.sent).toHaveLength(0);
    scannerState = 'connected';
    link.comeUp();
    await until(() => link.sent.length === 1, 'the message after up');
    expect(scannerStates()).toEqual(['connected']);
  });

  it('keeps one message in flight: what falls due meanwhile follows its PUBACK', async () => {
    link.hold = true;
    start(100);
    await until(() => link.sent.length === 1, 'the first message');
    await sleep(500);
    expect(link.sent).toHaveLength(1);
    link.hold = false;
    link.release();
    await until(() => link.sent.length === 2, 'the message after the PUBACK');
  });

  it('survives a publish the connection loss rejects, and publishes again on the next up', async () => {
    link.hold = true;
    start();
    await until(() => link.sent.length === 1, 'the first message');
    link.goDown();
    await sleep(GAP_MS);
    link.hold = false;
    link.comeUp();
    await until(() => link.sent.length === 2, 'the message on reconnect');
  });

  it('stops: no timer, no bus or link listeners left', async () => {
    start(100);
    await until(() => link.sent.length === 1, 'the first message');
    publisher!.stop();
    bus.emit('scanner.state', { state: 'connected' });
    link.comeUp();
    await sleep(400);
    expect(link.sent).toHaveLength(1);
    expect(link.listenerCount()).toBe(0);
  });
});
