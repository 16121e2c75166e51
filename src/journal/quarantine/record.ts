import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../util/atomicWrite.js';

/** `<dataDir>/quarantine/`: damaged journal files kept for the county, with what was read from them. */
export const QUARANTINE_DIR = 'quarantine';

/** What a finished quarantine left beside the damaged file (`<name>.json`): the alarm's source. */
export const quarantineRecordSchema = z.strictObject({
  /** Wall time of the quarantine, ms since the epoch. */
  at: z.number().int().min(0),
  /** Basename of the damaged file in the quarantine folder. */
  file: z.string().min(1).max(200),
  /** What was found, in English (SQLite's words, or the missing row). */
  reason: z.string().max(500),
  /** Basename of the JSON lines export of what could still be read. */
  exportFile: z.string().min(1).max(200),
  /** The gap entry the new journal continues with. */
  gapSeq: z.number().int().min(1),
  /** Entries 1..keptThrough were kept verbatim; entries after the gap were carried. */
  keptThrough: z.number().int().min(0),
  carried: z.number().int().min(0),
});
export type QuarantineRecord = z.infer<typeof quarantineRecordSchema>;

export function writeQuarantineRecord(dataDir: string, name: string, record: QuarantineRecord): void {
  writeFileAtomic(join(dataDir, QUARANTINE_DIR, `${name}.json`), `${JSON.stringify(record, null, 2)}\n`, 0o640);
}

/**
 * The latest quarantine of this data directory, or undefined when there was none or the
 * technician has taken the folder's records away (after handing the files to the county): the
 * alarm lasts exactly as long as the evidence waits in the folder.
 */
export function latestQuarantine(dataDir: string): QuarantineRecord | undefined {
  let names: string[];
  try {
    names = readdirSync(join(dataDir, QUARANTINE_DIR)).filter((name) => /^journal-.*\.json$/.test(name));
  } catch {
    return undefined;
  }
  for (const name of names.sort().reverse()) {
    try {
      const parsed = quarantineRecordSchema.safeParse(
        JSON.parse(readFileSync(join(dataDir, QUARANTINE_DIR, name), 'utf8')),
      );
      if (parsed.success) return parsed.data;
    } catch {
      // A record that cannot be read is skipped: an older one still raises the alarm.
    }
  }
  return undefined;
}

/** The alarm as status and health carry it: when, which file (in the quarantine folder), why. */
export function journalQuarantined(dataDir: string): { at: number; file: string; reason: string } | undefined {
  const record = latestQuarantine(dataDir);
  return record === undefined ? undefined : { at: record.at, file: record.file, reason: record.reason.slice(0, 300) };
}
