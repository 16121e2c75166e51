import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, vi } from 'vitest';
import { CountyCenter } from '../../src/center/countyCenter.js';
import type { CenterSigningKey } from '../../src/center/signing.js';
import { createRootLogger, createSilentLogger } from '../../src/log.js';
import { makeTempDir } from './cli.js';
import { startMosquitto, type Mosquitto, type MosquittoOptions } from './mosquitto.js';
import { SyncRoom } from './syncRoom.js';

/** A proxy between room and broker (test/helpers/tcpProxy.ts, uplinkProxy.ts). */
export interface Proxy {
  readonly port: number;
  close(): Promise<void>;
}

export interface ScenarioOptions<P extends Proxy> {
  deviceId?: string;
  broker?: MosquittoOptions;
  /** County settings of the room, over syncRoom.ts FAST_COUNTY. */
  county?: Record<string, unknown>;
  /** Further top-level sections of the room's config (cameras, media…); given the proxy when they point through it. */
  sections?: Record<string, unknown> | ((proxy: P | undefined) => Record<string, unknown>);
  /** The center signs its commands with it, and the room has its public key as county.centerPublicKey. */
  centerKey?: CenterSigningKey;
  /**
   * Where the room connects: straight to the broker, or to a proxy in front of it which the
   * scenario starts (given the broker's port) and closes.
   */
  via?: (brokerPort: number) => Promise<P>;
}

/**
 * How long a wait for the whole backlog may take (generous: 2 busy cores); below vitest's 60 s
 * test timeout, so a stuck sync fails with its own message and the room's log.
 */
export const SYNC_TIMEOUT_MS = 45_000;

/**
 * One room agent, a real Mosquitto (optionally behind a proxy) and the reference county center
 * in this process on its own SQLite file: the two halves of county sync as a county runs them.
 * Everything is removed by close(), which tests call in afterEach.
 */
export class SyncScenario<P extends Proxy = Proxy> {
  center: CountyCenter | undefined;
  private centers = 0;

  private constructor(
    readonly broker: Mosquitto,
    readonly room: SyncRoom,
    private readonly dir: string,
    private readonly cleanup: () => void,
    private readonly via: P | undefined,
    private readonly centerKey: CenterSigningKey | undefined,
  ) {}

  /** Starts the broker (and proxy); neither the room nor the center yet: tests order those. */
  static async create<P extends Proxy = Proxy>(options: ScenarioOptions<P> = {}): Promise<SyncScenario<P>> {
    const { dir, cleanup } = makeTempDir('room-agent-sync-e2e-');
    const broker = await startMosquitto(options.broker);
    const proxy = options.via === undefined ? undefined : await options.via(broker.port);
    const port = proxy?.port ?? broker.port;
    const room = new SyncRoom({
      dir,
      deviceId: options.deviceId ?? 'room-e2e',
      brokerUrl: `mqtt://127.0.0.1:${port}`,
      county: { ...(options.centerKey && { centerPublicKey: options.centerKey.publicKey }), ...options.county },
      sections: typeof options.sections === 'function' ? options.sections(proxy) : options.sections,
    });
    return new SyncScenario(broker, room, dir, cleanup, proxy, options.centerKey);
  }

  /** The proxy the room connects through (create({ via })). */
  get proxy(): P {
    if (this.via === undefined) throw new Error('the scenario has no proxy');
    return this.via;
  }

  get deviceId(): string {
    return this.room.deviceId;
  }

  /**
   * The room's usual day without a link: a center subscribed (unless `center` is false), then the
   * broker down while the room starts, its members are added and `count` of them sign in. Resolves
   * with the journal head; the broker stays down. The center's session, subscription included,
   * outlives the broker's restart: what the room publishes as soon as the broker is back waits
   * there for the center however late it reconnects, so a backfill starts when the room sends it.
   */
  async backlogWhileOffline(count: number, { center = true } = {}): Promise<number> {
    if (center && this.center === undefined) await this.startCenter();
    await this.broker.pause();
    await this.room.start();
    await this.room.addMembers();
    await this.room.signIns(count);
    return this.room.head();
  }

  /**
   * As backlogWhileOffline, with sign-ins until the backlog takes at least `seconds` to backfill
   * at `bytesPerSecond` (sized on the wire, so the test holds whatever a sign-in compresses to).
   */
  async backlogLasting(seconds: number, bytesPerSecond: number): Promise<number> {
    await this.backlogWhileOffline(500);
    while (this.room.wireBytes(0) < seconds * bytesPerSecond) await this.room.signIns(500);
    return this.room.head();
  }

  /** The broker back (same port, same persistence), and the center reconnected to it (or a new one subscribed). */
  async brokerBack(): Promise<CountyCenter> {
    await this.broker.start();
    const center = this.center ?? (await this.startCenter());
    await until(
      () => center.brokerConnected,
      SYNC_TIMEOUT_MS,
      () => 'the center reconnected',
    );
    return center;
  }

  /** A center on a fresh database (each call a new one), subscribed to every room. */
  async startCenter(): Promise<CountyCenter> {
    await this.center?.stop();
    return this.openCenter(++this.centers);
  }

  /**
   * The same center stopped, down for `downMs`, and started again: its database and its client
   * id, so its session at the broker kept what came meanwhile.
   */
  async restartCenter(downMs: number): Promise<CountyCenter> {
    await this.requireCenter().stop();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    return this.openCenter(this.centers);
  }

  /** The SQLite file of the center started last, for reading what it stored. */
  get centerDbFile(): string {
    return this.centerDb(this.centers);
  }

  private centerDb(n: number): string {
    return join(this.dir, `center-${n}.sqlite`);
  }

