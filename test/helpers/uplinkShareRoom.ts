import type { BatchOutcome } from '../../src/center/ingest.js';
import { writeVerified } from '../../src/journal/meta.js';
import { startMediaServer, type MediaServer, type StreamWatcher } from '../../src/demo/mediaServer.js';
import { startRtspCamera, type RtspCamera } from '../../src/demo/rtspCamera.js';
import type { Status } from '../../src/app/statusMethod.js';
import { openJournal } from '../daemon/daemonProcess.js';
import { SyncScenario, until } from './syncScenario.js';
import { startUplinkProxy, type UplinkProxy } from './uplinkProxy.js';

/**
 * A 4G room on theme party day: the real daemon pushes the test camera's sub-stream (mode
 * `always`) to nginx-rtmp while it backfills a prefilled journal to the reference center through
 * Mosquitto, MQTT and RTMP both through ONE shaped uplink (test/helpers/uplinkProxy.ts routes:
 * 40 ms each way, 1 Mbit/s up, 4 down). The push goes live first, with the broker down; then the
 * broker comes back and the backfill runs beside the push. `run()` measures what the live
 * picture, a fresh sign-in and the backlog get of the link.
 */

/** The village uplink: 1 Mbit/s up. */
export const UPLINK_BITS_PER_SECOND = 1_000_000;
export const UPLINK_BYTES_PER_SECOND = UPLINK_BITS_PER_SECOND / 8;
/** The camera clips' frame rate (src/demo/cameraClips.ts). */
export const CAMERA_FPS = 25;
const STREAM = 'room-budget';
const CAMERA_PASSWORD = 'Cam-pw-7310';
const PREFILL_PER_TRANSACTION = 1_000;
/** From the daemon's start to a live push: probe, ffmpeg's start, a loaded machine. */
const LIVE_TIMEOUT_MS = 60_000;
/** The receiver's count rising by this many frames shows the push flowing. */
const FLOWING_FRAMES = 50;
/** How often the receiver's frame count, the proxy's bytes and the room's status are sampled. */
const SAMPLE_MS = 100;
/** How long into the backfill the fresh sign-in is made: the link is then full of backlog. */
const SIGN_IN_AFTER_MS = 3_000;
/** The backfill's end: generous (2 busy cores); the run fails with its own message past it. */
const BACKFILL_TIMEOUT_MS = 120_000;
/** How long a fresh sign-in is waited for: long past the bound tests set, so a slow one is measured, not cut. */
const SIGN_IN_WAIT_MS = 60_000;

export interface UplinkShareOptions {
  /** county.uplinkBytesPerSecond: the link's capacity for the budget, or 0 (no budget: as before it). */
  uplinkBytesPerSecond: number;
  /** Sign-ins in the journal before the daemon starts. */
  events: number;
}

export interface UplinkShareResult {
  /** The push's bitrate as the room reported it while live (ffmpeg's progress), kbit/s. */
  pushKbps: number;
  /** The room's uplink budget seen in status during the backfill (absent without a capacity). */
  budget: NonNullable<Status['sync']['link']['budget']> | undefined;
  /** Frames nginx received ÷ frames the camera sent (25 fps) over the backfill, between two changes of the count. */
  framesRatio: number;
  /** The span of that count, ms. */
  framesWindowMs: number;
  /** From the fresh sign-in's reply to the center storing it, ms. */
  signInMs: number;
  /** From the broker's return to the center holding the whole journal and the room's cursor at its head, ms. */
  backfillMs: number;
  /** The center's contiguous seq when the fresh sign-in was stored (the backlog still ahead of it). */
  contiguousAtSignIn: number;
  /** The journal's head at the end: the prefill, the members and the fresh sign-in. */
  head: number;
  /** Bytes delivered up through the proxy (MQTT and RTMP) per second during the backfill ÷ the link's rate. */
  linkShare: number;
  /** The RTMP route's share of those bytes. */
  pushShare: number;
}

interface Sample {
  at: number;
  frames: number;
  bytesUp: number;
  bytesUpPush: number;
}

export class UplinkShareRoom {
  private closed: Promise<void> | undefined;

  private constructor(
    readonly sync: SyncScenario<UplinkProxy>,
    private readonly camera: RtspCamera,
    private readonly server: MediaServer,
    readonly watcher: StreamWatcher,
    private readonly events: number,
  ) {}

  static async start(options: UplinkShareOptions): Promise<UplinkShareRoom> {
    const [camera, server] = await Promise.all([
      startRtspCamera({ variant: 'h264', user: 'admin', password: CAMERA_PASSWORD }),
      startMediaServer(),
    ]);
    let sync: SyncScenario<UplinkProxy> | undefined;
    try {
      sync = await SyncScenario.create<UplinkProxy>({
        deviceId: 'room-budget',
        via: (brokerPort) =>
          startUplinkProxy({
            routes: [{ targetPort: brokerPort }, { targetPort: server.port }],
            delayMs: 40,
            upBitsPerSecond: UPLINK_BITS_PER_SECOND,
            downBitsPerSecond: 4_000_000,
          }),
        // The backlog may take the whole link (no cap): only the budget keeps room for the push.
        county: { backfillBytesPerSecond: 0, uplinkBytesPerSecond: options.uplinkBytesPerSecond },
        sections: (proxy) => ({
          cameras: [
            {
              name: 'stage',
              url: camera.url,
              subUrl: camera.subUrl,
              push: { url: `rtmp://127.0.0.1:${proxy!.routes[1]!.port}/live/${STREAM}`, mode: 'always' },
            },
          ],
        }),
      });
      prefill(sync.room.dataDir, options.events);
      return new UplinkShareRoom(sync, camera, server, server.watch(STREAM), options.events);
    } catch (error) {
      await sync?.close();
      await Promise.all([server.stop(), camera.stop()]);
      throw error;
    }
  }

