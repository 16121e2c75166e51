/**
 * A real Mosquitto on loopback in its own temp directory, for the tests and the sync benchmarks:
 * benchmarks may import test helpers, while tests never import scripts/. Imports only node:* and
 * src/demo/ports.ts (itself only node:*), so the benchmarks' build compiles nothing else.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from '../../src/demo/ports.js';

export { freePort } from '../../src/demo/ports.js';

/** Debian installs the broker in /usr/sbin, which is not on every user's PATH. */
export const MOSQUITTO_BIN =
  ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((path) => existsSync(path)) ?? 'mosquitto';

/** The broker's log is kept for diagnosis, but only its tail: a fleet of rooms logs a lot. */
const LOG_TAIL_CHARS = 256 * 1024;

export interface MosquittoOptions {
  /** max_inflight_messages: advertised to MQTT 5 clients as Receive Maximum. Default 20. */
  maxInflight?: number;
  /** Lines appended to the config (an acl_file, a password_file…). */
  extraConfig?: string[];
  /** Default true: sessions and retained messages survive restart(). */
  persistence?: boolean;
}

export interface Mosquitto {
  readonly port: number;
  /** mqtt://127.0.0.1:<port> */
  readonly url: string;
  readonly dir: string;
  /** The tail of what the broker logged (it logs to stderr), for diagnosing a failure. */
  log(): string;
  /** SIGTERM, wait, and remove the directory: the end of a test. */
  stop(): Promise<void>;
  /** SIGTERM and wait, keeping the directory: mosquitto writes its persistence file on a clean stop. */
  pause(): Promise<void>;
  /** SIGKILL: no persistence written since the last autosave. */
  kill(): Promise<void>;
  /** Starts again on the same port with the same config and persistence directory. */
  start(): Promise<void>;
  restart(): Promise<void>;
}

/** Starts the broker; call stop() when done (it removes the directory). */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'mosquitto-'));
  const port = await freePort();
  mkdirSync(join(dir, 'data'), { recursive: true });
  const configFile = join(dir, 'mosquitto.conf');
  writeFileSync(
    configFile,
    [
      // Started as root, mosquitto drops to the "mosquitto" user and then cannot write its
      // persistence file nor read an acl_file in this root-only temp directory.
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      `persistence ${options.persistence === false ? 'false' : 'true'}`,
      `persistence_location ${join(dir, 'data')}/`,
      `max_inflight_messages ${options.maxInflight ?? 20}`,
      'max_queued_messages 100000',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'log_type notice',
      'log_type information',
      ...(options.extraConfig ?? []),
      '',
    ].join('\n'),
  );
  let child: ChildProcess | undefined;
  let output = '';
  const record = (chunk: Buffer): void => {
    output += chunk.toString();
    if (output.length > 2 * LOG_TAIL_CHARS) output = output.slice(-LOG_TAIL_CHARS);
  };
  const launch = async (): Promise<void> => {
    const started = spawn(MOSQUITTO_BIN, ['-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    started.stdout?.on('data', record);
    started.stderr?.on('data', record);
    await waitForPort(port, 10_000, 'mosquitto', () => started.exitCode !== null || started.signalCode !== null);
  };
  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(signal);
    await exited;
  };
  try {
    await launch();
  } catch (error) {
    await halt('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    dir,
    log: () => output.slice(-LOG_TAIL_CHARS),
    async stop() {
      await halt('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    pause: () => halt('SIGTERM'),
    kill: () => halt('SIGKILL'),
    start: launch,
    async restart() {
      await halt('SIGTERM');
      await launch();
    },
  };
}
