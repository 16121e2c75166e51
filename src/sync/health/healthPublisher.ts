import type { EventBus, EventMap } from '../../daemon/bus.js';
import type { Logger } from '../../log.js';
import { LinkDownError } from '../link/errors.js';
import type { Link } from '../link/types.js';
import type { RoomTopics } from '../protocol/topics.js';
import { buildHealthMessage, type HealthSources } from './healthMessage.js';

/** At most one health message per this many ms, however fast things change. */
export const HEALTH_MIN_GAP_MS = 5000;

/** Changes the center should hear about before the next periodic message. */
const CHANGE_EVENTS: ReadonlyArray<keyof EventMap> = [
  'scanner.state',
  'camera.state',
  'clock.synced',
  'journal.tamper',
  'storage.state',
];
const BUS_OWNER = 'sync-health';

export interface HealthPublisherOptions {
  link: Link;
  topics: Pick<RoomTopics, 'health'>;
  /** county.healthIntervalSeconds in ms. */
  intervalMs: number;
  /** Default HEALTH_MIN_GAP_MS. */
  minGapMs?: number | undefined;
  bus: EventBus;
  sources: HealthSources;
  logger: Logger;
}

/**
 * Keeps the retained health message at the broker current: every `intervalMs` while connected,
 * right after each connection comes up (the center may have missed what happened meanwhile), and
 * soon after a change, but never more often than one per `minGapMs`. A message the link loses is
 * not resent: the next one replaces it anyway.
 */
export class HealthPublisher {
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  /** When the timer fires (performance.now() ms); Infinity when none is set. */
  private dueAtMs = Infinity;
  private lastSentAtMs = Number.NEGATIVE_INFINITY;
  private publishing = false;
  /** A message fell due while the previous one still waited for its PUBACK. */
  private dueAgain = false;
  private unsubscribeLink: (() => void) | undefined;

  constructor(private readonly options: HealthPublisherOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribeLink = this.options.link.on('up', () => this.soon());
    for (const event of CHANGE_EVENTS) this.options.bus.on(BUS_OWNER, event, () => this.soon());
    if (this.options.link.state === 'connected') this.soon();
  }

  stop(): void {
    this.running = false;
    this.unsubscribeLink?.();
    this.unsubscribeLink = undefined;
    this.options.bus.removeOwner(BUS_OWNER);
    clearTimeout(this.timer);
    this.timer = undefined;
    this.dueAtMs = Infinity;
  }

  /** Publishes as soon as the minimum gap since the last message allows. */
  private soon(): void {
    this.schedule(Math.max(performance.now(), this.lastSentAtMs + (this.options.minGapMs ?? HEALTH_MIN_GAP_MS)));
  }

  /** Moves the next message to `atMs` when that is earlier than the one already planned. */
  private schedule(atMs: number): void {
    if (!this.running || atMs >= this.dueAtMs) return;
    clearTimeout(this.timer);
    this.dueAtMs = atMs;
    this.timer = setTimeout(() => this.due(), Math.max(0, atMs - performance.now()));
  }

  private due(): void {
    this.timer = undefined;
    this.dueAtMs = Infinity;
    // While disconnected nothing is planned: the next 'up' publishes.
    if (this.options.link.state !== 'connected') return;
    if (this.publishing) {
      this.dueAgain = true;
      return;
    }
    this.lastSentAtMs = performance.now();
    this.schedule(this.lastSentAtMs + this.options.intervalMs);
    void this.publish();
  }

  private async publish(): Promise<void> {
    const { link, topics, sources, logger } = this.options;
    this.publishing = true;
    try {
      const message = buildHealthMessage(sources);
      await link.publish({
        topic: topics.health,
        payload: JSON.stringify(message),
        qos: 1,
        retain: true,
        priority: 'control',
        properties: { contentType: 'application/json' },
      });
      logger.debug({ headSeq: message.journal.headSeq, backlog: message.backlog.events }, 'health message published');
    } catch (error) {
      // A connection that ended meanwhile is the link's to report; the next 'up' publishes again.
      if (error instanceof LinkDownError)
        logger.debug({ err: error }, 'health message not acknowledged before the connection ended');
      else logger.warn({ err: error }, 'could not publish the health message');
    } finally {
      this.publishing = false;
      if (this.dueAgain) {
        this.dueAgain = false;
        this.soon();
      }
    }
  }
}
