/**
 * The center's half of file uploads (README "County sync (MQTT)"): receives what a room's
 * FileUploader (src/sync/files/uploader.ts) sends and answers each message with a FileAck.
 *
 * Use: construct one `CenterFileReceiver` for the center, and for every message whose topic
 * `parseOutboundTopic` (sync/protocol/topics.ts) parsed as `file-init`, `file-segment` or
 * `file-fin`, call
 *
 *     receiver.handle(parsed.deviceId, parsed.kind, parsed.fileId, message.payload, parsed)
 *
 * (`parsed` carries `offset` for a segment, `size` and `sha256` for a fin). `handle` never throws
 * and never rejects: bad input is logged and answered; its promise settles once the answer was
 * handed to `publishAck`, which should publish it QoS 1 on the room's `in/files` topic
 * (`roomTopics(prefix, deviceId).fileAcks`). Messages for one file are processed in arrival order.
 *
 * Storage: `<dir>/<deviceId>/<fileId>.part` grows by each segment at the contiguous end, and
 * `<fileId>.json` holds the init and that offset (see files/transferFiles.ts); every write is
 * fsync'd before its acknowledgement, so a restarted center resumes where it was. A fin whose
 * size and SHA-256 match the init and the bytes renames the `.part` to `<fileId>-<safe name>`
 * and calls `onComplete`. Device ids, file ids and names are checked or sanitised, so no message
 * can write outside `<dir>/<deviceId>/`.
 *
 * Answers (FileAck.nextOffset is always the bytes held contiguously):
 * - init: new file → 0; same id, size and checksum → what is held (the room resumes there); same
 *   id with another size or checksum → started over at 0; already complete → `complete`
 *   (an id reused for another file is refused: a received file is never overwritten).
 * - segment at the contiguous end → stored; before it → a duplicate, answered again; after it →
 *   not stored (the room resends from the offset it gets); beyond the declared size → `failed`.
 * - fin → `complete`, or `failed` with the reason, and the bytes are discarded.
 */
import type { Logger } from '../log.js';
import {
  MESSAGE_VERSIONS,
  stateMessageSchema,
  receivedFileInitSchema,
  type FileAck,
  type ReceivedFileInit,
} from '../sync/protocol/messages.js';
import { FILE_ID_PATTERN } from '../sync/protocol/topics.js';
import { digestFile } from '../sync/files/fileDigest.js';
import { parsePayload } from '../sync/files/parsePayload.js';
import { SidecarUnreadable, TransferFiles, type Sidecar } from './files/transferFiles.js';

export type FileMessageKind = 'file-init' | 'file-segment' | 'file-fin';

/** What the topic carried besides the file id. parseOutboundTopic's result fits as is: other keys are ignored. */
export interface FileMessageExtra {
  readonly [key: string]: unknown;
  /** file-segment: the offset of the payload's first byte. */
  offset?: number | undefined;
  /** file-fin: the size and checksum the room claims. */
  size?: number | undefined;
  sha256?: string | undefined;
}

export interface ReceivedFile {
  deviceId: string;
  fileId: string;
  init: ReceivedFileInit;
  /** Where the verified file now is. */
  path: string;
}

export interface CenterFileReceiverOptions {
  /** Root of the received files; one subdirectory per room. */
  dir: string;
  publishAck: (deviceId: string, ack: FileAck) => Promise<void> | void;
  onComplete?: ((info: ReceivedFile) => void) | undefined;
  logger: Logger;
}

type Answer = Omit<FileAck, 'v' | 'fileId'>;

const deviceIdSchema = stateMessageSchema.shape.deviceId;

const receiving = (nextOffset: number): Answer => ({ nextOffset, state: 'receiving' });
const failed = (error: string): Answer => ({ nextOffset: 0, state: 'failed', error });

function sameFile(a: ReceivedFileInit, b: ReceivedFileInit): boolean {
  return a.size === b.size && a.sha256 === b.sha256;
}

