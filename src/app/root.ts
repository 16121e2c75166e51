import { join } from 'node:path';
import { ActivityScheduler } from '../activities/scheduler.js';
import { buildPushService, noPhotos } from './cameraFeature.js';
import { ClockService } from './clockSync.js';
import type { LoadedConfig } from '../config/load.js';
import { ControlServer } from '../control/server.js';
import { EventBus } from '../daemon/bus.js';
import { acquireInstanceLock, type InstanceLock } from '../daemon/instanceLock.js';
import {
  armStopDeadline,
  installFaultHandlers,
  letPendingSignalsArrive,
  waitForStopSignal,
} from '../daemon/lifecycle.js';
import { createNotifier, watchdogIntervalMs, type Notifier } from '../daemon/sdnotify.js';
import type { PushService } from '../cameras/pushService.js';
import type { RecordingStorageService } from '../cameras/recording/storageService.js';
import type { Service } from '../daemon/service.js';
import { ServiceSupervisor } from '../daemon/supervisor.js';
import { startWatchdog } from '../daemon/watchdog.js';
import { AgentError, ErrorCode, ExitCode, needsTechnician } from '../errors.js';
import { JOURNAL_FILE } from '../journal/journal.js';
import type { JsonValue } from '../journal/types.js';
import { createRootLogger, type Logger } from '../log.js';
import { SlotDeletionService } from '../members/slotDeletionService.js';
import type { StorageMonitor } from '../store/storageMonitor.js';
import { liveLinkStatus } from '../sync/health/syncStatus.js';
import type { SyncService } from '../sync/service.js';
import { registerRoundTripMethod } from '../sync/centerRoundTrip.js';
import { startConfigTrial } from './configTrial.js';
import { controlSocketPath } from './controlSocket.js';
import { registerStatus, type Core } from './core.js';
import { quarantineDamaged } from './journalRecovery.js';
import { isJournalDamage } from '../journal/quarantine/damage.js';
import { registerEnrollmentMethods } from './enrollment.js';
import { JournalPruneService } from './journalPrune.js';
import { JournalVerifyService } from './journalVerify.js';
import { buildMeetingPhotos } from './meetingPhotos.js';
import { buildRecordingStorage } from './recordingStorage.js';
import { buildRecordings, recordingRoom } from './recordingFeature.js';
import type { RecordingService } from '../cameras/recording/recordingService.js';
import { preloadBlockingModules } from './preload.js';
import { buildSignInServices } from './signInFeature.js';
import {
  buildStorageMonitor,
  openDaemonCore,
  recordUnlessStorageFails,
  shareJournalWhenSpaceReturns,
} from './storageFeature.js';
import { buildSyncService } from './syncFeature.js';
import { buildIdleRecordings, buildRecordingUploads } from './recordingUploads.js';
import { announceStart, journalRevert } from './startEvents.js';
import { startStatusReports, statusLine } from './statusLine.js';
import { leaveStopMarker, takeStopMarker, type PreviousStop } from './stopMarker.js';
import { agentVersion } from './version.js';

interface DaemonServices {
  /** In start order; they stop in reverse. */
  services: Service[];
  sync: SyncService;
  pushes: PushService;
  recordings: RecordingService | undefined;
  verify: JournalVerifyService;
  /** The recordings' pruner; the recorder asks it for room (RoomForRecording) before it stops. */
  recordingStorage: RecordingStorageService;
}

/**
 * The services in start order; they stop in reverse. Later features add theirs here, one line
 * each (cameras), before the control server: it stays last so that on shutdown it is the first
 * to stop taking work. Sync starts after the local services: a sign-in never waits for a broker.
 */
