/** The measured runs the sync benchmarks are made of, each in child processes (syncJobs.ts). */
import { join } from 'node:path';
import { JobProcess, type Scope } from './syncHarness.js';
import type { AckerJob, BareBatchesJob, BareJob, CenterJob, JobResult, RoomsJob } from './syncJobs.js';

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

/** What a run sends with: the agent's rooms, or the bare client with the agent's batches. */
type SenderJob = RoomsJob | BareBatchesJob;

async function againstReceiver<J extends CenterJob | AckerJob, S extends SenderJob>(
  scope: Scope,
  receiverJob: J,
  senderJob: S,
  options: Pick<AgentRunOptions, 'timeoutMs' | 'what'>,
): Promise<{ sender: JobResult<S>; receiver: JobResult<J> }> {
  const receiver = new JobProcess(
    scope,
    receiverJob,
    `${options.what}: the ${receiverJob.kind}`,
    options.timeoutMs + 30_000,
  );
  await receiver.started();
  const sender = new JobProcess(scope, senderJob, `${options.what}: the ${senderJob.kind}`, options.timeoutMs);
  const senderResult = await sender.result();
  return { sender: senderResult, receiver: await receiver.finish() };
}

async function toCenter<S extends SenderJob>(
  scope: Scope,
  senderJob: S,
  options: Pick<AgentRunOptions, 'brokerUrl' | 'timeoutMs' | 'what'>,
): Promise<{ sender: JobResult<S>; center: JobResult<CenterJob> }> {
  const dbFile = join(scope.tempDir('room-agent-bench-center-'), 'center.sqlite');
  const { sender, receiver } = await againstReceiver(
    scope,
    { kind: 'center', url: options.brokerUrl, dbFile, prefix: TOPIC_PREFIX },
    senderJob,
    options,
  );
  if (receiver.brokenRooms.length > 0)
    throw new Error(`${options.what}: the center flagged broken chains in ${receiver.brokenRooms.join(', ')}`);
  return { sender, center: receiver };
}

function toAcker<S extends SenderJob>(
  scope: Scope,
  senderJob: S,
  options: Pick<AgentRunOptions, 'brokerUrl' | 'timeoutMs' | 'what'>,
): Promise<{ sender: JobResult<S>; receiver: JobResult<AckerJob> }> {
  return againstReceiver(scope, { kind: 'acker', url: options.brokerUrl, prefix: TOPIC_PREFIX }, senderJob, options);
}

function roomsJob(options: AgentRunOptions): RoomsJob {
  return { kind: 'rooms', url: options.roomUrl, rooms: options.rooms, county: options.county };
}

/** Rooms backfilling to the reference CountyCenter (verifies and stores everything). */
export async function runAgainstCenter(scope: Scope, options: AgentRunOptions): Promise<CenterRun> {
  const { sender, center } = await toCenter(scope, roomsJob(options), options);
  return { rooms: sender, center };
}

/** Rooms backfilling to the decode-and-acknowledge receiver (syncAcker.ts). */
export async function runAgainstAcker(scope: Scope, options: AgentRunOptions): Promise<AckerRun> {
  const { sender, receiver } = await toAcker(scope, roomsJob(options), options);
  return { rooms: sender, acker: receiver };
}

/** One room's backlog, as the agent would batch it, sent by the bare client (syncBareBatches.ts). */
export interface BatchRunOptions extends Omit<AgentRunOptions, 'rooms'> {
  room: { deviceId: string; dataDir: string };
}

function batchesJob(options: BatchRunOptions): BareBatchesJob {
  return { kind: 'bare-batches', url: options.roomUrl, ...options.room, county: options.county };
}

/** The agent's batches, sent bare, to the reference CountyCenter: the fair baseline of runAgainstCenter. */
export async function runBatchesAgainstCenter(
  scope: Scope,
  options: BatchRunOptions,
): Promise<{ batches: JobResult<BareBatchesJob>; center: JobResult<CenterJob> }> {
  const { sender, center } = await toCenter(scope, batchesJob(options), options);
  return { batches: sender, center };
}

/** The agent's batches, sent bare, to the decode-and-acknowledge receiver: the fair baseline of runAgainstAcker. */
export async function runBatchesAgainstAcker(
  scope: Scope,
  options: BatchRunOptions,
): Promise<{ batches: JobResult<BareBatchesJob>; acker: JobResult<AckerJob> }> {
  const { sender, receiver } = await toAcker(scope, batchesJob(options), options);
  return { batches: sender, acker: receiver };
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