export class CenterFileReceiver {
  /** The tail of each file's message chain: one message of a file at a time, in arrival order. */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly options: CenterFileReceiverOptions) {}

  handle(
    deviceId: string,
    kind: FileMessageKind,
    fileId: string,
    payload: Buffer,
    extra: FileMessageExtra = {},
  ): Promise<void> {
    if (!deviceIdSchema.safeParse(deviceId).success || !FILE_ID_PATTERN.test(fileId)) {
      this.options.logger.warn(
        { deviceId: deviceId.slice(0, 80), fileId: fileId.slice(0, 80), kind },
        'ignoring a file message with an invalid device or file id',
      );
      return Promise.resolve();
    }
    const key = `${deviceId}/${fileId}`;
    const run = (this.chains.get(key) ?? Promise.resolve())
      .then(() => this.process(deviceId, kind, new TransferFiles(this.options.dir, deviceId, fileId), payload, extra))
      .catch((error: unknown) =>
        this.options.logger.error({ err: error, deviceId, fileId, kind }, 'file message not processed'),
      );
    this.chains.set(key, run);
    void run.then(() => {
      if (this.chains.get(key) === run) this.chains.delete(key);
    });
    return run;
  }

  private async process(
    deviceId: string,
    kind: FileMessageKind,
    files: TransferFiles,
    payload: Buffer,
    extra: FileMessageExtra,
  ): Promise<void> {
    let sidecar: Sidecar | undefined;
    try {
      sidecar = await files.load();
    } catch (error) {
      if (!(error instanceof SidecarUnreadable)) throw error;
      // Only this module writes sidecars (atomically): a damaged one is treated as unknown.
      this.options.logger.warn(
        { deviceId, fileId: files.fileId, problem: error.message },
        'unreadable file state; treating the file as new',
      );
    }
    const answer =
      kind === 'file-init'
        ? await this.init(files, sidecar, payload)
        : kind === 'file-segment'
          ? await this.segment(files, sidecar, extra.offset, payload)
          : await this.fin(deviceId, files, sidecar, extra);
    if (answer === undefined) return;
    if (answer.state === 'failed')
      this.options.logger.warn({ deviceId, fileId: files.fileId, kind, error: answer.error }, 'file refused');
    await this.options.publishAck(deviceId, { v: MESSAGE_VERSIONS.fileAck, fileId: files.fileId, ...answer });
  }

  private async init(files: TransferFiles, sidecar: Sidecar | undefined, payload: Buffer): Promise<Answer> {
    const init = parsePayload(receivedFileInitSchema, payload, 'init');
    if ('problem' in init) return failed(init.problem);
    if (sidecar?.state === 'complete') {
      return sameFile(sidecar.init, init)
        ? { nextOffset: init.size, state: 'complete' }
        : failed('this file id was already used for another file');
    }
    if (sidecar?.state === 'receiving' && sameFile(sidecar.init, init)) return receiving(sidecar.contiguous);
    await files.begin(init);
    return receiving(0);
  }

  private async segment(
    files: TransferFiles,
    sidecar: Sidecar | undefined,
    offset: number | undefined,
    bytes: Buffer,
  ): Promise<Answer | undefined> {
    if (sidecar === undefined) return failed('no upload of this file is in progress: send its init first');
    // Segments that were in flight when the file was refused: the room is already starting over.
    if (sidecar.state === 'failed') return undefined;
    if (sidecar.state === 'complete') return { nextOffset: sidecar.init.size, state: 'complete' };
    if (offset === undefined) throw new Error('a file segment needs its offset');
    if (offset + bytes.length > sidecar.init.size) {
      const error = `segment at offset ${offset} with ${bytes.length} bytes goes beyond the declared size ${sidecar.init.size}`;
      files.discard(sidecar, error);
      return failed(error);
    }
    if (offset !== sidecar.contiguous || bytes.length === 0) return receiving(sidecar.contiguous);
    return receiving((await files.append(sidecar, bytes)).contiguous);
  }

  private async fin(
    deviceId: string,
    files: TransferFiles,
    sidecar: Sidecar | undefined,
    claimed: FileMessageExtra,
  ): Promise<Answer | undefined> {
    if (sidecar === undefined) return failed('no upload of this file is in progress: send its init first');
    if (sidecar.state === 'failed') return undefined;
    const { init } = sidecar;
    if (sidecar.state === 'complete') return { nextOffset: init.size, state: 'complete' };
    const problem = await this.finProblem(files, sidecar, claimed);
    if (problem !== undefined) {
      files.discard(sidecar, problem);
      return failed(problem);
    }
    const path = files.complete(sidecar);
    this.options.logger.info({ deviceId, fileId: files.fileId, size: init.size, kind: init.kind }, 'file received');
    try {
      this.options.onComplete?.({ deviceId, fileId: files.fileId, init, path });
    } catch (error) {
      this.options.logger.error({ err: error, deviceId, fileId: files.fileId }, 'onComplete failed');
    }
    return { nextOffset: init.size, state: 'complete' };
  }

  /** Why the fin cannot complete the file, or undefined when the bytes are exactly the ones announced. */
  private async finProblem(
    files: TransferFiles,
    { init, contiguous }: Sidecar,
    claimed: FileMessageExtra,
  ): Promise<string | undefined> {
    if (claimed.size !== init.size || claimed.sha256 !== init.sha256)
      return `fin (${claimed.size} bytes, ${claimed.sha256}) does not match the init (${init.size} bytes, ${init.sha256})`;
    if (contiguous !== init.size) return `fin after ${contiguous} of ${init.size} bytes`;
    const held = await digestFile(files.partPath);
    if (held.size !== init.size || held.sha256 !== init.sha256)
      return `the received bytes (${held.size}, SHA-256 ${held.sha256}) do not match the init (${init.size}, ${init.sha256})`;
    return undefined;
  }
}
