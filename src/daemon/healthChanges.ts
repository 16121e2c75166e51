import type { EventBus } from './bus.js';
import type { Service } from './service.js';

/**
 * Announces a running service's health on the bus when its state or detail changes, so systemd's
 * STATUS= line follows at once instead of at the root's next refresh. For services whose health
 * moves on their own timers (a failing prune, a schedule check); the supervisor announces starts.
 */
export class HealthChanges {
  private last: string | undefined;

  constructor(
    private readonly service: Service,
    private readonly bus: EventBus | undefined,
  ) {}

  /** Call after anything that may have changed the service's health(). */
  note(): void {
    const health = this.service.health();
    const key = `${health.state}\n${health.detail ?? ''}`;
    if (key === this.last) return;
    this.last = key;
    this.bus?.emit('health.changed', { service: this.service.name, ...health });
  }
}
