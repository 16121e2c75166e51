/**
 * The receiving side of the sync benchmarks: the reference CountyCenter (src/center/), which
 * verifies every entry's hash, chain and signature, stores it in its SQLite and acknowledges the
 * verified prefix. Runs in its own process (syncJobProcess.ts) as a county center would.
 */
import { CountyCenter } from '../../src/center/countyCenter.js';
import type { JobContext } from './syncJobContext.js';

export interface CenterJob {
  kind: 'center';
  url: string;
  dbFile: string;
  prefix: string;
}

export interface CenterResult {
  eventsStored: number;
  /** Events stored over the time from the first stored batch to the last. */
  eventsPerSecond: number;
  duplicates: number;
  badMessages: number;
  /** Rooms the center flagged with a broken chain: must be none. */
  brokenRooms: string[];
}

export async function startCenter(job: CenterJob, context: JobContext): Promise<{ finish(): Promise<CenterResult> }> {
  // A client id of its own: a run must not take over the broker session an earlier run's center left.
  const center = await CountyCenter.start({
    broker: { url: job.url },
    dbFile: job.dbFile,
    prefix: job.prefix,
    clientId: `bench-center-${process.pid}`,
  });
  const broken = new Set<string>();
  center.on('broken', (deviceId) => broken.add(deviceId));
  const progress = setInterval(() => context.progress(`the center stored ${center.stats().eventsStored} events`), 1000);
  return {
    async finish() {
      clearInterval(progress);
      const stats = center.stats();
      await center.stop();
      return { ...stats, brokenRooms: [...broken] };
    },
  };
}
