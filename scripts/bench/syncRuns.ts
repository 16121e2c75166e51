/** The measured runs the sync benchmarks are made of, each in child processes (syncJobs.ts). */
import { join } from 'node:path';
import { JobProcess, type Scope } from './syncHarness.js';
import type { AckerJob, BareJob, CenterJob, JobResult, RoomsJob } from './syncJobs.js';

export const TOPIC_PREFIX = 'county';

export interface AgentRunOptions {
  /** Where the receiving side connects: the broker itself. */
  brokerUrl: string;
  /** Where the rooms connect: the broker, or a proxy in front of it. */
  roomUrl: string;
  rooms: RoomsJob['rooms'];
  county: RoomsJob['county'];
  /** For the whole run; the receiving side gets it too. */
  timeoutMs: number;
  what: string;
}

export interface CenterRun {
  rooms: JobResult<RoomsJob>;
  center: JobResult<CenterJob>;
}

export interface AckerRun {
  rooms: JobResult<RoomsJob>;
  acker: JobResult<AckerJob>;
}

async function againstReceiver<J extends CenterJob | AckerJob>(
  scope: Scope,
  receiverJob: J,
  options: AgentRunOptions,
): Promise<{ rooms: JobResult<RoomsJob>; receiver: JobResult<J> }> {
  const receiver = new JobProcess(
    scope,
    receiverJob,
    `${options.what}: the ${receiverJob.kind}`,
    options.timeoutMs + 30_000,
  );
  await receiver.started();
  const rooms = new JobProcess(
    scope,
    { kind: 'rooms', url: options.roomUrl, rooms: options.rooms, county: options.county },
    `${options.what}: the rooms`,
    options.timeoutMs,
  );
  const roomsResult = await rooms.result();
  return { rooms: roomsResult, receiver: await receiver.finish() };
}

/** Rooms backfilling to the reference CountyCenter (verifies and stores everything). */
export async function runAgainstCenter(scope: Scope, options: AgentRunOptions): Promise<CenterRun> {
  const dbFile = join(scope.tempDir('room-agent-bench-center-'), 'center.sqlite');
  const { rooms, receiver } = await againstReceiver(
    scope,
    { kind: 'center', url: options.brokerUrl, dbFile, prefix: TOPIC_PREFIX },
    options,
  );
  if (receiver.brokenRooms.length > 0)
    throw new Error(`${options.what}: the center flagged broken chains in ${receiver.brokenRooms.join(', ')}`);
  return { rooms, center: receiver };
}

/** Rooms backfilling to the decode-and-acknowledge receiver (syncAcker.ts). */
export async function runAgainstAcker(scope: Scope, options: AgentRunOptions): Promise<AckerRun> {
  const { rooms, receiver } = await againstReceiver(
    scope,
    { kind: 'acker', url: options.brokerUrl, prefix: TOPIC_PREFIX },
    options,
  );
  return { rooms, acker: receiver };
}

/** The bare mqtt.js client publishing one journal (see syncBareClient.ts). */
export async function runBare(
  scope: Scope,
  job: Omit<BareJob, 'kind' | 'topic'>,
  timeoutMs: number,
  what: string,
): Promise<JobResult<BareJob>> {
  const bare = new JobProcess(
    scope,
    { kind: 'bare', topic: `${TOPIC_PREFIX}/bench/bare/events`, ...job },
    what,
    timeoutMs,
  );
  return bare.result();
}
