import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';
import { AgentError, ErrorCode } from '../errors.js';

/** Held for the life of the process that owns a data directory (journal, key, override files). */
export interface InstanceLock {
  /** The abstract socket name, without its leading NUL byte (as `ss -xl` shows it, after '@'). */
  readonly name: string;
  release(): Promise<void>;
}

/**
 * Takes the one lock on `dataDir` that a daemon (or a CLI command working on the journal without
 * a daemon) holds while it runs; undefined when another process holds it.
 *
 * Node has no flock(2). A Linux abstract unix socket does the same job without a race: binding
 * its name fails with EADDRINUSE while any process holds it, and the kernel frees the name the
 * moment that process dies, however it dies, so no stale lock file ever needs cleaning up (a
 * probe-then-unlink of a socket file could delete a live daemon's socket). The name comes from
 * the data directory's real path, so two spellings of one directory share the lock. Abstract
 * names have no permissions: any local user could squat the name and keep the daemon from
 * starting, which on a single-purpose device means a local root-equivalent already.
 */
export async function acquireInstanceLock(dataDir: string): Promise<InstanceLock | undefined> {
  try {
    const name = instanceLockName(dataDir);
    const server = createServer((socket) => socket.destroy());
    if (!(await bind(server, name))) return undefined;
    // The lock must not keep an otherwise finished process alive.
    server.unref();
    return { name, release: () => close(server) };
  } catch (error) {
    throw new AgentError(
      ErrorCode.Internal,
      `cannot take the instance lock of ${dataDir}: ${(error as Error).message}`,
      { dataDir },
      { cause: error },
    );
  }
}

/** False when another process holds the name. */
function bind(server: Server, name: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' ? resolve(false) : reject(error),
    );
    server.listen(`\0${name}`, () => resolve(true));
  });
}

/** The lock's abstract socket name for `dataDir` (`ss -xlp | grep room-agent` shows who holds it). */
export function instanceLockName(dataDir: string): string {
  return `room-agent:${createHash('sha256').update(canonicalPath(dataDir)).digest('hex').slice(0, 32)}`;
}

/**
 * The real path of `path`, also before the directory exists (the daemon's first start creates it
 * after taking the lock): the real path of the nearest existing ancestor plus the rest. The lock
 * itself creates nothing, so a CLI command pointed at a mistyped directory leaves no trace.
 */
function canonicalPath(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch (error) {
    const parent = dirname(absolute);
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === absolute) throw error;
    return join(canonicalPath(parent), basename(absolute));
  }
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
