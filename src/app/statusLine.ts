import type { EventBus } from '../daemon/bus.js';
import type { Notifier } from '../daemon/sdnotify.js';
import type { ServiceStatus } from '../daemon/supervisor.js';
import type { JournalHead } from '../journal/types.js';

/** Health that changes without an event (a device recovering inside its own service) shows within this. */
export const STATUS_REFRESH_MS = 10_000;

/** The one line `systemctl status` shows (sd_notify STATUS=): what is not ok, and the journal head. */
export function statusLine(services: readonly ServiceStatus[], head: JournalHead): string {
  const troubled = services.filter((service) => service.state !== 'ok');
  const health =
    troubled.length === 0
      ? 'all services ok'
      : troubled
          .map((service) => `${service.name} ${service.state}${service.detail ? ` (${service.detail})` : ''}`)
          .join('; ');
  return `running; ${health}; journal head seq ${head.seq}`;
}

/**
 * Keeps STATUS= current after READY=1 (which carried `sent`): at once on the events that mean a
 * service's health moved, and every STATUS_REFRESH_MS for the changes nobody announces. A line is
 * sent only when its text changed. Returns the function that stops the reports.
 */
export function startStatusReports(notifier: Notifier, bus: EventBus, text: () => string, sent: string): () => void {
  let last = sent;
  const refresh = (): void => {
    const now = text();
    if (now === last) return;
    last = now;
    notifier.status(now);
  };
  bus.on('status', 'health.changed', refresh);
  // The clock service's health turns ok with its sync; the event says so before any refresh would.
  bus.on('status', 'clock.synced', refresh);
  const timer = setInterval(refresh, STATUS_REFRESH_MS);
  return () => {
    clearInterval(timer);
    bus.removeOwner('status');
  };
}
