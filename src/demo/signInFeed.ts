import { join } from 'node:path';
import { openDatabase } from '../store/database.js';
import type { Db } from '../store/database.js';

export interface RecentSignIn {
  seq: number;
  wallMs: number;
  kind: 'accepted' | 'manual' | 'unknown';
  /** Null for an unknown finger. */
  memberId: string | null;
  confirmedBy: string | null;
}

const KIND: Record<string, RecentSignIn['kind']> = {
  'signin.accepted': 'accepted',
  'signin.manual': 'manual',
  'signin.unknown': 'unknown',
};

/**
 * The room's latest sign-ins, read from its journal (read-only; the daemon alone writes it):
 * the view shows what the room recorded, whether or not the county has it yet.
 */
export class SignInFeed {
  private db: Db | undefined;

  constructor(private readonly dataDir: string) {}

  latest(limit: number): RecentSignIn[] {
    // The journal appears once the agent has started: until then there is nothing to show.
    this.db ??= openDatabase(join(this.dataDir, 'journal.sqlite'), { access: 'read' });
    const rows = this.db
      .prepare(
        `SELECT seq, wall_ms AS wallMs, type, payload FROM events
         WHERE type IN ('signin.accepted', 'signin.manual', 'signin.unknown') ORDER BY seq DESC LIMIT ?`,
      )
      .all(limit) as Array<{ seq: number; wallMs: number; type: string; payload: string }>;
    return rows.reverse().map((row) => {
      const payload = JSON.parse(row.payload) as { memberId?: string; confirmedBy?: string };
      return {
        seq: row.seq,
        wallMs: row.wallMs,
        kind: KIND[row.type]!,
        memberId: payload.memberId ?? null,
        confirmedBy: payload.confirmedBy ?? null,
      };
    });
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
  }
}
