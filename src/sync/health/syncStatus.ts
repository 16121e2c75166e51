import { z } from 'zod';
import { entryAgeSeconds, trustedNowMs } from '../../clock/entryAge.js';
import type { ClockReader } from '../../clock/types.js';
import type { Journal } from '../../journal/journal.js';
import { pendingTotals } from '../files/uploadRows.js';
import { brokerForDisplay } from '../link/brokerUrl.js';
import type { LinkHealth } from '../link/linkHealth.js';
import type { LinkState } from '../link/types.js';
import type { UplinkBudgetReport } from '../uplinkBudget.js';

/** The sync part of `room-agent status`: the link from the running daemon, the rest from the journal. */
export const syncStatusSchema = z.strictObject({
  link: z.strictObject({
    /** `not-running`: no daemon (a standalone CLI), or a daemon without the sync service. */
    state: z.enum(['connecting', 'connected', 'disconnected', 'stopped', 'not-running']),
    /** county.url without user name or password. */
    broker: z.string(),
    connectedSince: z.string().optional(),
    lastError: z.string().optional(),
    /** In-flight window of the current connection (the broker's Receive Maximum, capped by county.maxInflight). */
    window: z.number().int().optional(),
    /** The uplink budget (county.uplinkBytesPerSecond set): backlog and files' rate now, bytes/s (0 = no cap), and the live pushes' kbit/s. */
    budget: z
      .strictObject({ bytesPerSecond: z.number().int().min(0), pushKbps: z.number().min(0).optional() })
      .optional(),
  }),
  /** The center's last acknowledgement; null before the first. */
  cursor: z
    .strictObject({ seq: z.number().int(), hash: z.string(), centerTimeMs: z.number().int().optional() })
    .nullable(),
  /** The events after the cursor: not yet acknowledged as stored by the center. */
  backlog: z.strictObject({
    events: z.number().int().min(0),
    /** Age of the oldest of them; null when there are none or their time cannot be told. */
    oldestAgeSeconds: z.number().min(0).nullable(),
  }),
  /** When the center acknowledged the cursor (its own clock), ISO; null when unknown or never. */
  lastSync: z.string().nullable(),
  files: z.strictObject({ pending: z.number().int().min(0) }),
});
export type SyncStatus = z.infer<typeof syncStatusSchema>;

/** What only the running sync service knows: the state of its connection. */
export type LiveLinkStatus = Omit<SyncStatus['link'], 'broker'>;

/** The status provider over the running link (MqttLink) and the uplink budget: what the composition root registers. */
export function liveLinkStatus(
  link: { readonly state: LinkState; health(): LinkHealth },
  budget?: UplinkBudgetReport,
): LiveLinkStatus {
  const { connectedSince, lastConnectError, window } = link.health();
  return {
    state: link.state,
    ...(connectedSince === undefined ? {} : { connectedSince }),
    ...(lastConnectError === undefined ? {} : { lastError: lastConnectError }),
    ...(window === undefined ? {} : { window }),
    ...(budget === undefined ? {} : { budget }),
  };
}

export interface SyncStatusSources {
  journal: Pick<Journal, 'head' | 'syncCursor' | 'read' | 'db'>;
  clock: ClockReader;
  /** county.url as configured (credentials are removed before it is shown). */
  brokerUrl: string;
  /** The running sync service's link; absent in a standalone CLI. */
  link?: (() => LiveLinkStatus) | undefined;
}

export function collectSyncStatus({ journal, clock, brokerUrl, link }: SyncStatusSources): SyncStatus {
  const anchor = journal.syncCursor();
  const cursorSeq = anchor?.seq ?? 0;
  const now = clock.read();
  let lastSyncMs = anchor?.centerTimeMs;
  if (lastSyncMs === undefined && anchor !== undefined && anchor.recordedBootId === now.bootId) {
    const nowMs = trustedNowMs(now, journal.db);
    if (nowMs !== undefined) lastSyncMs = nowMs - (now.monoMs - anchor.recordedMonoMs);
  }
  return {
    link: { ...(link?.() ?? { state: 'not-running' }), broker: brokerForDisplay(brokerUrl) },
    cursor:
      anchor === undefined
        ? null
        : {
            seq: anchor.seq,
            hash: anchor.hash,
            ...(anchor.centerTimeMs === undefined ? {} : { centerTimeMs: anchor.centerTimeMs }),
          },
    backlog: {
      events: journal.head().seq - cursorSeq,
      oldestAgeSeconds: entryAgeSeconds(journal.read(cursorSeq, 1)[0], now, journal.db),
    },
    lastSync: lastSyncMs === undefined ? null : new Date(lastSyncMs).toISOString(),
    files: { pending: pendingTotals(journal.db).files },
  };
}
