import { existsSync, readFileSync, renameSync } from 'node:fs';
import { open, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { receivedFileInitSchema, type ReceivedFileInit } from '../../sync/protocol/messages.js';
import { removeFileDurably, writeFileAtomic } from '../../util/atomicWrite.js';
import { fsyncDirectory, mkdirDurable } from '../../util/durableDir.js';
import { safeFileName } from './safeName.js';

/**
 * `<fileId>.json` next to the `.part`: the init the room sent and how many bytes of the `.part`
 * are held contiguously (only those are ever acknowledged). `complete` keeps the name the file
 * was stored under, so a repeated init or fin is answered without storing it twice; `failed` is a
 * tombstone: segments still in flight after a refusal are not answered (the room already starts over).
 */
const sidecarSchema = z.strictObject({
  v: z.literal(1),
  init: receivedFileInitSchema,
  contiguous: z.number().int().min(0),
  state: z.enum(['receiving', 'complete', 'failed']),
  storedAs: z.string().optional(),
  error: z.string().optional(),
});
export type Sidecar = z.infer<typeof sidecarSchema>;

const FILE_MODE = 0o640;
const DIRECTORY_MODE = 0o750;

/** Why a sidecar could not be read; the caller logs it and treats the file as unknown. */
export class SidecarUnreadable extends Error {}

/**
 * The on-disk state of one file from one room: `<dir>/<deviceId>/<fileId>.part` and `.json`.
 * Every write is fsync'd before it returns, so an acknowledgement never claims bytes a power
 * cut could take back. The caller has checked deviceId and fileId against their patterns.
 */
export class TransferFiles {
  readonly directory: string;
  private readonly part: string;
  private readonly sidecar: string;

  constructor(
    root: string,
    deviceId: string,
    readonly fileId: string,
  ) {
    this.directory = join(root, deviceId);
    this.part = join(this.directory, `${fileId}.part`);
    this.sidecar = join(this.directory, `${fileId}.json`);
  }

  /**
   * The sidecar, with a receiving transfer's `.part` brought in line with it: bytes beyond the
   * recorded contiguous offset (a write cut before the sidecar recorded it) are cut off, and a
   * `.part` shorter than recorded lowers the offset. Undefined when nothing is known of the file.
   */
  async load(): Promise<Sidecar | undefined> {
    if (!existsSync(this.sidecar)) return undefined;
    let sidecar: Sidecar;
    try {
      sidecar = sidecarSchema.parse(JSON.parse(readFileSync(this.sidecar, 'utf8')));
    } catch (error) {
      throw new SidecarUnreadable(`${this.sidecar}: ${(error as Error).message}`);
    }
    if (sidecar.state !== 'receiving') return sidecar;
    const held = await stat(this.part).then(
      (stats) => stats.size,
      () => 0,
    );
    if (held > sidecar.contiguous) await truncate(this.part, sidecar.contiguous);
    if (held < sidecar.contiguous) this.save({ ...sidecar, contiguous: held });
    return { ...sidecar, contiguous: Math.min(held, sidecar.contiguous) };
  }

  /** A new transfer: an empty `.part` and a sidecar at offset 0. */
  async begin(init: ReceivedFileInit): Promise<Sidecar> {
    mkdirDurable(this.directory, DIRECTORY_MODE);
    const handle = await open(this.part, 'w', FILE_MODE);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    const sidecar: Sidecar = { v: 1, init, contiguous: 0, state: 'receiving' };
    this.save(sidecar);
    return sidecar;
  }

  /** Writes a segment at the contiguous end, fsyncs it, then records the new offset. */
  async append(sidecar: Sidecar, bytes: Buffer): Promise<Sidecar> {
    const handle = await open(this.part, 'r+');
    try {
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await handle.write(
          bytes,
          written,
          bytes.length - written,
          sidecar.contiguous + written,
        );
        written += bytesWritten;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    const next = { ...sidecar, contiguous: sidecar.contiguous + bytes.length };
    this.save(next);
    return next;
  }

  get partPath(): string {
    return this.part;
  }

  /** Renames the verified `.part` to `<fileId>-<safe name>`; returns the stored path. */
  complete(sidecar: Sidecar): string {
    const storedAs = `${this.fileId}-${safeFileName(sidecar.init.name)}`;
    const path = join(this.directory, storedAs);
    renameSync(this.part, path);
    fsyncDirectory(this.directory);
    this.save({ ...sidecar, state: 'complete', storedAs });
    return path;
  }

  /** Drops the bytes and leaves a tombstone (see the sidecar); a new init starts afresh. */
  discard(sidecar: Sidecar, error: string): void {
    removeFileDurably(this.part);
    this.save({ ...sidecar, contiguous: 0, state: 'failed', error });
  }

  private save(sidecar: Sidecar): void {
    writeFileAtomic(this.sidecar, `${JSON.stringify(sidecar)}\n`, FILE_MODE);
  }
}