function buildServices(
  core: Core,
  storage: StorageMonitor,
  loaded: LoadedConfig,
  bus: EventBus,
  logger: Logger,
  requestStop: (cause: StopCause) => void,
  previousStop: PreviousStop,
): DaemonServices {
  const { config } = loaded;
  const { journal, clock } = core;
  const verify = new JournalVerifyService({
    journal,
    clock,
    bus,
    previousStop,
    logger: logger.child({ service: 'journal-verify' }),
  });
  const signIn = buildSignInServices(core, config, bus, logger);
  const enrollment = registerEnrollmentMethods(core.registry, { config, journal, scanner: signIn.scanner, logger });
  const clockService = new ClockService({
    clock,
    source: core.syncSource,
    journal,
    bus,
    pollSeconds: config.clock.pollSeconds,
    logger: logger.child({ service: 'clock' }),
  });
  const photos = buildMeetingPhotos(core, config, bus, logger, storage);
  const recordingStorage = buildRecordingStorage(core, config, bus, logger);
  const pushes = buildPushService(core, config, bus, logger);
  const recordingUploads = buildRecordingUploads(core, config, logger);
  const recordings = buildRecordings(core, config, bus, logger, recordingRoom(config, storage, recordingStorage));
  const sync = buildSyncService({
    core,
    loaded,
    clockService,
    scanner: signIn.scanner,
    feedback: signIn.feedback,
    enrollment,
    pushes,
    recorders: recordings === undefined ? undefined : () => recordings.recordings(),
    photos: photos ?? noPhotos,
    recordingUploads,
    verification: () => verify.verification(),
    storage,
    recordingStorage: () => recordingStorage.report(),
    bus,
    logger,
    requestRestart: (reason) =>
      requestStop({
        exitCode: ExitCode.Restart,
        journaled: { reason: 'restart', requestedBy: 'center', detail: reason },
      }),
  });
  const services = [
    // First: the other services' writes are judged against the storage it measures.
    storage,
    clockService,
    new JournalPruneService({
      journal,
      clock,
      bus,
      storage,
      retentionDays: config.journal.retentionDays,
      intervalMinutes: config.journal.pruneIntervalMinutes,
      logger: logger.child({ service: 'journal-prune' }),
    }),
    verify,
    // Before anything that records: what is written after it finds the recordings within their room.
    recordingStorage,
    // Before the scheduler: an activity its first check ends (it ran out while the agent was down) still reaches the photos.
    ...(photos === undefined ? [] : [photos]),
    new ActivityScheduler(core.activities, core.plans, clock, logger.child({ service: 'activity-scheduler' }), bus),
    signIn.feedback,
    signIn.scanner,
    signIn.signIn,
    new SlotDeletionService(enrollment.deletions, journal, bus),
    // After the scheduler: an activity that ran out while the agent was down is ended before it could be recorded.
    ...(recordings === undefined ? [] : [recordings]),
    pushes,
    sync,
    // After sync: its first looks at the link find the link and the outbox running.
    buildIdleRecordings(recordingUploads, sync, pushes, logger),
    new ControlServer(controlSocketPath(config), core.registry, logger.child({ service: 'control' })),
  ];
  return { services, sync, pushes, recordings, verify, recordingStorage };
}

/** Why the daemon stops: a signal (exit 0), a configuration trial that failed (exit 1) or the center's restart (exit 75); systemd restarts the last two. */
interface StopCause {
  exitCode: number;
  journaled: JsonValue;
  /** Set when a write found the journal file damaged: the daemon quarantines it and starts again on a new one. */
  damage?: string | undefined;
}

/** Resolves when a write finds the journal damaged (SQLITE_CORRUPT while running). */
function journalDamage(bus: EventBus): Promise<StopCause> {
  return new Promise((resolve) =>
    bus.on('daemon', 'journal.damaged', ({ reason }) =>
      resolve({ exitCode: ExitCode.InternalFault, journaled: null, damage: reason }),
    ),
  );
}

interface Running {
  /** Resolves when the daemon must stop on its own: the override on trial was reverted, or the center asked for a restart. */
  stopRequested: Promise<StopCause>;
  stop(): Promise<void>;
}

