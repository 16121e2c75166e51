import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SystemClock } from '../../src/clock/systemClock.js';
import { TimesyncdFlagSource } from '../../src/clock/timesyncd.js';
import { callDaemon } from '../../src/control/client.js';
import { Journal, type JournalAccess } from '../../src/journal/journal.js';
import { createSilentLogger } from '../../src/log.js';
import { spawnCli } from '../helpers/cli.js';

/**
 * A minimal valid configuration with its data under `dir`. `sections` is appended YAML;
 * `deviceKeys` are extra `key: value` lines of the device section. Without a scanner section
 * the scanner is off: the default driver needs a device path no test machine has.
 */
export function writeConfig(
  dir: string,
  sections = '',
  deviceKeys: string[] = [],
  countyUrl = 'mqtt://127.0.0.1:1883',
): { configPath: string; dataDir: string; socketPath: string } {
  const dataDir = join(dir, 'data');
  const configPath = join(dir, 'config.yaml');
  const scanner = /^scanner:/m.test(sections) ? '' : 'scanner:\n  driver: none\n';
  writeFileSync(
    configPath,
    `version: 1\ndevice:\n  id: test-room\n  dataDir: ${dataDir}\n${deviceKeys.map((line) => `  ${line}\n`).join('')}` +
      `county:\n  url: ${countyUrl}\nlog:\n  format: json\n${scanner}${sections}`,
  );
  return { configPath, dataDir, socketPath: join(dataDir, 'control.sock') };
}

export interface DaemonProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends the signal; resolves with the exit and how long it took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

export function startDaemon(configPath: string, env: NodeJS.ProcessEnv = {}): DaemonProcess {
  const child = spawnCli(['run', '--config', configPath], { env });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async stop(signal = 'SIGTERM') {
      const sent = performance.now();
      child.kill(signal);
      const result = await exited;
      return { ...result, ms: performance.now() - sent };
    },
  };
}

/**
 * Polls the control socket until the daemon answers `status`; fails at once when the daemon exits,
 * and after timeoutMs when it never listens. That bound only catches a hung start, so it is wide:
 * a daemon that takes 3 s on a machine busy with other builds has taken over 15 s with both
 * cores spinning as well.
 */
export async function waitForControl(socketPath: string, daemon: DaemonProcess, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await callDaemon(socketPath, 'status', {}, { timeoutMs: 2_000 });
      return;
    } catch (error) {
      if (daemon.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(
          `daemon not answering on ${socketPath}: ${(error as Error).message}\nstdout:\n${daemon.stdout()}\nstderr:\n${daemon.stderr()}`,
          { cause: error },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * Opens a journal the way the agent does, for assertions after the daemon stopped; 'create' makes
 * the journal as a daemon's first start would (standalone CLI commands never create it).
 */
export function openJournal(dataDir: string, access: JournalAccess = 'write'): Journal {
  return Journal.open({
    dataDir,
    access,
    clock: new SystemClock(new TimesyncdFlagSource(join(dataDir, 'no-such-flag'))),
    logger: createSilentLogger(),
  });
}

/** The pino JSON lines a daemon wrote to stdout. */
export function logLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
