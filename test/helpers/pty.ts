import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cliEnv, CLI_PATH, REPO_ROOT } from './cli.js';

const RELAY = fileURLToPath(new URL('./ptyRelay.py', import.meta.url));

/** The CLI on a real pseudo-terminal (python3's pty module), typed at like a technician would. */
export interface PtySession {
  /** Everything the terminal showed so far (echo included, CR LF as the terminal writes it), cursor movements left out. */
  output(): string;
  /** Waits until the output after `from` matches; fails with the output so far after timeoutMs. */
  waitFor(pattern: RegExp, timeoutMs?: number, from?: number): Promise<void>;
  /** Types a line (Enter included). */
  type(line: string): void;
  exited: Promise<number | null>;
  kill(): void;
}

export function spawnCliInPty(args: string[], env: NodeJS.ProcessEnv = {}): PtySession {
  const child = spawn('python3', [RELAY, process.execPath, CLI_PATH, ...args], {
    cwd: REPO_ROOT,
    env: cliEnv(env),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    // readline moves the cursor around its prompt (CSI sequences); what the technician reads is the text.
    // eslint-disable-next-line no-control-regex
    output += chunk.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    for (const listener of listeners) listener();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    output: () => output,
    waitFor(pattern, timeoutMs = 30_000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!pattern.test(output.slice(from))) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no ${String(pattern)} on the terminal within ${timeoutMs} ms; it showed:\n${output}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    type(line) {
      child.stdin.write(`${line}\r`);
    },
    exited,
    kill: () => child.kill('SIGKILL'),
  };
}
