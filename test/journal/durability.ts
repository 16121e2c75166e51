import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const APPENDER = fileURLToPath(new URL('./fixtures/appender.mjs', import.meta.url));

/** Collects the complete lines a child prints; `onLine` sees each as it arrives. */
export function collectLines(child: ChildProcess, onLine: (line: string) => void = () => {}): Promise<string[]> {
  const lines: string[] = [];
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      onLine(line);
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => resolve(lines));
  });
}

/** `node appender.mjs …`, or `<wrapper…> node appender.mjs …` (e.g. under strace). */
export function spawnAppender(
  args: string[],
  options: { wrapper?: string[]; env?: NodeJS.ProcessEnv } = {},
): ChildProcess {
  const command = [...(options.wrapper ?? []), process.execPath, APPENDER, ...args];
  return spawn(command[0]!, command.slice(1), {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...options.env },
  });
}
