/**
 * The jobs a sync benchmark runs in child processes (syncJobProcess.ts is the entry), and the
 * messages between parent and child. Every result carries the child's peak RSS.
 */
import { prepareBatches, sendBatches, type BareBatchesJob, type BareBatchesResult } from './syncBareBatches.js';
import { publishBare, type BarePublishOptions, type BarePublishResult } from './syncBareClient.js';
import { startAcker, type AckerStats } from './syncAcker.js';
import { runRooms, type RoomsJob, type RoomsResult } from './syncRooms.js';
import { startCenter, type CenterJob, type CenterResult } from './syncCenter.js';
import type { JobContext } from './syncJobContext.js';

export interface BareJob extends BarePublishOptions {
  kind: 'bare';
}

export interface AckerJob {
  kind: 'acker';
  url: string;
  prefix: string;
}

export type { BareBatchesJob, RoomsJob, CenterJob };
export type Job = BareJob | BareBatchesJob | AckerJob | RoomsJob | CenterJob;

interface ResultByKind {
  bare: BarePublishResult;
  'bare-batches': BareBatchesResult;
  acker: AckerStats;
  rooms: RoomsResult;
  center: CenterResult;
}

/** Bytes a job's TCP client sockets wrote (up) and read (down). */
export interface Wire {
  bytesUp: number;
  bytesDown: number;
}

/** What a job reports, plus what its process used: peak RSS, CPU time (user + system) since it was ready, bytes on the wire. */
export type JobResult<J extends Job> = ResultByKind[J['kind']] & { maxRssBytes: number; cpuMs: number; wire: Wire };

export type ChildRequest = { type: 'start'; job: Job } | { type: 'finish' };
export type ChildReport =
  | { type: 'ready' }
  | { type: 'progress'; text: string }
  | { type: 'result'; result: unknown }
  | { type: 'error'; message: string };

/** Runs one job to its end in this process and returns what it measured. */
export async function runJob(job: Job, context: JobContext): Promise<unknown> {
  switch (job.kind) {
    case 'bare':
      context.ready();
      return publishBare(job);
    case 'bare-batches': {
      // Encoding is setup: the clock (and the CPU count) start once every batch is ready.
      const prepared = prepareBatches(job);
      context.ready();
      return sendBatches(job, prepared);
    }
    case 'acker': {
      const acker = await startAcker(job.url, job.prefix);
      context.ready();
      await context.finishRequested;
      await acker.close();
      return acker.stats();
    }
    case 'rooms':
      return runRooms(job, context);
    case 'center': {
      const center = await startCenter(job, context);
      context.ready();
      await context.finishRequested;
      return center.finish();
    }
  }
}
