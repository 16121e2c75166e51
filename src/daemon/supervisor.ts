import type { Logger } from '../log.js';
import type { EventBus } from './bus.js';
import type { Service, ServiceHealth } from './service.js';

export interface ServiceStatus extends ServiceHealth {
  name: string;
}

const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 60_000;

interface Slot {
  service: Service;
  running: boolean;
  failure?: string | undefined;
  retryMs: number;
  retryTimer?: NodeJS.Timeout | undefined;
  /** The start in progress (first attempt or a retry), awaited before stopping the service. */
  starting?: Promise<void> | undefined;
}

/**
 * Starts services in their fixed order and stops them in reverse. A service whose start throws is
 * reported degraded and started again with capped backoff, alone: it never stops the others from
 * starting or the daemon from reporting READY.
 */
export class ServiceSupervisor {
  private readonly slots: Slot[];
  private stopping = false;

  constructor(
    services: readonly Service[],
    private readonly logger: Logger,
    private readonly bus: EventBus,
  ) {
    this.slots = services.map((service) => ({ service, running: false, retryMs: RETRY_FIRST_MS }));
  }

  async startAll(): Promise<void> {
    for (const slot of this.slots) {
      slot.starting = this.attempt(slot);
      await slot.starting;
    }
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    for (const slot of [...this.slots].reverse()) {
      clearTimeout(slot.retryTimer);
      await slot.starting;
      if (!slot.running) continue;
      try {
        await slot.service.stop();
      } catch (error) {
        this.logger.error({ err: error, service: slot.service.name }, 'service failed to stop cleanly');
      }
      slot.running = false;
      this.bus.emit('health.changed', { service: slot.service.name, state: 'stopped' });
    }
  }

  /** True once every service has started; the trial of a new configuration waits for it. */
  allStarted(): boolean {
    return this.slots.every((slot) => slot.running);
  }

  /** The services that are not running, with why: what a failed configuration trial reports. */
  notStarted(): ServiceStatus[] {
    return this.health().filter((_, index) => !this.slots[index]!.running);
  }

  health(): ServiceStatus[] {
    return this.slots.map(({ service, running, failure }) => {
      if (running) return { name: service.name, ...service.health() };
      if (failure !== undefined) return { name: service.name, state: 'degraded', detail: failure };
      return { name: service.name, state: this.stopping ? 'stopped' : 'starting' };
    });
  }

  private async attempt(slot: Slot): Promise<void> {
    const { service } = slot;
    try {
      await service.start();
      slot.running = true;
      slot.failure = undefined;
      slot.retryMs = RETRY_FIRST_MS;
      this.logger.info({ service: service.name }, 'service started');
      this.bus.emit('health.changed', { service: service.name, ...service.health() });
    } catch (error) {
      // Release whatever the failed start acquired so the retry begins clean.
      try {
        await service.stop();
      } catch {
        // A half-started service may fail to stop too; the start failure is the one reported.
      }
      const message = error instanceof Error ? error.message : String(error);
      slot.failure = `start failed: ${message}; retrying in ${Math.round(slot.retryMs / 1000)} s`;
      this.logger.error({ err: error, service: service.name, retryMs: slot.retryMs }, 'service failed to start');
      this.bus.emit('health.changed', { service: service.name, state: 'degraded', detail: slot.failure });
      this.scheduleRetry(slot);
    }
  }

  private scheduleRetry(slot: Slot): void {
    if (this.stopping) return;
    const delay = slot.retryMs;
    slot.retryMs = Math.min(slot.retryMs * 2, RETRY_MAX_MS);
    slot.retryTimer = setTimeout(() => {
      slot.starting = this.attempt(slot);
    }, delay);
  }
}
