/**
 * What processes cost, from /proc: a process tree (a daemon and the ffmpeg it runs), resident
 * memory, CPU time over a window.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpuSeconds } from '../../src/demo/rigProcess.js';

function parentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** `root` and every process below it (the daemon's ffmpeg and ffprobe runs). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const parent = parentPid(Number(name));
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), Number(name)]);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

export function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB$/m);
  if (line === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(line[1]) / 1024;
}

/**
 * CPU seconds `pids` used over `windowMs`, each process's utime + stime from /proc. A process that
 * ends inside the window takes its CPU time with it, so the window must see the same processes
 * throughout: a push restarted mid-window is an error, not a cheap window.
 */
export async function cpuOverWindow(pids: readonly number[], windowMs: number): Promise<Map<number, number>> {
  const before = new Map(pids.map((pid) => [pid, cpuSeconds(pid)]));
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const used = new Map<number, number>();
  for (const [pid, seconds] of before) {
    let after: number;
    try {
      after = cpuSeconds(pid);
    } catch {
      throw new Error(`process ${pid} ended inside the CPU window`);
    }
    used.set(pid, after - seconds);
  }
  return used;
}
