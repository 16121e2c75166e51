/**
 * The agent's overhead on the sign-in path, over 1,000 sign-ins through the real loop, driver and
 * serial transport against the R30x emulator on a pty. Method: a transport wrapper timestamps
 * (performance.now(), the hrtime clock) every chunk read off the port and every packet written;
 * the journal's bus reports the commit; recording GPIO lines timestamp the first feedback pin
 * write. Per sign-in:
 *   agent overhead  = first feedback pin write − last byte of the Search ack read off the port
 *   whole sign-in   = first feedback pin write − the GenImg write that captured the finger
 *   module time     = whole sign-in − agent overhead (the emulator stands in for the module: a real
 *                     R30x takes 100–500 ms to capture and up to a second to search, so the agent's
 *                     share on hardware is far smaller than measured here)
 * Every sign-in commits (repeat window 0), so each one pays the fsync'd journal append, whose own
 * cost (journal.append alone, same journal) is the baseline, measured once after every sign-in
 * (interleaved, not all at the end). ROOM_AGENT_BENCH_DIR puts the journal on the SD card instead
 * of the temp directory; `--sign-ins=N` makes a shorter run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { RecordingGpioLines } from '../../drivers/gpio/recordingLines.js';
import { R30xScanner } from '../../drivers/r30x/index.js';
import { SerialTransport } from '../../drivers/serial/serialTransport.js';
import { SystemClock } from '../../src/clock/systemClock.js';
import { TimesyncdFlagSource } from '../../src/clock/timesyncd.js';
import { configSchema } from '../../src/config/schema.js';
import { EventBus } from '../../src/daemon/bus.js';
import { FeedbackService } from '../../src/feedback/service.js';
import { Journal } from '../../src/journal/journal.js';
import { createSilentLogger } from '../../src/log.js';
import { insertFinger } from '../../src/members/fingerRows.js';
import { MemberStore } from '../../src/members/store.js';
import { loadScannerSecrets } from '../../src/scanner/secrets.js';
import { ScannerService } from '../../src/scanner/service.js';
import { SignInRecorder } from '../../src/signin/recorder.js';
import { SignInService } from '../../src/signin/service.js';
import { TimedTransport } from './timedTransport.js';
import { countOption } from './syncHarness.js';
import type { Bench, BenchRow } from './types.js';

const SIGN_INS = 1_000;
const WARM_UP = 50;
const MEMBERS = 10;
const GEN_IMG = 0x01;
const SEARCH = 0x04;
/** Below the configuration's floor of 50 ms so the run takes seconds, not minutes; it only sets the idle wait. */
const POLL_MS = 5;
const PINS = { greenLed: 17, redLed: 27, buzzer: 22 };

