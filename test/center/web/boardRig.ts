import { join } from 'node:path';
import { REPO_ROOT, spawnCli } from '../../helpers/cli.js';

export { launchChromium } from '../../helpers/chromium.js';

/** Screenshots the browser tests keep (ignored by git). */
export const BOARD_ARTIFACTS = join(REPO_ROOT, 'test-artifacts');

export interface BoardCenter {
  /** The board's address as the center printed it. */
  url: string;
  dbFile: string;
  output: { stdout: string; stderr: string };
  stop(): Promise<number | null>;
}

/** `room-agent center … --http …` as a child process, resolved once it printed the board's address. */
export async function spawnBoardCenter(
  brokerUrl: string,
  dbFile: string,
  flags: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<BoardCenter> {
  const child = spawnCli(['center', '--broker', brokerUrl, '--db', dbFile, '--no-view', ...flags], { env });
  const output = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no board address within 20 s: ${output.stderr}`)), 20_000);
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      output.stderr += chunk;
      const match = /county board: (http:\/\/\S+)/.exec(output.stderr);
      if (match === null) return;
      clearTimeout(timer);
      resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`the center exited (${code}) before serving: ${output.stderr}`)));
  });
  return { url, dbFile, output, stop: () => (child.kill('SIGTERM'), exited) };
}
