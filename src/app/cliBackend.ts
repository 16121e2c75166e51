import { setTimeout as sleep } from 'node:timers/promises';
import type { InspectedConfig } from '../config/load.js';
import { callDaemon, type CallOptions } from '../control/client.js';
import { acquireInstanceLock } from '../daemon/instanceLock.js';
import { AgentError, ErrorCode, isAgentError } from '../errors.js';
import { defineMessages } from '../i18n.js';
import { readOnlyMount } from '../store/storageError.js';
import { controlSocketPath } from './controlSocket.js';

/**
 * Methods that only read: standalone, they open the journal read-only, so that a status check
 * (often run as root, sometimes against a mistyped data directory) never creates, migrates or
 * rewrites anything. Every other method opens it read-write, and none ever creates it.
 */
const READ_ONLY_METHODS: ReadonlySet<string> = new Set([
  'status',
  'activity.current',
  'activity.list',
  'plan.list',
  'members.list',
  'scanner.backup',
  'files.list',
]);

/**
 * How long a held instance lock is waited for: a daemon that is starting holds it before its
 * control socket listens, and another standalone command holds it for milliseconds.
 */
const LOCK_PATIENCE_MS = 3000;
const RETRY_MS = 100;

const t = defineMessages({
  notAnswering: {
    zh: '守护进程正在运行，但其控制套接字 {path} 没有应答；请查看 journalctl -u room-agent',
    en: 'the daemon is running but its control socket {path} does not answer; see journalctl -u room-agent',
  },
});

/**
 * Runs a control method for a CLI command: through the running daemon (it owns the journal and
 * the devices), or, when no daemon listens, in this process against the journal directly, with
 * the same validation and the same result. Standalone work holds the daemon's instance lock, so
 * a daemon cannot start writing the journal meanwhile, and a daemon that holds the lock without
 * answering is reported rather than written around.
 */
export async function requestControl(
  loaded: InspectedConfig,
  method: string,
  params: unknown,
  options: CallOptions = {},
): Promise<unknown> {
  const socketPath = controlSocketPath(loaded.config);
  const deadline = Date.now() + LOCK_PATIENCE_MS;
  for (;;) {
    try {
      return await callDaemon(socketPath, method, params, options);
    } catch (error) {
      // Unavailable means the request never reached a daemon, so asking again cannot repeat it.
      if (!isAgentError(error, ErrorCode.ControlUnavailable)) throw error;
    }
    const lock = await acquireInstanceLock(loaded.config.device.dataDir);
    if (lock !== undefined) {
      try {
        return await runStandalone(loaded, method, params, options);
      } finally {
        await lock.release();
      }
    }
    // A daemon on a read-only card cannot create its socket there, and writes nothing a reader could trip over.
    if (READ_ONLY_METHODS.has(method) && readOnlyMount(loaded.config.device.dataDir))
      return runStandalone(loaded, method, params, options);
    if (Date.now() >= deadline)
      throw new AgentError(ErrorCode.ControlUnavailable, t('notAnswering', { path: socketPath }), { socketPath });
    await sleep(RETRY_MS);
  }
}

/**
 * Runs a method in this process and refuses when a daemon runs, for work the daemon cannot do
 * for the CLI (reading a file in the technician's home, which its sandbox hides). `params` is
 * built once the daemon is known to be stopped, so that is the first thing a technician hears.
 */
export async function requestStandalone(
  loaded: InspectedConfig,
  method: string,
  params: () => unknown,
  daemonRunning: string,
  options: CallOptions = {},
): Promise<unknown> {
  const lock = await acquireInstanceLock(loaded.config.device.dataDir);
  if (lock === undefined)
    throw new AgentError(ErrorCode.DaemonAlreadyRunning, daemonRunning, { dataDir: loaded.config.device.dataDir });
  try {
    return await runStandalone(loaded, method, params(), options);
  } finally {
    await lock.release();
  }
}

/**
 * The journal, the scanner and the methods, opened in this process: loaded only when no daemon
 * answers, so that a command the daemon serves does not load them (a few hundred milliseconds).
 */
async function runStandalone(
  loaded: InspectedConfig,
  method: string,
  params: unknown,
  options: CallOptions,
): Promise<unknown> {
  const { runMethod } = await import('./standalone.js');
  return runMethod(loaded, method, params, READ_ONLY_METHODS.has(method) ? 'read' : 'write', options.onProgress);
}
