import { z } from 'zod';
import type { ControlRegistry } from '../control/registry.js';
import type { Link, PublishRequest } from './link/types.js';

/** How long the room waits for the center's answer; the doctor's check allows a little more. */
export const CENTER_ROUND_TRIP_TIMEOUT_MS = 5_000;

/**
 * The outcome of one round trip: answered (and in how long), silent (nothing came back in time),
 * or not tried because the link is not connected.
 */
export const centerRoundTripSchema = z.discriminatedUnion('outcome', [
  z.strictObject({ outcome: z.literal('answered'), ms: z.number().int().min(0) }),
  z.strictObject({ outcome: z.literal('silent'), timeoutMs: z.number().int().min(0), detail: z.string().optional() }),
  z.strictObject({ outcome: z.literal('offline'), state: z.string() }),
]);
export type CenterRoundTrip = z.infer<typeof centerRoundTripSchema>;

/**
 * An exchange the center answers anyway, over the room's own session: the room publishes its
 * `online` state again (the same retained message as after every connect) and a center that
 * reads it sends the room its current acknowledgement. The time until the next ack arrives is the
 * round trip; no message is added to the protocol and no second session is opened.
 */
export class CenterRoundTripProbe {
  private readonly waiting = new Set<() => void>();

  constructor(
    private readonly link: Pick<Link, 'state' | 'publish'>,
    private readonly onlineState: () => PublishRequest,
  ) {}

  /** Called for every message on the room's ack topic. */
  ackArrived(): void {
    for (const answer of this.waiting) answer();
    this.waiting.clear();
  }

  async run(timeoutMs = CENTER_ROUND_TRIP_TIMEOUT_MS): Promise<CenterRoundTrip> {
    if (this.link.state !== 'connected') return { outcome: 'offline', state: this.link.state };
    const started = performance.now();
    let answer!: () => void;
    const answered = new Promise<'answered'>((resolve) => (answer = () => resolve('answered')));
    this.waiting.add(answer);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'silent'>((resolve) => (timer = setTimeout(() => resolve('silent'), timeoutMs)));
    // The ack may overtake the PUBACK: the wait starts before the publish, which is not awaited.
    let failure: string | undefined;
    this.link.publish(this.onlineState()).catch((error: unknown) => (failure = (error as Error).message));
    try {
      const outcome = await Promise.race([answered, timeout]);
      if (outcome === 'answered') return { outcome, ms: Math.round(performance.now() - started) };
      return { outcome, timeoutMs, ...(failure === undefined ? {} : { detail: failure }) };
    } finally {
      clearTimeout(timer);
      this.waiting.delete(answer);
    }
  }
}

/** `sync.roundTrip`: the daemon's round trip to the center, for the doctor. */
export function registerRoundTripMethod(registry: Pick<ControlRegistry, 'register'>, probe: CenterRoundTripProbe) {
  return registry.register('sync.roundTrip', z.strictObject({}), () => probe.run());
}
