import type { ServiceStatus } from '../daemon/supervisor.js';
import type { JournalHead } from '../journal/types.js';

/** The one line `systemctl status` shows (sd_notify STATUS=): what is not ok, and the journal head. */
export function statusLine(services: readonly ServiceStatus[], head: JournalHead): string {
  const troubled = services.filter((service) => service.state !== 'ok');
  const health = troubled.length === 0 ? 'all services ok' : troubled.map((service) => `${service.name} ${service.state}${service.detail ? ` (${service.detail})` : ''}`).join('; ');
  return `running; ${health}; journal head seq ${head.seq}`;
}
