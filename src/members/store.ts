import type { Journal } from '../journal/journal.js';
import type { Db } from '../store/database.js';
import { statement } from '../store/statements.js';
import { allFingers, type FingerRecord } from './fingerRows.js';
import type { Member, MemberSource, RosterEntry } from './schema.js';

/** The slice of the journal the roster needs: a write transaction that also appends. */
export type MemberJournal = Pick<Journal, 'transaction' | 'db'>;

interface MemberRow {
  member_id: string;
  name: string;
  status: Member['status'];
  role: Member['role'];
  updated_seq: number;
}

function toMember(row: MemberRow): Member & { updatedSeq: number } {
  return { memberId: row.member_id, name: row.name, role: row.role, status: row.status, updatedSeq: row.updated_seq };
}

export function findMember(db: Db, memberId: string): (Member & { updatedSeq: number }) | undefined {
  const row = statement(db, 'SELECT * FROM members WHERE member_id = ?').get(memberId) as MemberRow | undefined;
  return row === undefined ? undefined : toMember(row);
}

/**
 * The room's roster. The county's roster sync and a technician on site (a room without a link)
 * both write it; every change is a `member.upserted` event committed with its row, so the
 * center sees who added whom. Removal lives in MemberRemoval: it also involves the module.
 */
export class MemberStore {
  constructor(private readonly journal: MemberJournal) {}

  get(memberId: string): (Member & { updatedSeq: number }) | undefined {
    return findMember(this.journal.db, memberId);
  }

  /** Every member with the fingers enrolled for them (slots and sizes, never templates). */
  list(): RosterEntry[] {
    const rows = statement(this.journal.db, 'SELECT * FROM members ORDER BY member_id').all() as MemberRow[];
    const fingersByMember = new Map<string, FingerRecord[]>();
    for (const finger of allFingers(this.journal.db)) {
      const list = fingersByMember.get(finger.memberId) ?? [];
      list.push(finger);
      fingersByMember.set(finger.memberId, list);
    }
    return rows.map((row) => ({
      ...toMember(row),
      fingers: (fingersByMember.get(row.member_id) ?? []).map(({ memberId: _owner, ...finger }) => finger),
    }));
  }

  /**
   * Inserts or updates members in one transaction, one `member.upserted` event per member that
   * changed; a roster sync that repeats the same list journals nothing. Returns the changes, each
   * saying whether the member was new, so a technician is told when an add overwrote someone.
   * `operator` names the technician for changes made on site.
   */
  upsertMembers(members: readonly Member[], source: MemberSource, operator?: string): MemberChange[] {
    return this.journal.transaction((tx) => {
      const changed: MemberChange[] = [];
      for (const member of members) {
        const existing = findMember(tx.db, member.memberId);
        if (existing !== undefined && sameMember(existing, member)) continue;
        const entry = tx.append('member.upserted', { ...member, source, ...(operator !== undefined && { operator }) });
        statement(
          tx.db,
          `INSERT INTO members (member_id, name, status, role, updated_seq) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (member_id) DO UPDATE SET name = excluded.name, status = excluded.status, role = excluded.role, updated_seq = excluded.updated_seq`,
        ).run(member.memberId, member.name, member.status, member.role, entry.seq);
        changed.push({ memberId: member.memberId, kind: existing === undefined ? 'added' : 'updated' });
      }
      return changed;
    });
  }
}

export interface MemberChange {
  memberId: string;
  kind: 'added' | 'updated';
}

function sameMember(a: Member, b: Member): boolean {
  return a.name === b.name && a.role === b.role && a.status === b.status;
}
