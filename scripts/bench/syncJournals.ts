/**
 * Backlogs for the sync benchmarks: realistic sign-ins written through the real Journal (chain,
 * Ed25519 signature, head update), so what the outbox reads and the center verifies is exactly
 * what a room holds. Not timed as part of a benchmark. The fast path is only in how commits are
 * grouped (one transaction per thousand appends, synchronous=OFF while filling): every entry still
 * goes through Journal.append's code. Many journals are filled on worker threads, one per core.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { SystemClock } from '../../src/clock/systemClock.js';
import { Journal } from '../../src/journal/journal.js';
import { writeVerified } from '../../src/journal/meta.js';
import type { JsonValue } from '../../src/journal/types.js';
import { createSilentLogger } from '../../src/log.js';

const PER_TRANSACTION = 1_000;

/** A clock that reports itself synced: the rooms in a benchmark have NTP. */
export function syncedClock(): SystemClock {
  return new SystemClock({ name: 'bench', isSynced: () => true });
}

/**
 * What the sign-in recorder (src/signin/recorder.ts) appends for a fingerprint match: 240 members
 * with a slot each, signing in to activities of 60 sign-ins (one in ten outside any activity).
 */
export function signInPayload(i: number): JsonValue {
  const member = (i * 97) % 240;
  const session = Math.floor(i / 60);
  return {
    memberId: `m-${String(member).padStart(4, '0')}`,
    slot: member,
    score: 60 + ((i * 37) % 140),
    activityId:
      session % 10 === 9
        ? null
        : `act-2024-${String(1 + (session % 12)).padStart(2, '0')}-${String(session % 1000).padStart(3, '0')}`,
    method: 'fingerprint',
  };
}

/** Creates the journal in `dataDir` with `count` sign-ins. */
export function fillJournal(dataDir: string, count: number): void {
  const journal = Journal.open({ dataDir, access: 'create', clock: syncedClock(), logger: createSilentLogger() });
  try {
    journal.db.pragma('synchronous = OFF');
    for (let done = 0; done < count;) {
      const batch = Math.min(PER_TRANSACTION, count - done);
      journal.transaction((tx) => {
        for (let i = 0; i < batch; i += 1) tx.append('signin.accepted', signInPayload(done + i));
      });
      done += batch;
    }
    journal.db.pragma('synchronous = FULL');
    // Recorded as verified, as a running room's journal is (it verifies what is new at each start),
    // so opening it later checks nothing again. Verifying here would only redo, at three times the
    // cost of signing, what append just computed; the center verifies every entry it receives.
    writeVerified(journal.db, journal.head());
    journal.db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    journal.close();
  }
}

export interface FillJob {
  dataDirs: string[];
  count: number;
}

/** Fills every journal, spread over worker threads (one per core). */
export async function fillJournals(dataDirs: readonly string[], count: number): Promise<void> {
  const threads = Math.max(1, Math.min(availableParallelism(), dataDirs.length));
  const shares = Array.from({ length: threads }, (_, thread) =>
    dataDirs.filter((_, index) => index % threads === thread),
  );
  await Promise.all(
    shares.map(
      (share) =>
        new Promise<void>((resolve, reject) => {
          const job: FillJob = { dataDirs: share, count };
          const worker = new Worker(new URL('./syncJournalsWorker.js', import.meta.url), { workerData: job });
          worker.once('error', reject);
          worker.once('exit', (code) =>
            code === 0 ? resolve() : reject(new Error(`journal filler thread exited with ${code}`)),
          );
        }),
    ),
  );
}
