import { correctionsByBoot } from '../clock/corrections.js';
import { retime } from '../clock/retime.js';
import type { TimeQuality } from '../clock/types.js';
import { AgentError, ErrorCode } from '../errors.js';
import type { Db } from '../store/database.js';
import { eventRows, rowToEntry } from './entries.js';
import type { JournalEntry } from './types.js';

/** One line of `room-agent journal export`: the entry as signed, plus its best-known wall time. */
export interface ExportedEntry extends JournalEntry {
  retimedWallMs: number;
  timeQuality: TimeQuality;
}

/** Writes entries with seq ≥ sinceSeq as JSON lines, oldest first; returns how many. */
export function exportJournal(
  db: Db,
  sinceSeq: number,
  currentBootId: string,
  writeLine: (line: string) => void,
): number {
  return db.transaction(() => {
    const corrections = correctionsByBoot(db);
    let count = 0;
    for (const row of eventRows(db, sinceSeq - 1)) {
      let entry: JournalEntry;
      try {
        entry = rowToEntry(row);
      } catch (error) {
        throw new AgentError(
          ErrorCode.JournalTampered,
          `entry ${row.seq} cannot be read (its payload is not JSON); run room-agent journal verify`,
          { seq: row.seq },
          { cause: error },
        );
      }
      const time = retime(entry, corrections.get(entry.bootId), currentBootId);
      const exported: ExportedEntry = { ...entry, retimedWallMs: time.wallMs, timeQuality: time.quality };
      writeLine(`${JSON.stringify(exported)}\n`);
      count++;
    }
    return count;
  })();
}
