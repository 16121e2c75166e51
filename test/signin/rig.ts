import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { RecordingGpioLines } from '../../drivers/gpio/recordingLines.js';
import { R30xScanner, type R30xTimeoutOverrides } from '../../drivers/r30x/index.js';
import { SerialTransport } from '../../drivers/serial/serialTransport.js';
import { ActivityStore } from '../../src/activities/store.js';
import { SystemClock } from '../../src/clock/systemClock.js';
import { TimesyncdFlagSource } from '../../src/clock/timesyncd.js';
import { configSchema, type ConfigInput } from '../../src/config/schema.js';
import { EventBus } from '../../src/daemon/bus.js';
import type { FeedbackSignal } from '../../src/feedback/patterns.js';
import { FeedbackService, type Feedback } from '../../src/feedback/service.js';
import { Journal } from '../../src/journal/journal.js';
import type { JournalEntry } from '../../src/journal/types.js';
import { createRootLogger, createSilentLogger } from '../../src/log.js';
import { insertFinger } from '../../src/members/fingerRows.js';
import { MemberStore } from '../../src/members/store.js';
import type { ScannerState } from '../../src/daemon/bus.js';
import { loadScannerSecrets, type ScannerSecrets } from '../../src/scanner/secrets.js';
import { ScannerService } from '../../src/scanner/service.js';
import { SignInRecorder } from '../../src/signin/recorder.js';
import { SignInService } from '../../src/signin/service.js';
import { makeTempDir } from '../helpers/cli.js';
import { ModuleEmulator, type EmulatorOptions } from '../helpers/emulator.js';

/** BCM pins of the rig's LEDs and buzzer. */
export const PINS = { greenLed: 17, redLed: 27, buzzer: 22 } as const;

/** Fast reconnects: the tests pull cables and wait for the service to come back. */
const TEST_BACKOFF = { minMs: 50, maxMs: 400, jitter: 0 };

export interface RigOptions extends Omit<EmulatorOptions, 'family' | 'dir'> {
  /** Data directory of an earlier rig (a restart of the agent with the same journal). */
  dataDir?: string;
  scanner?: Partial<NonNullable<ConfigInput['scanner']>>;
  /** county.escrowPublicKey: the module password is sealed to it when a module is bound. */
  escrowPublicKey?: string;
  /** R30x only: shorter timeouts, for tests of a module that falls silent. */
  timeouts?: R30xTimeoutOverrides;
}

/**
 * A room agent's sign-in path in this process, on real parts: a module emulator on a real pty
 * opened through the real serial transport and driver, a real journal, the scanner, feedback and
 * sign-in services as the daemon composes them, and recording GPIO lines for the LEDs and buzzer.
 */
export class Rig {
  /** Every feedback signal shown, in order. */
  readonly signals: FeedbackSignal[] = [];
  /** The feedback service, recording every signal shown. */
  readonly feedback: Feedback = {
    show: (signal, module) => {
      const shown = this.feedbackService.show(signal, module);
      this.signals.push(signal);
      this.wake();
      return shown;
    },
  };
  readonly states: ScannerState[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly family: 'r30x' | 'gt521',
    readonly emulator: ModuleEmulator,
    readonly dataDir: string,
    readonly journal: Journal,
    readonly activities: ActivityStore,
    readonly bus: EventBus,
    readonly secrets: ScannerSecrets,
    readonly gpio: RecordingGpioLines,
    readonly scanner: ScannerService,
    readonly recorder: SignInRecorder,
    private readonly feedbackService: FeedbackService,
    readonly signIn: SignInService,
  ) {
    bus.on('rig', 'scanner.state', ({ state }) => {
      this.states.push(state);
      this.wake();
    });
    bus.on('rig', 'journal.appended', () => this.wake());
  }

  /** Adds roster members and maps module slots to them, and puts the fingers' templates in the module. */
  async enroll(
    members: Array<{
      memberId: string;
      role?: 'member' | 'secretary';
      fingers: Array<{ slot: number; finger: string }>;
    }>,
  ): Promise<void> {
    new MemberStore(this.journal).upsertMembers(
      members.map(({ memberId, role }) => ({
        memberId,
        name: `Member ${memberId}`,
        role: role ?? 'member',
        status: 'active',
      })),
      'cli',
      'test',
    );
    for (const { memberId, fingers } of members) {
      for (const [index, { slot, finger }] of fingers.entries()) {
        await this.emulator.storeTemplate(slot, finger);
        const templateSize = (await this.emulator.template(finger)).length;
        this.journal.transaction((tx) => {
          const entry = tx.append('test.finger_mapped', { memberId, slot });
          const name = index === 0 ? 'right-index' : 'left-index';
          insertFinger(tx.db, {
            memberId,
            finger: name,
            slot,
            moduleFamily: this.family,
            templateSize,
            enrolledSeq: entry.seq,
          });
        });
      }
    }
  }

  entries(type: string): JournalEntry[] {
    return this.journal.read(0, 10_000).filter((entry) => entry.type === type);
  }

  /** Places a finger, waits for the agent's answer (a feedback signal), lifts it; returns the signal. */
  async touch(finger: string, quality: 'good' | 'poor' = 'good'): Promise<FeedbackSignal> {
    const before = this.signals.length;
    await this.emulator.place(finger, quality);
    await this.until(() => this.signals.length > before, `a feedback signal after placing ${finger}`);
    await this.lift();
    return this.signals[before]!;
  }