interface Sample {
  agentMs: number;
  commitMs: number;
  wholeMs: number;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Agent {
  journal: Journal;
  bus: EventBus;
  scanner: ScannerService;
  signIn: SignInService;
  feedback: FeedbackService;
  gpio: RecordingGpioLines;
  transport(): TimedTransport;
}

async function startAgent(dataDir: string): Promise<Agent> {
  const config = configSchema.parse({
    version: 1,
    device: { id: 'bench-room', dataDir },
    county: { url: 'mqtt://127.0.0.1' },
    scanner: { driver: 'emulator', signInWindowMinutes: 0 },
    feedback: PINS,
  });
  const logger = createSilentLogger();
  const bus = new EventBus();
  const syncFlag = join(dataDir, 'synced');
  const journal = Journal.open({
    dataDir,
    access: 'create',
    clock: new SystemClock(new TimesyncdFlagSource(syncFlag)),
    logger,
    bus,
  });
  writeFileSync(syncFlag, '');
  const secrets = loadScannerSecrets(dataDir, { create: true });
  let timed: TimedTransport | undefined;
  const openScanner = () => {
    timed = new TimedTransport(new SerialTransport({ path: join(dataDir, 'emulator.tty') }));
    return new R30xScanner({ transport: timed, baudRate: 57_600, password: secrets.modulePassword });
  };
  const gpio = new RecordingGpioLines();
  const feedback = new FeedbackService({ config: config.feedback, logger, gpio: { available: true, lines: gpio } });
  const scanner = new ScannerService({ config, journal, bus, logger, secrets: () => secrets, openScanner });
  const recorder = new SignInRecorder({
    journal,
    currentActivityId: () => null,
    clock: new SystemClock(new TimesyncdFlagSource(syncFlag)),
    windowMinutes: 0,
  });
  const signIn = new SignInService({
    config: { ...config.scanner, pollIntervalMs: POLL_MS },
    scanner,
    recorder,
    feedback,
    bus,
    logger,
  });
  await feedback.start();
  await scanner.start();
  await signIn.start();
  return { journal, bus, scanner, signIn, feedback, gpio, transport: () => timed! };
}

/** Members with one finger each, enrolled by the module itself (place, lift, place again). */
async function enrollMembers(agent: Agent): Promise<void> {
  const emulator = agent.scanner.emulator()!;
  new MemberStore(agent.journal).upsertMembers(
    Array.from({ length: MEMBERS }, (_, slot) => ({
      memberId: `m-${slot}`,
      name: `Member ${slot}`,
      role: 'member' as const,
      status: 'active' as const,
    })),
    'cli',
    'bench',
  );
  for (let slot = 0; slot < MEMBERS; slot += 1) {
    await agent.scanner.exclusive('bench enrollment', (module) =>
      module.enroll({
        slot,
        prompt: (prompt) =>
          void (prompt.step === 'place'
            ? emulator.place(`bench-${slot}`)
            : prompt.step === 'lift'
              ? emulator.lift()
              : undefined),
      }),
    );
    await emulator.lift();
    agent.journal.transaction((tx) =>
      insertFinger(tx.db, {
        memberId: `m-${slot}`,
        finger: 'right-index',
        slot,
        moduleFamily: 'r30x',
        templateSize: 512,
        enrolledSeq: tx.append('bench.enrolled', { slot }).seq,
      }),
    );
  }
}

/** Waits until the loop has polled the empty sensor twice: it saw the lift. */
async function untilLiftSeen(transport: TimedTransport, since: number): Promise<void> {
  while (transport.writes.filter((write) => write.at > since && write.instruction === GEN_IMG).length < 2)
    await sleep(1);
}

async function oneSignIn(agent: Agent, slot: number): Promise<Sample> {
  const emulator = agent.scanner.emulator()!;
  const committed = new Promise<number>((resolve) =>
    agent.bus.on('bench', 'journal.appended', ({ type }) => type === 'signin.accepted' && resolve(performance.now())),
  );
  await emulator.place(`bench-${slot}`);
  const commitAt = await committed;
  agent.bus.removeOwner('bench');
  await nextTurn();
  const transport = agent.transport();
  const feedbackAt = Math.min(
    ...[...agent.gpio.outputs.values()].flatMap((line) =>
      line.writes.filter((write) => write.at >= commitAt).map((write) => write.at),
    ),
  );
  const ackAt = TimedTransport.lastBefore(transport.reads, commitAt)!;
  const searchAt = TimedTransport.lastBefore(
    transport.writes.filter((write) => write.instruction === SEARCH).map((write) => write.at),
    commitAt,
  )!;
  const captureAt = TimedTransport.lastBefore(
    transport.writes.filter((write) => write.instruction === GEN_IMG).map((write) => write.at),
    searchAt,
  )!;
  const liftedAt = performance.now();
  await emulator.lift();
  await untilLiftSeen(transport, liftedAt);
  return { agentMs: feedbackAt - ackAt, commitMs: commitAt - ackAt, wholeMs: feedbackAt - captureAt };
}

/** One fsync'd append alone, on the same journal: what the commit costs without the agent around it. */
function appendAlone(journal: Journal, i: number): number {
  const start = performance.now();
  journal.append('signin.accepted', {
    memberId: `m-${i % MEMBERS}`,
    slot: i % MEMBERS,
    score: 100,
    activityId: null,
    method: 'fingerprint',
  });
  return performance.now() - start;
}

export const benchSignin: Bench = async (options) => {
  const signIns = countOption(options, 'sign-ins', SIGN_INS);
  const base = mkdtempSync(join(process.env.ROOM_AGENT_BENCH_DIR ?? tmpdir(), 'room-agent-bench-signin-'));
  const agent = await startAgent(join(base, 'data'));
  try {
    while (agent.scanner.state() !== 'connected') await sleep(10);
    await enrollMembers(agent);
    const samples: Sample[] = [];
    const baseline: number[] = [];
    // Sign-in, append alone, sign-in, …: a machine that speeds up or slows down meanwhile hits both alike.
    for (let i = 0; i < WARM_UP + signIns; i += 1) {
      const sample = await oneSignIn(agent, i % MEMBERS);
      const alone = appendAlone(agent.journal, i);
      if (i < WARM_UP) continue;
      samples.push(sample);
      baseline.push(alone);
    }
    agent.signIn.stop();
    const agentMs = samples.map((sample) => sample.agentMs);
    const commitMs = samples.map((sample) => sample.commitMs);
    const share =
      agentMs.reduce((sum, value) => sum + value, 0) / samples.reduce((sum, sample) => sum + sample.wholeMs, 0);
    const rows: BenchRow[] = [
      {
        metric: 'agent overhead p50',
        value: percentile(agentMs, 50),
        unit: 'ms',
        baseline: percentile(baseline, 50),
        ratio: percentile(agentMs, 50) / percentile(baseline, 50),
        note: 'Search ack read → feedback pin written; baseline = journal.append alone, one after each sign-in',
      },
      {
        metric: 'agent overhead p99',
        value: percentile(agentMs, 99),
        unit: 'ms',
        baseline: percentile(baseline, 99),
        ratio: percentile(agentMs, 99) / percentile(baseline, 99),
        note: 'aim < 10 ms',
      },
      { metric: 'of which to commit p50', value: percentile(commitMs, 50), unit: 'ms' },
      { metric: 'of which to commit p99', value: percentile(commitMs, 99), unit: 'ms' },
      {
        metric: 'whole sign-in p50',
        value: percentile(
          samples.map((sample) => sample.wholeMs),
          50,
        ),
        unit: 'ms',
        note: 'GenImg of the capture → feedback; the module is the emulator',
      },
      {
        metric: "agent's share of the sign-in",
        value: share * 100,
        unit: '%',
        note: `over ${signIns} sign-ins; a real module's capture and search make it far smaller`,
      },
    ];
    return { name: 'sign-in path (R30x emulator on a pty)', rows };
  } finally {
    agent.signIn.stop();
    await agent.scanner.stop();
    agent.feedback.stop();
    agent.journal.close();
    rmSync(base, { recursive: true, force: true });
  }
};
