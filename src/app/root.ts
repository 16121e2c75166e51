import { ActivityScheduler } from '../activities/scheduler.js';
import { ClockService } from '../clock/clockService.js';
import type { LoadedConfig } from '../config/load.js';
import { ControlServer } from '../control/server.js';
import { refuseSecondDaemon } from '../control/socketFile.js';
import { EventBus } from '../daemon/bus.js';
import { armStopDeadline, installFaultHandlers, waitForStopSignal } from '../daemon/lifecycle.js';
import { createNotifier, watchdogIntervalMs, type Notifier } from '../daemon/sdnotify.js';
import type { Service } from '../daemon/service.js';
import { ServiceSupervisor } from '../daemon/supervisor.js';
import { startWatchdog } from '../daemon/watchdog.js';
import { ExitCode } from '../errors.js';
import { createRootLogger, type Logger } from '../log.js';
import { startConfigTrial } from './configTrial.js';
import { controlSocketPath, openCore, registerStatus, type Core } from './core.js';
import { JournalPruneService } from './journalPrune.js';
import { statusLine } from './statusLine.js';
import { agentVersion } from './version.js';

/**
 * The services in start order; they stop in reverse. Later features add theirs here, one line
 * each (scanner, sync, cameras), before the control server: it stays last so that on shutdown it
 * is the first to stop taking work.
 */
function buildServices(core: Core, loaded: LoadedConfig, bus: EventBus, logger: Logger): Service[] {
  const { config } = loaded;
  const { journal, clock } = core;
  return [
    new ClockService({ clock, source: core.syncSource, journal, bus, pollSeconds: config.clock.pollSeconds, logger: logger.child({ service: 'clock' }) }),
    new JournalPruneService({ journal, clock, retentionDays: config.journal.retentionDays, intervalMinutes: config.journal.pruneIntervalMinutes, logger: logger.child({ service: 'journal-prune' }) }),
    new ActivityScheduler(core.activities, core.plans, clock, logger.child({ service: 'activity-scheduler' })),
    new ControlServer(controlSocketPath(config), core.registry, logger.child({ service: 'control' })),
  ];
}

/** The daemon's events that say which software and which configuration this run is on. */
function journalStart(core: Core, loaded: LoadedConfig, bus: EventBus): void {
  const { journal, clock } = core;
  journal.append('agent.started', { version: agentVersion(), bootId: clock.read().bootId, pid: process.pid, overrideActive: loaded.overrideActive });
  if (loaded.reverted !== undefined) {
    journal.append('config.reverted', { reason: loaded.reverted.reason });
    bus.emit('config.reverted', { reason: loaded.reverted.reason });
  }
}

/**
 * Starts the services, reports READY=1 once the local ones run (never waiting for a broker or a
 * scanner), and keeps systemd informed; returns the function that stops all of it in reverse.
 */
async function startServices(core: Core, loaded: LoadedConfig, bus: EventBus, notifier: Notifier, env: NodeJS.ProcessEnv, logger: Logger): Promise<() => Promise<void>> {
  const { journal } = core;
  const services = new ServiceSupervisor(buildServices(core, loaded, bus, logger), logger, bus);
  registerStatus(core, loaded, () => services.health());
  await services.startAll();
  notifier.ready(statusLine(services.health(), journal.head()));
  bus.on('root', 'health.changed', () => notifier.status(statusLine(services.health(), journal.head())));
  const interval = watchdogIntervalMs(env, process.pid, logger);
  const liveness = journal.db.prepare('SELECT 1');
  const stopWatchdog = interval === undefined ? () => {} : startWatchdog({ notifier, intervalMs: interval, isAlive: () => liveness.get(), logger });
  const stopTrial = startConfigTrial(loaded, services, logger);
  logger.info({ version: agentVersion(), services: services.health() }, 'room-agent running');
  return async () => {
    stopTrial();
    stopWatchdog();
    bus.removeOwner('root');
    await services.stopAll();
  };
}

/**
 * `room-agent run`: the composition root. On SIGTERM/SIGINT it reports STOPPING=1 first, stops
 * taking work (the control server stops first), stops the services in reverse and closes the
 * journal; resolves 0. Journal appends are synchronous, so no write is ever half done when the
 * signal is handled. Resolves 1 when start-up fails (an unreadable journal); an internal fault
 * later exits 1 directly (see installFaultHandlers).
 */
export async function runDaemon(loaded: LoadedConfig, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const logger = createRootLogger(loaded.config.log);
  let core: Core | undefined;
  const removeFaultHandlers = installFaultHandlers(logger, () => core?.journal.close());
  const stopSignal = waitForStopSignal(logger);
  const notifier = await createNotifier(env, logger.child({ module: 'sdnotify' }));
  try {
    const bus = new EventBus();
    try {
      await refuseSecondDaemon(controlSocketPath(loaded.config));
      core = openCore(loaded.config, logger, bus);
      journalStart(core, loaded, bus);
    } catch (error) {
      logger.fatal({ err: error }, `cannot start: ${(error as Error).message}`);
      return ExitCode.InternalFault;
    }
    if (loaded.reverted !== undefined) logger.warn({ reason: loaded.reverted.reason }, 'remote configuration override reverted');
    const stopServices = await startServices(core, loaded, bus, notifier, env, logger);

    const signal = await stopSignal.received;
    notifier.stopping();
    const disarm = armStopDeadline(logger);
    await stopServices();
    // Tells the county a clean stop from a crash, where the journal simply ends.
    core.journal.append('agent.stopped', { signal });
    core.journal.close();
    disarm();
    logger.info('room-agent stopped');
    return ExitCode.Ok;
  } finally {
    notifier.close();
    stopSignal.dispose();
    removeFaultHandlers();
  }
}
