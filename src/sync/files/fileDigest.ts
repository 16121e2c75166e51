import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { fileProblem } from '../../util/fileProblem.js';
import { AgentError, ErrorCode } from '../../errors.js';
import { fileMessages as t } from './messages.js';

/** Hashing reads this much at a time: bounded memory for a recording of any length. */
const READ_CHUNK_BYTES = 256 * 1024;

export interface FileDigest {
  size: number;
  sha256: string;
}

/**
 * The errors below carry `detail`, an English phrase for the journal and the log (their message
 * is in the technician's language); the uploader records it as the reason a file failed.
 */
function unreadable(path: string, error: unknown): AgentError {
  const errno = (error as NodeJS.ErrnoException).code ?? 'error';
  return new AgentError(
    ErrorCode.FileUnreadable,
    t('unreadable', { file: path, reason: fileProblem(error, 'read') }),
    { path, detail: `cannot read the file (${errno})` },
    { cause: error },
  );
}

function changed(path: string, detail: string): AgentError {
  return new AgentError(ErrorCode.FileChanged, t('changedWhileReading', { file: path }), { path, detail });
}

/**
 * Opens a regular file for reading. O_NONBLOCK keeps a named pipe from blocking the open until a
 * writer appears (it changes nothing for a regular file); the type is checked on the open handle.
 */
async function openRegularFile(path: string): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw unreadable(path, error);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile())
      throw new AgentError(ErrorCode.FileNotRegular, t('notRegular', { file: path }), {
        path,
        detail: 'not a regular file',
      });
    return { handle, size: stats.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Reads exactly `length` bytes at `position`; fewer means the file shrank under us. */
async function readExactly(handle: FileHandle, path: string, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(buffer, filled, length - filled, position + filled));
    } catch (error) {
      throw unreadable(path, error);
    }
    if (bytesRead === 0)
      throw changed(path, `the file ended at ${position + filled} bytes, before ${position + length}`);
    filled += bytesRead;
  }
  return buffer;
}

/**
 * Size and SHA-256 of a file, streamed. Throws FileUnreadable, FileNotRegular, or FileChanged when
 * its size moved while it was read (a recording still being written).
 */
export async function digestFile(path: string): Promise<FileDigest> {
  const { handle, size } = await openRegularFile(path);
  try {
    const hash = createHash('sha256');
    for (let position = 0; position < size; position += READ_CHUNK_BYTES) {
      hash.update(await readExactly(handle, path, position, Math.min(READ_CHUNK_BYTES, size - position)));
    }
    const after = (await handle.stat()).size;
    if (after !== size) throw changed(path, `its size went from ${size} to ${after} bytes while it was read`);
    return { size, sha256: hash.digest('hex') };
  } finally {
    await handle.close();
  }
}

/**
 * One segment of a queued file, read by path each time: a file deleted or replaced since it was
 * queued is noticed (a descriptor held open would keep reading the old one). Throws as digestFile
 * does, and FileChanged when the size is no longer the one queued.
 */
export async function readSegment(path: string, queuedSize: number, offset: number, length: number): Promise<Buffer> {
  const { handle, size } = await openRegularFile(path);
  try {
    if (size !== queuedSize) throw changed(path, `its size is ${size} bytes, ${queuedSize} when it was queued`);
    return await readExactly(handle, path, offset, length);
  } finally {
    await handle.close();
  }
}

/**
 * The SHA-256 of the bytes an upload read, kept as they are read in order, so the checksum can be
 * compared with the queued one before `fin` without reading the file again. Reads that do not
 * continue it (a resend, or a resume from the middle in a new process) are skipped.
 */
export class RunningDigest {
  private hash = createHash('sha256');
  private position = 0;

  add(offset: number, bytes: Buffer): void {
    if (offset !== this.position) return;
    this.hash.update(bytes);
    this.position += bytes.length;
  }

  /** The SHA-256 when exactly `size` bytes went through, else undefined (the caller hashes the file). */
  digestOf(size: number): string | undefined {
    return this.position === size ? this.hash.copy().digest('hex') : undefined;
  }
}
