import { spawn } from 'node:child_process';
import type { Logger } from '../log.js';

/**
 * The sd_notify(3) protocol: newline-separated KEY=value lines in one datagram to NOTIFY_SOCKET.
 * Without NOTIFY_SOCKET every call is a no-op, so the daemon runs the same outside systemd.
 * The datagram must come from the main pid (the unit uses NotifyAccess=main), which is why the
 * unit starts node directly and never through npm.
 */
export interface Notifier {
  /** READY=1 with a STATUS= line: the local services run. */
  ready(status: string): void;
  status(text: string): void;
  /** First thing on shutdown, so systemd shows "deactivating" and does not count it a crash. */
  stopping(): void;
  watchdog(): void;
  close(): void;
}

interface NotifyTransport {
  send(message: string): void;
  close(): void;
}

/**
 * unix-dgram copies the address with strncpy, so an abstract address (leading NUL byte) cannot be
 * expressed through it. Abstract sockets ('@' in NOTIFY_SOCKET, used by older systemd and some
 * container managers) go through systemd-notify instead, which needs NotifyAccess=all because the
 * datagram then comes from a child process.
 */
function abstractSocketTransport(socket: string, logger: Logger): NotifyTransport {
  logger.warn(
    { notifySocket: socket },
    'NOTIFY_SOCKET is abstract: notifying through systemd-notify (needs NotifyAccess=all)',
  );
  return {
    send(message) {
      const child = spawn('systemd-notify', message.split('\n'), {
        stdio: 'ignore',
        env: { ...process.env, NOTIFY_SOCKET: socket },
      });
      child.on('error', (error) => logger.warn({ err: error }, 'systemd-notify could not be run'));
      // A receiver that does not answer systemd-notify's barrier makes it exit non-zero after
      // the message was delivered; only the log says so.
      child.on('exit', (code) => code !== 0 && logger.debug({ code, message }, 'systemd-notify exited non-zero'));
    },
    close() {},
  };
}

async function datagramTransport(socket: string, logger: Logger): Promise<NotifyTransport> {
  const { createSocket } = await import('unix-dgram');
  const dgram = createSocket('unix_dgram');
  let failing = false;
  dgram.on('error', (error: Error) => logger.warn({ err: error }, 'sd_notify socket error'));
  return {
    send(message) {
      const buffer = Buffer.from(message);
      dgram.send(buffer, 0, buffer.length, socket, (error) => {
        // Log the first failure of a run of failures only: the watchdog sends every few seconds.
        if (error !== undefined && !failing)
          logger.warn({ err: error, notifySocket: socket }, 'sd_notify message not delivered');
        failing = error !== undefined;
      });
    },
    close() {
      dgram.close();
    },
  };
}

class SocketNotifier implements Notifier {
  constructor(private readonly transport: NotifyTransport) {}

  ready(status: string): void {
    this.transport.send(`READY=1\nSTATUS=${oneLine(status)}`);
  }

  status(text: string): void {
    this.transport.send(`STATUS=${oneLine(text)}`);
  }

  stopping(): void {
    this.transport.send('STOPPING=1\nSTATUS=stopping');
  }

  watchdog(): void {
    this.transport.send('WATCHDOG=1');
  }

  close(): void {
    this.transport.close();
  }
}

const silentNotifier: Notifier = {
  ready() {},
  status() {},
  stopping() {},
  watchdog() {},
  close() {},
};

/** A newline inside STATUS= would start a new KEY=value line. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

export async function createNotifier(env: NodeJS.ProcessEnv, logger: Logger): Promise<Notifier> {
  const socket = env.NOTIFY_SOCKET;
  if (socket === undefined || socket === '') return silentNotifier;
  const transport = socket.startsWith('@')
    ? abstractSocketTransport(socket, logger)
    : await datagramTransport(socket, logger);
  return new SocketNotifier(transport);
}

/**
 * Half of WATCHDOG_USEC, as sd_watchdog_enabled(3) recommends; undefined when systemd did not
 * ask for pings, or asked another process (WATCHDOG_PID names a pid other than ours).
 */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv, pid: number, logger: Logger): number | undefined {
  if (env.WATCHDOG_USEC === undefined || env.NOTIFY_SOCKET === undefined) return undefined;
  if (env.WATCHDOG_PID !== undefined && Number(env.WATCHDOG_PID) !== pid) return undefined;
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isSafeInteger(usec) || usec <= 0) {
    logger.warn(
      { watchdogUsec: env.WATCHDOG_USEC },
      'WATCHDOG_USEC is not a positive whole number; watchdog pings disabled',
    );
    return undefined;
  }
  return Math.max(1, Math.floor(usec / 2000));
}