  /**
   * Lifts the finger and waits until the agent has looked at the empty sensor, as a member's pause
   * would. The count comes from the emulator after the lift, so the awaited look saw no finger.
   */
  async lift(): Promise<void> {
    await this.emulator.lift();
    await this.nextLook();
  }

  /**
   * Waits for the agent's next look at the sensor, counted from now. After the module comes back
   * from work that asked for a finger, the sign-in loop first waits out a finger still on the glass:
   * a touch placed before that look would be taken for the one left behind.
   */
  async nextLook(): Promise<void> {
    const presence = this.family === 'r30x' ? 'GenImg' : 'IsPressFinger';
    const { counts } = await this.emulator.state();
    await this.emulator.waitForCommand(presence, 20_000, counts[presence] ?? 0);
  }

  /** Resolves once `condition` holds; checked at every state change, journal commit and signal. */
  async until(condition: () => boolean, description: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline)
        throw new Error(
          `no ${description} within ${timeoutMs} ms (scanner ${this.scanner.state()}: ${this.scanner.stateDetail() ?? ''}; signals ${this.signals.join(', ')})`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, 100);
        function finish(): void {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(finish);
      });
    }
  }

  waitForState(state: ScannerState): Promise<void> {
    return this.until(() => this.scanner.state() === state, `scanner state ${state}`);
  }

  wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  async stop(): Promise<void> {
    this.signIn.stop();
    await this.scanner.stop();
    this.feedbackService.stop();
    this.bus.removeOwner('rig');
    this.journal.close();
  }
}

/** Starts rigs for a test; all are stopped, their emulators ended and their directories removed after it. */
export function useRigs(): (family: 'r30x' | 'gt521', options?: RigOptions) => Promise<Rig> {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return async (
    family,
    { dataDir: reusedDir, scanner: scannerKeys = {}, escrowPublicKey, timeouts, ...emulatorOptions } = {},
  ) => {
    let dataDir = reusedDir;
    if (dataDir === undefined) {
      const temp = makeTempDir('room-agent-signin-');
      cleanups.push(temp.cleanup);
      dataDir = join(temp.dir, 'data');
    }
    const emulator = await ModuleEmulator.start({ family, powerOnDelayMs: 0, ...emulatorOptions });
    cleanups.push(() => emulator.stop());
    const rig = await startRig(family, emulator, dataDir, { scannerKeys, escrowPublicKey, timeouts });
    cleanups.push(() => rig.stop());
    await rig.until(() => rig.scanner.state() !== 'connecting', 'first connection attempt');
    return rig;
  };
}

async function startRig(
  family: 'r30x' | 'gt521',
  emulator: ModuleEmulator,
  dataDir: string,
  {
    scannerKeys,
    escrowPublicKey,
    timeouts,
  }: Pick<RigOptions, 'escrowPublicKey' | 'timeouts'> & { scannerKeys: RigOptions['scanner'] },
): Promise<Rig> {
  const config = configSchema.parse({
    version: 1,
    device: { id: 'rig-room', dataDir },
    county: { url: 'mqtt://127.0.0.1:1883', escrowPublicKey },
    scanner: { driver: family, path: emulator.path, baudRate: 57_600, pollIntervalMs: 50, ...scannerKeys },
    feedback: { ...PINS },
  });
  const logger = process.env.RIG_LOG ? createRootLogger({ level: 'debug', format: 'json' }) : createSilentLogger();
  const bus = new EventBus();
  const syncFlag = join(dataDir, '..', 'synced');
  writeFileSync(syncFlag, '');
  const clock = new SystemClock(new TimesyncdFlagSource(syncFlag));
  const journal = Journal.open({ dataDir, access: 'create', clock, logger, bus });
  const secrets = loadScannerSecrets(dataDir, { create: true });
  const gpio = new RecordingGpioLines();
  const feedbackService = new FeedbackService({
    config: config.feedback,
    logger,
    gpio: { available: true, lines: gpio },
  });
  const openScanner =
    timeouts === undefined
      ? undefined
      : () =>
          new R30xScanner({
            transport: new SerialTransport({ path: emulator.path }),
            baudRate: 57_600,
            password: secrets.modulePassword,
            timeouts,
          });
  const lines = { available: true as const, lines: gpio };
  const scanner = new ScannerService({
    config,
    journal,
    bus,
    logger,
    secrets: () => secrets,
    backoff: TEST_BACKOFF,
    gpio: lines,
    openScanner,
  });
  const activities = new ActivityStore(journal, bus);
  const recorder = new SignInRecorder({
    journal,
    currentActivityId: () => activities.current()?.id ?? null,
    clock,
    windowMinutes: config.scanner.signInWindowMinutes,
  });
  // Feedback goes through the rig built just below, which records every signal shown.
  const signIn = new SignInService({
    config: config.scanner,
    scanner,
    recorder,
    feedback: { show: (signal, module) => rig.feedback.show(signal, module) },
    bus,
    logger,
    gpio: lines,
  });
  const rig: Rig = new Rig(
    family,
    emulator,
    dataDir,
    journal,
    activities,
    bus,
    secrets,
    gpio,
    scanner,
    recorder,
    feedbackService,
    signIn,
  );
  await feedbackService.start();
  await scanner.start();
  await signIn.start();
  return rig;
}
