import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../log.js';
import { removeFileDurably, writeFileAtomic } from '../util/atomicWrite.js';

/** In the data directory: written by an orderly stop, removed at the next start. */
export const STOP_MARKER_FILE = 'clean-stop.json';

/** What the journal file looked like once the daemon that stopped had closed it. */
const markerSchema = z.strictObject({
  size: z.string().regex(/^\d+$/),
  mtimeNs: z.string().regex(/^\d+$/),
  ino: z.string().regex(/^\d+$/),
});
type FileIdentity = z.infer<typeof markerSchema>;

/**
 * How the daemon before this start ended, as the marker tells:
 * - 'clean': an orderly stop, and the journal file is as that daemon left it;
 * - 'changed': an orderly stop, but the journal file was written since (a standalone CLI command,
 *   or someone editing the file while no daemon ran);
 * - 'unclean': no marker, so it was killed, crashed or lost its power (or ran a release without markers);
 * - 'first-start': there is no journal yet.
 */
export type PreviousStop = 'clean' | 'changed' | 'unclean' | 'first-start';

function identityOf(file: string): FileIdentity | undefined {
  try {
    const stats = statSync(file, { bigint: true });
    return { size: String(stats.size), mtimeNs: String(stats.mtimeNs), ino: String(stats.ino) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Reads and removes the marker, so that a daemon that dies from here on leaves none. Called before
 * the journal is opened (opening writes to it). A marker that cannot be read or removed counts as
 * no marker: at worst the journal is verified once more than needed.
 */
export function takeStopMarker(dataDir: string, journalFile: string, logger: Logger): PreviousStop {
  const file = join(dataDir, STOP_MARKER_FILE);
  try {
    const now = identityOf(journalFile);
    if (now === undefined) return 'first-start';
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'unclean';
      throw error;
    }
    removeFileDurably(file);
    let recorded: FileIdentity | undefined;
    try {
      recorded = markerSchema.parse(JSON.parse(text));
    } catch {
      logger.warn({ file }, 'the clean-stop marker is not one this daemon writes: taking the last stop as unclean');
      return 'unclean';
    }
    const same = recorded.size === now.size && recorded.mtimeNs === now.mtimeNs && recorded.ino === now.ino;
    return same ? 'clean' : 'changed';
  } catch (error) {
    logger.warn({ err: error, file }, 'cannot read or remove the clean-stop marker: taking the last stop as unclean');
    return 'unclean';
  }
}

/** Written after the journal was closed at an orderly stop; a failure is logged and costs a verification at the next start. */
export function leaveStopMarker(dataDir: string, journalFile: string, logger: Logger): void {
  const file = join(dataDir, STOP_MARKER_FILE);
  try {
    const identity = identityOf(journalFile);
    if (identity !== undefined) writeFileAtomic(file, `${JSON.stringify(identity)}\n`, 0o640);
  } catch (error) {
    logger.warn({ err: error, file }, 'cannot write the clean-stop marker: the next start verifies the whole journal');
  }
}