/**
 * Starts the services, reports READY=1 once the local ones run (never waiting for a broker or a
 * scanner, and never after a stop signal came during start-up), and keeps systemd informed.
 */
async function startServices(
  core: Core,
  storage: StorageMonitor,
  loaded: LoadedConfig,
  bus: EventBus,
  notifier: Notifier,
  stopping: () => boolean,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  previousStop: PreviousStop,
): Promise<Running> {
  const { journal } = core;
  let resolveStop!: (cause: StopCause) => void;
  const stopRequested = new Promise<StopCause>((resolve) => (resolveStop = resolve));
  // Every stop the daemon asks for itself is followed by systemd's restart: the county sees that in the retained state.
  const requestStop = (cause: StopCause): void => {
    built.sync.setStopReason('restart');
    resolveStop(cause);
  };
  const built = buildServices(core, storage, loaded, bus, logger, requestStop, previousStop);
  const services = new ServiceSupervisor(built.services, logger, bus);
  registerStatus(
    core,
    loaded,
    {
      services: () => services.health(),
      cameras: () => built.pushes.cameras(),
      recorders: () => built.recordings?.recordings() ?? [],
    },
    () => liveLinkStatus(built.sync.link, built.sync.uplinkBudget()),
    () => built.verify.verification(),
    storage,
    () => built.recordingStorage.report(),
  );
  registerRoundTripMethod(core.registry, built.sync.roundTrip);
  await services.startAll();
  // Start-up may not have polled since a signal came (verifying a long journal is synchronous).
  await letPendingSignalsArrive();
  const status = (): string => statusLine(services.health(), journal.head());
  const ready = status();
  if (!stopping()) notifier.ready(ready);
  const stopStatus = startStatusReports(notifier, bus, status, ready);
  const interval = watchdogIntervalMs(env, process.pid, logger);
  const liveness = journal.db.prepare('SELECT 1');
  const stopWatchdog =
    interval === undefined
      ? () => {}
      : startWatchdog({ notifier, intervalMs: interval, isAlive: () => liveness.get(), logger });
  const trial = startConfigTrial(loaded, services, logger, (reverted) => {
    journalRevert(core, bus, logger, reverted);
    requestStop({ exitCode: ExitCode.InternalFault, journaled: { reason: 'config-reverted' } });
  });
  logger.info({ version: agentVersion(), services: services.health() }, 'room-agent running');
  return {
    stopRequested,
    async stop() {
      const settleTrial = trial.stop();
      stopStatus();
      stopWatchdog();
      await services.stopAll();
      settleTrial();
    },
  };
}

/** One daemon per data directory, held until the process ends (see acquireInstanceLock). */
async function lockDataDir(dataDir: string): Promise<InstanceLock> {
  const lock = await acquireInstanceLock(dataDir);
  if (lock === undefined) {
    throw new AgentError(
      ErrorCode.DaemonAlreadyRunning,
      `another room-agent daemon is already running on ${dataDir}; stop it first (systemctl stop room-agent)`,
      { dataDir },
    );
  }
  return lock;
}

/**
 * `room-agent run`: the composition root. On SIGTERM/SIGINT it reports STOPPING=1 first, stops
 * taking work (the control server stops first), stops the services in reverse and closes the
 * journal; resolves 0. Journal appends are synchronous, so no write is ever half done when the
 * signal is handled. A damaged journal file, found at start or by a write while running, is
 * quarantined and the daemon starts again on the new journal (journalRecovery.ts). Throws what a
 * technician must fix (a wrong or missing device key, a damaged journal that cannot be
 * quarantined; main exits 78). A full card does not stop it, nor a read-only one: the daemon runs
 * on in that named state. Resolves 1 when start-up fails otherwise (an unreadable journal) or a remote override
 * on trial kept a service from starting; an internal fault later exits 1 directly (see
 * installFaultHandlers). Throws DaemonAlreadyRunning (exit 69) when another daemon owns the data
 * directory; under systemd that start is retried after RestartSec, which is harmless.
 */
