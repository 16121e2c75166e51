import { lstatSync, unlinkSync } from 'node:fs';
import { createConnection } from 'node:net';
import { AgentError, ErrorCode } from '../errors.js';

const PROBE_TIMEOUT_MS = 1_000;

/** Whether a daemon answers on the socket path: 'stale' is a leftover file nobody listens on. */
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
  return await new Promise((resolve) => {
    const socket = createConnection(path);
    // A listener too busy to accept within the timeout is still a listener.
    socket.setTimeout(PROBE_TIMEOUT_MS, () => finish('answering'));
    socket.once('connect', () => finish('answering'));
    socket.once('error', (error: NodeJS.ErrnoException) => finish(error.code === 'ENOENT' ? 'absent' : 'stale'));
    function finish(state: 'answering' | 'stale' | 'absent'): void {
      socket.destroy();
      resolve(state);
    }
  });
}

/** Two daemons on one journal would interleave their work: throws DaemonAlreadyRunning. */
export async function refuseSecondDaemon(path: string): Promise<'stale' | 'absent'> {
  const state = await probeSocket(path);
  if (state === 'answering') {
    throw new AgentError(
      ErrorCode.DaemonAlreadyRunning,
      `another room-agent daemon is answering on ${path}; stop it first (systemctl stop room-agent)`,
      { path },
    );
  }
  return state;
}

/** Fails when another daemon owns the socket; removes a stale socket file so listen() can bind. */
export async function claimSocketPath(path: string): Promise<void> {
  if ((await refuseSecondDaemon(path)) === 'stale') unlinkSync(path);
}
