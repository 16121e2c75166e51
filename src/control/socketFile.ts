import { lstatSync, unlinkSync } from 'node:fs';
import { createConnection } from 'node:net';
import { AgentError, ErrorCode } from '../errors.js';

const PROBE_TIMEOUT_MS = 1_000;

/**
 * Whether a daemon answers on the socket path: 'stale' is a leftover file nobody listens on.
 * Only ECONNREFUSED proves that: EAGAIN is a listener with a full backlog, and EACCES or anything
 * else says nothing about a listener, so the file is never removed on those.
 */
export async function probeSocket(path: string): Promise<'answering' | 'stale' | 'absent'> {
  const stats = lstatSync(path, { throwIfNoEntry: false });
  if (stats === undefined) return 'absent';
  if (!stats.isSocket()) {
    throw new AgentError(
      ErrorCode.ControlUnavailable,
      `${path} exists and is not a socket; remove it or set device.controlSocket to another path`,
      { path },
    );
  }
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    // A listener too busy to accept within the timeout is still a listener.
    socket.setTimeout(PROBE_TIMEOUT_MS, () => finish('answering'));
    socket.once('connect', () => finish('answering'));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') finish('stale');
      else if (error.code === 'ENOENT') finish('absent');
      else if (error.code === 'EAGAIN') finish('answering');
      else {
        socket.destroy();
        reject(
          new AgentError(
            ErrorCode.ControlUnavailable,
            `cannot tell whether a daemon listens on ${path} (${error.code ?? error.message}); check the file's permissions or set device.controlSocket to another path`,
            { path, errno: error.code },
            { cause: error },
          ),
        );
      }
    });
    function finish(state: 'answering' | 'stale' | 'absent'): void {
      socket.destroy();
      resolve(state);
    }
  });
}

/**
 * Fails when another daemon answers on the socket path (two daemons whose device.controlSocket
 * names the same file); removes a stale socket file so listen() can bind. Which daemon owns the
 * data directory is settled before this, by the instance lock.
 */
export async function claimSocketPath(path: string): Promise<void> {
  const state = await probeSocket(path);
  if (state === 'answering') {
    throw new AgentError(
      ErrorCode.DaemonAlreadyRunning,
      `another room-agent daemon is answering on ${path}; stop it first (systemctl stop room-agent)`,
      { path },
    );
  }
  if (state === 'stale') unlinkSync(path);
}