export async function runDaemon(loaded: LoadedConfig, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const logger = createRootLogger(loaded.config.log);
  const { dataDir } = loaded.config.device;
  let core: Core | undefined;
  const removeFaultHandlers = installFaultHandlers(logger, () => core?.journal.close());
  const stopSignal = waitForStopSignal(logger);
  // Started now, so its file reads overlap the other start-up steps; awaited before any service starts.
  const preloaded = preloadBlockingModules(logger);
  const notifier = await createNotifier(env, logger.child({ module: 'sdnotify' }));
  let lock: InstanceLock | undefined;
  try {
    lock = await lockDataDir(dataDir);
    // Before the journal is opened: opening writes to it.
    const previousStop = takeStopMarker(dataDir, join(dataDir, JOURNAL_FILE), logger);
    for (;;) {
      const bus = new EventBus();
      let opened: { storage: StorageMonitor; journalReadOnly: boolean } | undefined;
      let damage = '';
      try {
        const daemonCore = openDaemonCore(loaded.config, logger, bus);
        core = daemonCore.core;
        const { journalReadOnly } = daemonCore;
        opened = { storage: buildStorageMonitor(loaded.config, bus, logger, journalReadOnly), journalReadOnly };
        shareJournalWhenSpaceReturns(bus, core, logger);
        const started = core;
        if (!journalReadOnly)
          recordUnlessStorageFails(opened.storage, dataDir, 'the start-up record', () =>
            announceStart(started, loaded, bus, logger),
          );
      } catch (error) {
        core?.journal.close();
        core = undefined;
        // A damage the quick check missed shows at the first write: quarantined like any other.
        if (!needsTechnician(error) && isJournalDamage(error)) damage = (error as Error).message;
        else {
          logger.fatal({ err: error }, `cannot start: ${(error as Error).message}`);
          // A wrong key or a journal that cannot be replaced stays so after any restart: main prints
          // the one line that says what to do and exits 78, which the unit does not restart.
          if (needsTechnician(error)) throw error;
          return ExitCode.InternalFault;
        }
      }
      if (core === undefined || opened === undefined) {
        quarantineDamaged(loaded.config, damage, logger);
        continue;
      }
      const { storage, journalReadOnly } = opened;
      await preloaded;
      const damaged = journalDamage(bus);
      const running = await startServices(
        core,
        storage,
        loaded,
        bus,
        notifier,
        () => stopSignal.signal() !== undefined,
        env,
        logger,
        previousStop,
      );

      const cause = await Promise.race([
        stopSignal.received.then((signal): StopCause => ({ exitCode: ExitCode.Ok, journaled: { signal } })),
        running.stopRequested,
        damaged,
      ]);
      if (cause.damage === undefined) notifier.stopping();
      const disarm = armStopDeadline(logger);
      await running.stop();
      if (cause.damage !== undefined) {
        // The damaged file cannot take an agent.stopped entry; the new journal's gap says what happened.
        core.journal.close();
        core = undefined;
        disarm();
        quarantineDamaged(loaded.config, cause.damage, logger);
        continue;
      }
      // Tells the county a clean stop from a crash, where the journal simply ends.
      const stopped = core.journal;
      if (!journalReadOnly)
        recordUnlessStorageFails(storage, dataDir, 'the stop record', () =>
          stopped.append('agent.stopped', cause.journaled),
        );
      core.journal.close();
      leaveStopMarker(dataDir, join(dataDir, JOURNAL_FILE), logger);
      disarm();
      logger.info({ exitCode: cause.exitCode }, 'room-agent stopped');
      return cause.exitCode;
    }
  } finally {
    await lock?.release();
    notifier.close();
    stopSignal.dispose();
    removeFaultHandlers();
  }
}
