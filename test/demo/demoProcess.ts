import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { cliEnv, CLI_PATH, REPO_ROOT } from '../helpers/cli.js';

export interface DemoProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `room-agent demo` (or any command line given) the way a person would, in English. */
export function spawnDemo(command: string, args: string[], cwd = REPO_ROOT): DemoProcess {
  const child = spawn(command, args, { cwd, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

export function startDemo(args: string[]): DemoProcess {
  return spawnDemo(process.execPath, [CLI_PATH, 'demo', ...args]);
}

/** Resolves once `condition` holds, polling; rejects with `what` after timeoutMs. */
export async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The demo's children by name, from its pid files (present while they run). */
export function childPids(dir: string): Map<string, number> {
  const run = join(dir, 'run');
  if (!existsSync(run)) return new Map();
  return new Map(
    readdirSync(run)
      .filter((file) => file.endsWith('.pid'))
      .map((file) => [file.slice(0, -4), Number(readFileSync(join(run, file), 'utf8').split('\n')[0])]),
  );
}

/** Every process whose command line names `dir`: what a stopped demo must not leave behind. */
export function processesNaming(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let commandLine: string;
    try {
      commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue;
    }
    if (commandLine.includes(dir)) found.push(`${entry}: ${commandLine}`);
  }
  return found;
}

/** True while a process with this pid exists (a zombie counts: it is not reaped yet). */
export function alive(pid: number): boolean {
  return existsSync(`/proc/${pid}`);
}

/** What the demo leaves in its folder that only a running demo may have: sockets, the pty link, pid files. */
export function runtimeLeftovers(dir: string): string[] {
  const paths = [join(dir, 'agent', 'control.sock'), join(dir, 'agent', 'emulator.tty')];
  const run = join(dir, 'run');
  if (existsSync(run)) paths.push(...readdirSync(run).map((file) => join(run, file)));
  return paths.filter((path) => existsSync(path));
}

export interface StoredEvent {
  seq: number;
  type: string;
  hash: string;
  payload: Record<string, unknown>;
  wallMs: number;
}

/** The events of a journal or of the center's database, in seq order (both tables share these columns). */
export function readEvents(file: string): StoredEvent[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare('SELECT seq, type, hash, payload, wall_ms AS wallMs FROM events ORDER BY seq')
      .all() as Array<Omit<StoredEvent, 'payload'> & { payload: string }>;
    return rows.map((row) => ({ ...row, payload: JSON.parse(row.payload) as Record<string, unknown> }));
  } finally {
    db.close();
  }
}

/** One JSON line per story step, as the demo wrote them. */
export function storySteps(dir: string): Array<{ wallMs: number; step: string; round: number }> {
  return readFileSync(join(dir, 'story.log'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { wallMs: number; step: string; round: number });
}

/**
 * The center's stored events against the demo's journal after a --duration run: the same entries
 * and the same head hash, but for what the agent journals after its link closed: a push it ends
 * on the way out (`camera.state`, when the run ended during an activity) and `agent.stopped`.
 */
export function expectCenterHoldsJournal(dir: string): { journal: StoredEvent[]; center: StoredEvent[] } {
  const journal = readEvents(join(dir, 'agent', 'journal.sqlite'));
  const center = readEvents(join(dir, 'center', 'center.sqlite'));
  expect(journal.at(-1)?.type).toBe('agent.stopped');
  const synced = journal.slice(0, center.length);
  expect(center.length).toBeLessThan(journal.length);
  for (const event of journal.slice(center.length, -1)) expect(event.type, `seq ${event.seq}`).toBe('camera.state');
  expect(center.map((event) => event.seq)).toEqual(synced.map((event) => event.seq));
  expect(center.at(-1)?.hash).toBe(synced.at(-1)?.hash);
  return { journal, center };
}

/** Sign-ins, accepted or manual, as both sides store them. */
export function signIns(events: readonly StoredEvent[]): StoredEvent[] {
  return events.filter((event) => event.type === 'signin.accepted' || event.type === 'signin.manual');
}