  async run(): Promise<UplinkShareResult> {
    const { sync, watcher } = this;
    const { room } = sync;
    await sync.startCenter();
    // The broker down while the room starts: the push goes live first, the backfill waits.
    await sync.broker.pause();
    await room.start();
    await room.addMembers();
    let status: Status | undefined;
    await until(
      async () => (status = await room.status()).cameras[0]?.bitrateKbps !== undefined,
      LIVE_TIMEOUT_MS,
      () => `the push live with a bitrate (${JSON.stringify(status?.cameras)})\n${room.output().slice(-3000)}`,
    );
    await watcher.waitForFrames(FLOWING_FRAMES, LIVE_TIMEOUT_MS);
    const pushKbps = (await room.status()).cameras[0]!.bitrateKbps!;

    const samples: Sample[] = [];
    let budget: UplinkShareResult['budget'];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { proxy } = sync;
        samples.push({
          at: performance.now(),
          frames: watcher.frames(),
          bytesUp: proxy.bytesUp,
          bytesUpPush: proxy.routes[1]!.bytesUp,
        });
        await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
      }
    })();

    try {
      const center = await sync.brokerBack();
      const backfillStarted = performance.now();
      await sync.waitCenterPast(0);
      budget = (await room.status()).sync.link.budget;
      await new Promise((resolve) => setTimeout(resolve, SIGN_IN_AFTER_MS));

      const stored: Array<{ outcome: BatchOutcome; at: number }> = [];
      center.on('stored', (outcome) => stored.push({ outcome, at: performance.now() }));
      const fresh = await room.signIn();
      const storedFresh = (): { at: number } | undefined =>
        stored.find(({ outcome }) => outcome.fromSeq <= fresh.seq && fresh.seq <= outcome.toSeq);
      let contiguousAtSignIn = 0;
      await until(
        () => {
          contiguousAtSignIn = sync.contiguous();
          return storedFresh() !== undefined;
        },
        SIGN_IN_WAIT_MS,
        () => `seq ${fresh.seq} stored by the center`,
      );
      const signInMs = storedFresh()!.at - fresh.repliedAt;

      let backfillEnded = 0;
      await until(
        () => {
          if (sync.contiguous() < this.events) return false;
          backfillEnded ||= performance.now();
          return true;
        },
        BACKFILL_TIMEOUT_MS,
        () => `the backlog of ${this.events} at the center (at ${sync.contiguous()})`,
      );
      const head = await sync.waitSynced(BACKFILL_TIMEOUT_MS);
      const backfillMs = performance.now() - backfillStarted;
      sampling = false;
      await sampler;

      const overlap = samples.filter((sample) => sample.at >= backfillStarted && sample.at <= backfillEnded);
      const frames = framesOver(overlap);
      const first = overlap[0]!;
      const last = overlap.at(-1)!;
      const seconds = (last.at - first.at) / 1000;
      const up = last.bytesUp - first.bytesUp;
      return {
        pushKbps,
        budget,
        framesRatio: frames.frames / (CAMERA_FPS * (frames.ms / 1000)),
        framesWindowMs: frames.ms,
        signInMs,
        backfillMs,
        contiguousAtSignIn,
        head,
        linkShare: up / (UPLINK_BYTES_PER_SECOND * seconds),
        pushShare: (last.bytesUpPush - first.bytesUpPush) / up,
      };
    } finally {
      sampling = false;
      await sampler;
    }
  }

  /** Ends everything; a second call waits for the first. */
  close(): Promise<void> {
    this.closed ??= this.end();
    return this.closed;
  }

  private async end(): Promise<void> {
    await this.sync.close();
    await this.watcher.stop();
    await Promise.all([this.server.stop(), this.camera.stop()]);
  }
}

/**
 * The frames counted between the first and the last change of the receiver's count within the
 * samples: ffmpeg reports its count twice a second, so a change marks a report, and the span
 * between two reports holds exactly the frames they differ by.
 */
function framesOver(samples: readonly Sample[]): { frames: number; ms: number } {
  const changes = samples.filter((sample, index) => index > 0 && sample.frames !== samples[index - 1]!.frames);
  const first = changes[0];
  const last = changes.at(-1);
  if (first === undefined || last === undefined || first === last) return { frames: 0, ms: 1 };
  return { frames: last.frames - first.frames, ms: last.at - first.at };
}

/** The room's journal with `count` sign-ins, recorded as verified as a running room's is: its start checks nothing again. */
function prefill(dataDir: string, count: number): void {
  const journal = openJournal(dataDir, 'create');
  try {
    for (let done = 0; done < count; done += PREFILL_PER_TRANSACTION) {
      journal.transaction((tx) => {
        for (let i = done; i < Math.min(count, done + PREFILL_PER_TRANSACTION); i++)
          tx.append('signin.accepted', {
            memberId: `m-${String(i % 240).padStart(4, '0')}`,
            slot: i % 240,
            score: 60 + (i % 140),
          });
      });
    }
    writeVerified(journal.db, journal.head());
  } finally {
    journal.close();
  }
}
