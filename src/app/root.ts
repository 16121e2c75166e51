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
import type { Service } from '../daemon/service.js';
import { ServiceSupervisor } from '../daemon/supervisor.js';
import { startWatchdog } from '../daemon/watchdog.js';
import { AgentError, ErrorCode, ExitCode, needsTechnician } from '../errors.js';
import type { JsonValue } from '../journal/types.js';
import { createRootLogger, type Logger } from '../log.js';
import { SlotDeletionService } from '../members/slotDeletionService.js';
import { liveLinkStatus } from '../sync/health/syncStatus.js';
import type { SyncService } from '../sync/service.js';
import { startConfigTrial } from './configTrial.js';
import { controlSocketPath, registerStatus, type Core } from './core.js';
import { openCoreOrQuarantine, quarantineDamaged } from './journalRecovery.js';
import { isJournalDamage } from '../journal/quarantine/damage.js';
import { registerEnrollmentMethods } from './enrollment.js';
import { JournalPruneService } from './journalPrune.js';
import { buildMeetingPhotos } from './meetingPhotos.js';
import { buildSignInServices } from './signInFeature.js';
import { buildSyncService } from './syncFeature.js';
import { announceStart, journalRevert } from './startEvents.js';
import { startStatusReports, statusLine } from './statusLine.js';
import { agentVersion } from './version.js';

interface DaemonServices {
  /** In start order; they stop in reverse. */
  services: Service[];
  sync: SyncService;
  pushes: PushService;
}

/**
 * The services in start order; they stop in reverse. Later features add theirs here, one line
 * each (cameras), before the control server: it stays last so that on shutdown it is the first
 * to stop taking work. Sync starts after the local services: a sign-in never waits for a broker.
 */
function buildServices(
  core: Core,
  loaded: LoadedConfig,
  bus: EventBus,
  logger: Logger,
  requestStop: (cause: StopCause) => void,
): DaemonServices {
  const { config } = loaded;
  const { journal, clock } = core;
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
  const photos = buildMeetingPhotos(core, config, bus, logger);
  const pushes = buildPushService(core, config, bus, logger);
  const sync = buildSyncService({
    core,
    loaded,
    clockService,
    scanner: signIn.scanner,
    feedback: signIn.feedback,
    enrollment,
    pushes,
    photos: photos ?? noPhotos,
    bus,
    logger,
    requestRestart: (reason) =>
      requestStop({
        exitCode: ExitCode.Restart,
        journaled: { reason: 'restart', requestedBy: 'center', detail: reason },
      }),
  });
  const services = [
    clockService,
    new JournalPruneService({
      journal,
      clock,
      bus,
      retentionDays: config.journal.retentionDays,
      intervalMinutes: config.journal.pruneIntervalMinutes,
      logger: logger.child({ service: 'journal-prune' }),
    }),
    // Before the scheduler: an activity its first check ends (it ran out while the agent was down) still reaches the photos.
    ...(photos === undefined ? [] : [photos]),
    new ActivityScheduler(core.activities, core.plans, clock, logger.child({ service: 'activity-scheduler' }), bus),
    signIn.feedback,
    signIn.scanner,
    signIn.signIn,
    new SlotDeletionService(enrollment.deletions, journal, bus),
    pushes,
    sync,
    new ControlServer(controlSocketPath(config), core.registry, logger.child({ service: 'control' })),
  ];
  return { services, sync, pushes };
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
  loaded: LoadedConfig,
  bus: EventBus,
  notifier: Notifier,
  stopping: () => boolean,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<Running> {
  const { journal } = core;
  let resolveStop!: (cause: StopCause) => void;
  const stopRequested = new Promise<StopCause>((resolve) => (resolveStop = resolve));
  // Every stop the daemon asks for itself is followed by systemd's restart: the county sees that in the retained state.
  const requestStop = (cause: StopCause): void => {
    built.sync.setStopReason('restart');
    resolveStop(cause);
  };
  const built = buildServices(core, loaded, bus, logger, requestStop);
  const services = new ServiceSupervisor(built.services, logger, bus);
  registerStatus(core, loaded, { services: () => services.health(), cameras: () => built.pushes.cameras() }, () =>
    liveLinkStatus(built.sync.link),
  );
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
 * quarantined; main exits 78). Resolves 1 when start-up fails otherwise (an unreadable journal) or a remote override
 * on trial kept a service from starting; an internal fault later exits 1 directly (see
 * installFaultHandlers). Throws DaemonAlreadyRunning (exit 69) when another daemon owns the data
 * directory; under systemd that start is retried after RestartSec, which is harmless.
 */
export async function runDaemon(loaded: LoadedConfig, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const logger = createRootLogger(loaded.config.log);
  let core: Core | undefined;
  const removeFaultHandlers = installFaultHandlers(logger, () => core?.journal.close());
  const stopSignal = waitForStopSignal(logger);
  const notifier = await createNotifier(env, logger.child({ module: 'sdnotify' }));
  let lock: InstanceLock | undefined;
  try {
    lock = await lockDataDir(loaded.config.device.dataDir);
    for (;;) {
      const bus = new EventBus();
      let damage: string | undefined;
      try {
        core = openCoreOrQuarantine(loaded.config, logger, bus);
        announceStart(core, loaded, bus, logger);
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
      if (core === undefined) {
        quarantineDamaged(loaded.config, damage ?? '', logger);
        continue;
      }
      const damaged = journalDamage(bus);
      const running = await startServices(
        core,
        loaded,
        bus,
        notifier,
        () => stopSignal.signal() !== undefined,
        env,
        logger,
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
      core.journal.append('agent.stopped', cause.journaled);
      core.journal.close();
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
