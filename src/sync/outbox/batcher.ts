import type { Journal } from '../../journal/journal.js';
import type { JournalEntry } from '../../journal/types.js';
import { batchEnvelopeBytes, wireEntryBytes } from '../protocol/eventBatch.js';

export interface BatchBounds {
  /** Most entries in one batch (county.batchMaxEvents). */
  maxEvents: number;
  /** Most bytes of batch JSON before compression (county.batchMaxBytes); one larger entry still goes alone. */
  maxBytes: number;
}

/** Entries are read in chunks sized from the last batch, so a byte-bound batch does not read (and drop) maxEvents rows. */
const FIRST_ENTRY_BYTES_GUESS = 512;

/**
 * Cuts the journal into batches of consecutive entries, bounded by count and JSON bytes. The
 * journal is the only store: a batch is read when it is about to be sent and dropped after.
 */
export class Batcher {
  private readonly envelopeBytes: number;
  private entryBytesGuess = FIRST_ENTRY_BYTES_GUESS;

  constructor(
    private readonly journal: Pick<Journal, 'read'>,
    deviceId: string,
    private readonly bounds: BatchBounds,
  ) {
    this.envelopeBytes = batchEnvelopeBytes(deviceId);
  }

  /**
   * Consecutive entries after `afterSeq` and none beyond `untilSeq`, within the bounds; at least
   * one whenever the journal holds an entry in that range. Empty when it holds none.
   */
  read(afterSeq: number, untilSeq: number): JournalEntry[] {
    const batch: JournalEntry[] = [];
    let bytes = this.envelopeBytes;
    let position = afterSeq;
    reading: while (batch.length < this.bounds.maxEvents && position < untilSeq) {
      const room = Math.max(0, this.bounds.maxBytes - bytes);
      const limit = Math.min(
        this.bounds.maxEvents - batch.length,
        untilSeq - position,
        Math.ceil(room / this.entryBytesGuess) + 1,
      );
      const rows = this.journal.read(position, limit);
      for (const entry of rows) {
        const previous = batch.at(-1);
        // A gap (entries pruned meanwhile) ends the batch: a batch is consecutive seqs by contract.
        if (entry.seq > untilSeq || (previous !== undefined && entry.seq !== previous.seq + 1)) break reading;
        const size = wireEntryBytes(entry);
        if (previous !== undefined && bytes + size > this.bounds.maxBytes) break reading;
        batch.push(entry);
        bytes += size;
        position = entry.seq;
      }
      if (rows.length < limit) break;
    }
    if (batch.length > 0) this.entryBytesGuess = Math.max(1, Math.round((bytes - this.envelopeBytes) / batch.length));
    return batch;
  }
}
