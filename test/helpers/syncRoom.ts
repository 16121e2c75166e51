import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callDaemon } from '../../src/control/client.js';
import { statusSchema, type Status } from '../../src/app/statusMethod.js';
import type { JournalEntry } from '../../src/journal/types.js';
import { manualSignInResultSchema } from '../../src/signin/methods.js';
import { encodeEventBatch } from '../../src/sync/protocol/eventBatch.js';
import { openJournal, startDaemon, waitForControl, type DaemonProcess } from '../daemon/daemonProcess.js';

/** County settings for a test: quick to notice a dead link, quick to come back. */
export const FAST_COUNTY = {
  keepaliveSeconds: 2,
  reconnectMinMs: 100,
  reconnectMaxMs: 1000,
  ackTimeoutSeconds: 5,
  healthIntervalSeconds: 5,
} as const;

export interface SyncRoomOptions {
  dir: string;
  deviceId: string;
  brokerUrl: string;
  /** Merged over FAST_COUNTY: backfillBytesPerSecond, maxInflight… */
  county?: Record<string, unknown>;
  /** Further top-level sections of the config (cameras, media…). */
  sections?: Record<string, unknown>;
}

/** A sign-in as the control socket answered it, and when the answer came (performance.now()). */
export interface SignedIn {
  seq: number;
  repliedAt: number;
}

const SECRETARY = 's-001';
/** Members signing in in turn; with signInWindowMinutes 0 every sign-in is a new record. */
const MEMBERS = Array.from({ length: 20 }, (_, index) => `m-${String(index + 1).padStart(3, '0')}`);

/**
 * One room agent as production runs it: `room-agent run` from dist/ with a config whose county
 * section points at the test's broker (or a proxy in front of it). Sign-ins are real: members are
 * added and signed in manually through the control socket, one journal transaction each, exactly
 * as a technician's `room-agent signin manual` does against the running daemon.
 */
export class SyncRoom {
  readonly configPath: string;
  readonly dataDir: string;
  readonly socketPath: string;
  private process: DaemonProcess | undefined;
  private turn = 0;
  /** Output of daemons that ended, for a failed test's message. */
  private earlierOutput = '';

  constructor(private readonly options: SyncRoomOptions) {
    this.dataDir = join(options.dir, 'data');
    this.configPath = join(options.dir, 'config.yaml');
    this.socketPath = join(this.dataDir, 'control.sock');
    this.writeConfig(options.county ?? {});
  }

  get deviceId(): string {
    return this.options.deviceId;
  }

  /** Rewrites the config (JSON is YAML); takes effect at the next start. */
  writeConfig(county: Record<string, unknown>): void {
    const config = {
      version: 1,
      device: { id: this.options.deviceId, dataDir: this.dataDir },
      county: { url: this.options.brokerUrl, ...FAST_COUNTY, ...county },
      scanner: { driver: 'none', signInWindowMinutes: 0 },
      clock: { syncFlagPath: join(this.options.dir, 'synced') },
      log: { format: 'json', level: process.env.SYNC_E2E_LOG === 'debug' ? 'debug' : 'info' },
      ...this.options.sections,
    };
    // A synced clock, as on a room with NTP: event times are trusted and `last sync` can be told.
    writeFileSync(join(this.options.dir, 'synced'), '');
    writeFileSync(this.configPath, `${JSON.stringify(config, null, 2)}\n`);
  }

  async start(): Promise<void> {
    if (this.process !== undefined) throw new Error('room daemon already running');
    const daemon = startDaemon(this.configPath);
    this.process = daemon;
    await waitForControl(this.socketPath, daemon);
  }

  /** SIGKILL: no clean stop, no offline state published, the journal as the crash left it. */
  async kill(): Promise<void> {
    await this.end('SIGKILL');
  }

  /** Waits for the daemon to end by itself (a restart the center asked for). */
  async exited(timeoutMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const daemon = this.process;
    if (daemon === undefined) throw new Error('room daemon not running');
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`the room daemon did not exit within ${timeoutMs} ms`)), timeoutMs).unref(),
    );
    const result = await Promise.race([daemon.exited, timeout]);
    this.process = undefined;
    this.earlierOutput += daemon.stdout() + daemon.stderr();
    return result;
  }

  /** SIGTERM: the clean stop (offline state with reason shutdown). */
  async stop(): Promise<void> {
    await this.end('SIGTERM');
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    const daemon = this.process;
    if (daemon === undefined) return;
    this.process = undefined;
    await daemon.stop(signal);
    this.earlierOutput += daemon.stdout() + daemon.stderr();
  }

  /** Everything the daemons of this room logged so far. */
  output(): string {
    return this.earlierOutput + (this.process === undefined ? '' : this.process.stdout() + this.process.stderr());
  }

  call(method: string, params: unknown = {}, timeoutMs = 10_000): Promise<unknown> {
    return callDaemon(this.socketPath, method, params, { timeoutMs });
  }

  /** The secretary and the members who sign in. */
  async addMembers(): Promise<void> {
    await this.call('members.add', {
      member: { memberId: SECRETARY, name: 'Secretary', role: 'secretary' },
      operator: 'e2e',
    });
    for (const memberId of MEMBERS)
      await this.call('members.add', { member: { memberId, name: `Member ${memberId}` }, operator: 'e2e' });
  }

  /** One manual sign-in, and when its reply (the record on disk) came. */
  async signIn(): Promise<SignedIn> {
    const memberId = MEMBERS[this.turn++ % MEMBERS.length]!;
    const reply = manualSignInResultSchema.parse(
      await this.call('signin.manual', { memberId, confirmedBy: SECRETARY, operator: 'e2e' }),
    );
    const repliedAt = performance.now();
    if (reply.outcome !== 'accepted') throw new Error(`sign-in of ${memberId} not accepted: ${JSON.stringify(reply)}`);
    return { seq: reply.seq, repliedAt };
  }

  /** `count` sign-ins, a few at a time over separate control connections, as several CLIs would. */
  async signIns(count: number, parallel = 4): Promise<SignedIn[]> {
    const done: SignedIn[] = [];
    let left = count;
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (left > 0) {
          left--;
          done.push(await this.signIn());
        }
      }),
    );
    return done.sort((a, b) => a.seq - b.seq);
  }

  async status(): Promise<Status> {
    return statusSchema.parse(await this.call('status'));
  }

  async head(): Promise<number> {
    return (await this.status()).journal.head.seq;
  }

  /**
   * The bytes the entries after `afterSeq` take on the wire, encoded as the outbox does in
   * batches of `batchEvents`: how long a backfill of them lasts at a byte cap, whatever the
   * wire format's compression does to a sign-in.
   */
  wireBytes(afterSeq: number, batchEvents = 100): number {
    return this.readJournal(({ entries }) => {
      let bytes = 0;
      for (
        let batch = entries(afterSeq, batchEvents);
        batch.length > 0;
        batch = entries(batch.at(-1)!.seq, batchEvents)
      ) {
        bytes += encodeEventBatch(this.deviceId, 'backfill', batch).length;
      }
      return bytes;
    });
  }

  /** The journal read from its file (read-only, beside a running daemon or after a kill): cursor and entries. */
  readJournal<T>(
    read: (journal: { cursor: number; entries: (afterSeq: number, limit: number) => JournalEntry[] }) => T,
  ): T {
    const journal = openJournal(this.dataDir, 'read');
    try {
      return read({
        cursor: journal.syncCursor()?.seq ?? 0,
        entries: (afterSeq, limit) => journal.read(afterSeq, limit),
      });
    } finally {
      journal.close();
    }
  }
}
