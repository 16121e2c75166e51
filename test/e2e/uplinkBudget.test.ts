import { afterEach, expect, it } from 'vitest';
import { UPLINK_BYTES_PER_SECOND, UplinkShareRoom } from '../helpers/uplinkShareRoom.js';

/** The prefilled backlog. */
const EVENTS = 20_000;
/** The sub-stream (320×180) must suit a 4G uplink. */
const MAX_PUSH_KBPS = 500;
/** Of the frames the camera sent during the backfill, nginx must receive at least this share. */
const MIN_FRAMES_RATIO = 0.9;
/** A fresh sign-in reaches the center within this, with the backfill running beside the push. */
const SIGN_IN_BOUND_MS = 5_000;
/** About a minute on a quiet machine, over two with both cores busy elsewhere; the bound only catches a hang. */
const TEST_TIMEOUT_MS = 240_000;

let room: UplinkShareRoom | undefined;
afterEach(async () => {
  await room?.close();
  room = undefined;
}, 60_000);

it(
  'one uplink, one budget: on a 1 Mbit/s uplink shared by the live push and a 20,000-event backfill, the picture keeps ≥ 90 % of its frames, a fresh sign-in reaches the center within 5 s, and the backfill completes',
  async () => {
    room = await UplinkShareRoom.start({ uplinkBytesPerSecond: UPLINK_BYTES_PER_SECOND, events: EVENTS });
    const result = await room.run();
    const summary = JSON.stringify(result);
    expect(result.pushKbps, summary).toBeGreaterThan(0);
    expect(result.pushKbps, summary).toBeLessThanOrEqual(MAX_PUSH_KBPS);
    // While the push was live the backlog had a budget below the link (no cap was configured).
    expect(result.budget?.pushKbps, summary).toBeGreaterThan(0);
    expect(result.budget?.bytesPerSecond, summary).toBeGreaterThan(0);
    expect(result.budget?.bytesPerSecond, summary).toBeLessThan(UPLINK_BYTES_PER_SECOND);
    // The receiver's count spans most of the backfill: the ratio is over a real stretch of it.
    expect(result.framesWindowMs, summary).toBeGreaterThan(5_000);
    expect(result.framesRatio, summary).toBeGreaterThanOrEqual(MIN_FRAMES_RATIO);
    expect(result.signInMs, summary).toBeLessThan(SIGN_IN_BOUND_MS);
    // The fresh sign-in overtook the backlog, which then completed: the center holds every entry.
    expect(result.contiguousAtSignIn, summary).toBeLessThan(EVENTS);
    expect(result.head, summary).toBeGreaterThan(EVENTS);
    const view = room.sync.centerView();
    expect(view.stored.count).toBe(result.head);
    expect(view.broken).toBeNull();
  },
  TEST_TIMEOUT_MS,
);
