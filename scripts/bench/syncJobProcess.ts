/**
 * Child-process entry of the sync benchmarks: runs the job the parent sends (syncJobs.ts) and
 * reports what it measured, with the process's peak RSS, CPU time once the job was ready, and the bytes its TCP client
 * sockets moved (counted through the 'net.client.socket' diagnostics channel, so neither mqtt.js
 * nor the link is touched and no proxy sits in the path).
 */
import { subscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { runJob, type ChildReport, type ChildRequest } from './syncJobs.js';

function report(message: ChildReport): void {
  process.send?.(message);
}

const open = new Set<Socket>();
const closed = { bytesUp: 0, bytesDown: 0 };
subscribe('net.client.socket', (message) => {
  const socket = (message as { socket: Socket }).socket;
  open.add(socket);
  socket.once('close', () => {
    open.delete(socket);
    closed.bytesUp += socket.bytesWritten;
    closed.bytesDown += socket.bytesRead;
  });
});

function wire(): { bytesUp: number; bytesDown: number } {
  let { bytesUp, bytesDown } = closed;
  for (const socket of open) {
    bytesUp += socket.bytesWritten;
    bytesDown += socket.bytesRead;
  }
  return { bytesUp, bytesDown };
}

let requestFinish: () => void = () => undefined;
const finishRequested = new Promise<void>((resolve) => (requestFinish = resolve));

process.on('message', (request: ChildRequest) => {
  if (request.type === 'finish') {
    requestFinish();
    return;
  }
  // CPU time counts from the job being ready: opening journals and connecting are setup.
  let cpuBefore = process.cpuUsage();
  const ready = (): void => {
    cpuBefore = process.cpuUsage();
    report({ type: 'ready' });
  };
  runJob(request.job, { ready, progress: (text) => report({ type: 'progress', text }), finishRequested })
    .then((result) => {
      const cpu = process.cpuUsage(cpuBefore);
      report({
        type: 'result',
        result: {
          ...(result as object),
          maxRssBytes: process.resourceUsage().maxRSS * 1024,
          cpuMs: (cpu.user + cpu.system) / 1000,
          wire: wire(),
        },
      });
    })
    .catch((error: unknown) =>
      report({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    )
    // The parent has the report; leave without waiting for sockets a job may have left behind.
    .finally(() => process.disconnect());
});
// Without a parent (it died or the channel closed) there is nobody to report to.
process.on('disconnect', () => process.exit(0));