  private async openCenter(n: number): Promise<CountyCenter> {
    // Its own client id per database: a fresh center must not inherit the session (and queued batches) of the last one.
    this.center = await CountyCenter.start({
      broker: { url: this.broker.url },
      dbFile: this.centerDb(n),
      filesDir: join(this.dir, `center-${n}-files`),
      clientId: `e2e-center-${n}`,
      signingKey: this.centerKey,
      logger:
        process.env.SYNC_E2E_LOG === 'debug'
          ? createRootLogger({ level: 'debug', format: 'json' })
          : createSilentLogger(),
    });
    return this.center;
  }

  private requireCenter(): CountyCenter {
    if (this.center === undefined) throw new Error('no center started');
    return this.center;
  }

  /** The highest seq the center holds contiguously for the room (0 before any). */
  contiguous(): number {
    return this.requireCenter().room(this.deviceId)?.contiguousSeq ?? 0;
  }

  /**
   * Waits until the center holds the room's journal through its head and the room's cursor
   * reached that head (the center's ack came back): the end of every backfill.
   */
  async waitSynced(timeoutMs = SYNC_TIMEOUT_MS): Promise<number> {
    let head = 0;
    let cursor: number | undefined;
    await until(
      async () => {
        const status = await this.room.status();
        head = status.journal.head.seq;
        cursor = status.sync.cursor?.seq;
        return this.contiguous() === head && cursor === head;
      },
      timeoutMs,
      () =>
        `room ${this.deviceId} synced (head ${head}, center contiguous ${this.contiguous()}, cursor ${cursor}); room log:\n${tail(this.room.output())}`,
    );
    return head;
  }

  /** Waits until the center holds more than `seq` contiguously (a backfill under way). */
  async waitCenterPast(seq: number, timeoutMs = SYNC_TIMEOUT_MS): Promise<number> {
    await until(
      () => this.contiguous() > seq,
      timeoutMs,
      () => `center past seq ${seq} (at ${this.contiguous()})`,
    );
    return this.contiguous();
  }

  /**
   * What the center stored for the room, as the checks need it (compare `stored` with
   * storedThrough(head): exactly 1..head, each once, no gap), and whether it found the chain broken.
   */
  centerView(): { stored: StoredSet; broken: { seq: number; reason: string } | null; duplicates: number } {
    const center = this.requireCenter();
    const room = center.room(this.deviceId);
    return {
      stored: storedSet(center.storedSeqs(this.deviceId)),
      broken: room?.broken ?? null,
      duplicates: center.duplicates(this.deviceId),
    };
  }

  async close(): Promise<void> {
    await this.room.kill();
    await this.center?.stop();
    await this.via?.close();
    await this.broker.stop();
    this.cleanup();
  }
}

/**
 * A scenario's test makes up to a few thousand sign-ins through the daemon, each one fsync'd,
 * then moves them through a broker to a center that verifies every signature: ~30 s on an idle
 * 2-core machine, and more than twice that with both cores busy elsewhere. The bound only catches a
 * hang; every wait inside a scenario has its own, named, limit.
 */
const SCENARIO_TEST_TIMEOUT_MS = 240_000;

/** Scenarios for the calling file's tests, each closed after its test. */
export function useSyncScenario(): <P extends Proxy = Proxy>(options?: ScenarioOptions<P>) => Promise<SyncScenario<P>> {
  vi.setConfig({ testTimeout: SCENARIO_TEST_TIMEOUT_MS });
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const scenario of open.splice(0)) await scenario.close();
  });
  return async (options) => {
    const scenario = await SyncScenario.create(options);
    open.push(scenario);
    return scenario;
  };
}

/**
 * A set of stored seqs described so that a failed comparison reads at a glance (a thousand-line
 * array diff does not): how many, lowest, highest, and the first missing and repeated ones.
 */
export interface StoredSet {
  count: number;
  first: number | null;
  last: number | null;
  /** Up to 20 seqs between first and last that are not there. */
  missing: number[];
  /** Up to 20 seqs that are there more than once. */
  repeated: number[];
}

export function storedSet(seqs: readonly number[]): StoredSet {
  const sorted = [...seqs].sort((a, b) => a - b);
  const missing: number[] = [];
  const repeated: number[] = [];
  for (let index = 1; index < sorted.length; index++) {
    const [previous, seq] = [sorted[index - 1]!, sorted[index]!];
    if (seq === previous && repeated.length < 20) repeated.push(seq);
    for (let gap = previous + 1; gap < seq && missing.length < 20; gap++) missing.push(gap);
  }
  return { count: sorted.length, first: sorted[0] ?? null, last: sorted.at(-1) ?? null, missing, repeated };
}

/** Exactly 1..n, each once, as storedSet describes it. */
export function storedThrough(n: number): StoredSet {
  return { count: n, first: 1, last: n, missing: [], repeated: [] };
}

/** Polls `condition` every 50 ms; fails with `describe()` after timeoutMs. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  describe: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function tail(text: string, lines = 40): string {
  return text.split('\n').slice(-lines).join('\n');
}

/** The retained state a fresh subscriber gets for the room, or undefined when none comes within timeoutMs. */
export async function retainedState(
  url: string,
  topic: string,
  timeoutMs: number,
): Promise<Record<string, unknown> | undefined> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0, clean: true });
  try {
    return await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      client.on('message', (_topic, payload, packet) => {
        if (packet.retain !== true) return;
        clearTimeout(timer);
        resolve(JSON.parse(payload.toString()) as Record<string, unknown>);
      });
      void client.subscribeAsync(topic, { qos: 1 });
    });
  } finally {
    await client.endAsync();
  }
}
