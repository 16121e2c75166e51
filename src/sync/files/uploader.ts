import type { EventBus } from '../../daemon/bus.js';
import { isAgentError } from '../../errors.js';
import type { Journal } from '../../journal/journal.js';
import type { Logger } from '../../log.js';
import { LinkDownError } from '../link/errors.js';
import type { InboundMessage, Link } from '../link/types.js';
import { fileAckSchema, MESSAGE_VERSIONS, type FileAck, type FileInit } from '../protocol/messages.js';
import type { RoomTopics } from '../protocol/topics.js';
import type { ByteRateLimiter } from '../rateLimiter.js';
import { digestFile, readSegment } from './fileDigest.js';
import { FILE_QUEUED_EVENT, FileQueue, type EnqueueRequest, type QueuedFile } from './fileQueue.js';
import { parsePayload } from './parsePayload.js';
import { Transfer } from './transfer.js';
import {
  finishUpload,
  nextPending,
  pendingTotals,
  recordAckedOffset,
  recordAttempt,
  type UploadOutcome,
  type UploadRow,
} from './uploadRows.js';

export const FILE_UPLOADED_EVENT = 'file.uploaded';
export const FILE_FAILED_EVENT = 'file.failed';

const DEFAULT_ACK_TIMEOUT_MS = 60_000;
const DEFAULT_SEGMENTS_AHEAD = 4;
const DEFAULT_MAX_ATTEMPTS = 3;
const BUS_OWNER = 'file-uploader';

export interface FileUploaderOptions {
  journal: Journal;
  link: Link;
  topics: RoomTopics;
  /** Shared with the event backlog: files and backfill together stay under the county's byte rate. */
  limiter: ByteRateLimiter;
  /** county.fileSegmentBytes: the payload of one segment publish. */
  segmentBytes: number;
  logger: Logger;
  /** Tells the uploader of files queued by the control method while it runs (journal.appended). */
  bus?: EventBus | undefined;
  /** Silence from the center this long, with something awaiting its word, sends the init again. Default 60 s. */
  ackTimeoutMs?: number | undefined;
  /** Segments sent beyond what the center acknowledged. Default 4. */
  segmentsAhead?: number | undefined;
  /** Times the center may refuse a file (a fin whose checksum failed) before it is given up. Default 3. */
  maxAttempts?: number | undefined;
}

export interface FileUploadStats {
  pendingFiles: number;
  /** Bytes of pending files the center has not acknowledged. */
  pendingBytes: number;
  current?: { fileId: string; ackedOffset: number; size: number };
}

/**
 * Sends queued files to the center (README "County sync (MQTT)"), after EMQX's file transfer:
 * `init` (FileInit), segments by offset, `fin` with size and SHA-256, each answered by the center
 * on `in/files` (FileAck). One file at a time, oldest first but recordings after every other
 * file, at the link's lowest priority and under the shared byte rate. A few segments run ahead of the center's acknowledgements; every
 * acknowledgement is recorded, and every connection starts with an init whose answer says where to
 * resume, so a cut upload continues from the last offset the center holds, never from 0.
 *
 * The file is read by path for every segment and its checksum is compared with the queued one
 * before fin: a file changed or deleted before it was all sent fails (`file.failed`), it is never
 * sent half old and half new. A refusal by the center (checksum mismatch at fin) starts the file
 * over, a bounded number of times.
 */
export class FileUploader {
  private readonly queue: FileQueue;
  private readonly ackTimeoutMs: number;
  private readonly segmentsAhead: number;
  private readonly maxAttempts: number;
  private transfer: Transfer | undefined;
  /** Present while the link is up; aborted when it goes down (a segment waiting for the rate limiter gives up). */
  private connection: AbortController | undefined;
  /** The segment loop while it runs: one at a time, so segments go out in offset order. */
  private sending: Promise<void> | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: Array<() => void> = [];
  private stopped = true;

  constructor(private readonly options: FileUploaderOptions) {
    this.queue = new FileQueue(options.journal);
    this.ackTimeoutMs = options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
    this.segmentsAhead = options.segmentsAhead ?? DEFAULT_SEGMENTS_AHEAD;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  }

  /** Queues a file (see FileQueue.enqueue) and starts sending it when nothing else is being sent. */
  async enqueue(request: EnqueueRequest): Promise<QueuedFile> {
    const queued = await this.queue.enqueue(request);
    this.startNext();
    return queued;
  }

  start(): void {
    this.stopped = false;
    const { link, bus } = this.options;
    this.unsubscribe.push(
      link.on('up', () => this.connected()),
      link.on('down', () => this.disconnected()),
    );
    bus?.on(BUS_OWNER, 'journal.appended', ({ type }) => {
      if (type === FILE_QUEUED_EVENT) this.startNext();
    });
    if (link.state === 'connected') this.connected();
  }

  /** Stops sending; what the center acknowledged is recorded, so the next start resumes there. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const off of this.unsubscribe.splice(0)) off();
    this.options.bus?.removeOwner(BUS_OWNER);
    this.disconnected();
    this.transfer = undefined;
    await this.sending;
  }

  stats(): FileUploadStats {
    const { files, bytes } = pendingTotals(this.options.journal.db);
    const transfer = this.transfer;
    const current =
      transfer === undefined
        ? {}
        : { current: { fileId: transfer.fileId, ackedOffset: transfer.acked, size: transfer.size } };
    return { pendingFiles: files, pendingBytes: bytes, ...current };
  }

  /** A message on `in/files`. Anything that is not a FileAck is logged and dropped, never thrown. */
  handleAck(message: InboundMessage): void {
    const ack = parsePayload(fileAckSchema, message.payload, 'file acknowledgement');
    if ('problem' in ack) {
      this.options.logger.warn(
        { topic: message.topic, bytes: message.payload.length, problem: ack.problem },
        'ignoring an invalid file acknowledgement',
      );
      return;
    }
    try {
      this.apply(ack);
    } catch (error) {
      // The journal could not record it (disk full…); the stall timer asks the center again.
      this.options.logger.error({ err: error, fileId: ack.fileId }, 'could not record a file acknowledgement');
    }
  }

  private apply(ack: FileAck): void {
    const transfer = this.transfer;
    if (transfer === undefined || transfer.fileId !== ack.fileId || this.connection === undefined) {
      this.options.logger.debug({ fileId: ack.fileId, state: ack.state }, 'acknowledgement for a file not being sent');
      return;
    }
    if (ack.state === 'complete') return this.complete(transfer);
    if (ack.state === 'failed') return this.startOver(transfer, ack.error ?? 'no reason given');
    if (ack.nextOffset > transfer.size)
      return this.startOver(
        transfer,
        `the center acknowledged offset ${ack.nextOffset} of a ${transfer.size}-byte file`,
      );
    if (transfer.phase === 'fin' || !transfer.acknowledge(ack.nextOffset)) return;
    this.progressed(transfer);
  }

  /** The center's offset moved: record it, then send on (or finish). */
  private progressed(transfer: Transfer): void {
    recordAckedOffset(this.options.journal.db, transfer.fileId, transfer.acked);
    if (transfer.allAcknowledged) {
      this.finish(transfer).catch((error: unknown) =>
        this.options.logger.error({ err: error, fileId: transfer.fileId }, 'could not finish a file upload'),
      );
      return;
    }
    // Only progress holds the silence timer off: answers that do not move mean a gap (see Transfer.acknowledge).
    if (transfer.outstanding) this.armStallTimer();
    else this.clearStallTimer();
    this.pump();
  }

  private connected(): void {
    if (this.stopped) return;
    this.connection?.abort(new LinkDownError('a new connection replaced it'));
    this.connection = new AbortController();
    if (this.transfer === undefined) this.startNext();
    else this.sendInit(this.transfer);
  }

  private disconnected(): void {
    this.connection?.abort(new LinkDownError('the connection ended'));
    this.connection = undefined;
    this.clearStallTimer();
  }

  /**
   * Takes the next pending file (photos and other files before recordings, see nextPending) when connected and idle. Never throws: it runs from the bus (inside
   * another service's journal append), timers and promise chains; an unreadable queue is logged and
   * tried again at the next connection or queued file.
   */
  private startNext(): void {
    if (this.stopped || this.connection === undefined || this.transfer !== undefined) return;
    let row: UploadRow | undefined;
    try {
      row = nextPending(this.options.journal.db);
    } catch (error) {
      this.options.logger.error({ err: error }, 'could not read the file upload queue');
      return;
    }
    if (row === undefined) return;
    this.transfer = new Transfer(row, this.options.segmentBytes, this.segmentsAhead);
    this.options.logger.info({ fileId: row.fileId, size: row.size, kind: row.kind }, 'uploading a file');
    this.sendInit(this.transfer);
  }

  private sendInit(transfer: Transfer): void {
    const { row } = transfer;
    const init: FileInit = {
      v: MESSAGE_VERSIONS.fileInit,
      name: row.name,
      size: row.size,
      sha256: row.sha256,
      segmentBytes: this.options.segmentBytes,
      kind: row.kind,
      meta: row.meta,
    };
    const payload = JSON.stringify(init);
    transfer.awaitInit();
    this.options.limiter.charge(payload.length);
    this.publish(this.options.topics.fileInit(row.fileId), payload);
    this.armStallTimer();
  }

  private pump(): void {
    // Caught here: stop() awaits this promise, and nobody else would see its rejection.
    this.sending ??= this.sendSegments()
      .catch((error: unknown) =>
        this.options.logger.error({ err: error, fileId: this.transfer?.fileId }, 'sending file segments failed'),
      )
      .finally(() => (this.sending = undefined));
  }

  private async sendSegments(): Promise<void> {
    for (;;) {
      const { transfer, connection } = this;
      if (transfer === undefined || connection === undefined || this.stopped) return;
      const segment = transfer.takeSegment();
      if (segment === undefined) return;
      let bytes: Buffer;
      try {
        bytes = await readSegment(transfer.row.path, transfer.size, segment.offset, segment.length);
      } catch (error) {
        if (this.transfer === transfer && !this.stopped) this.fail(transfer, failureReason(error));
        continue;
      }
      try {
        await this.options.limiter.take(bytes.length, connection.signal);
      } catch {
        // The link went down or sync stopped: the next connection resumes from the center's offset.
        continue;
      }
      // A restart, a new connection or another file may have come while this one waited.
      if (this.transfer !== transfer || this.connection !== connection || transfer.phase !== 'segments') continue;
      transfer.digest.add(segment.offset, bytes);
      this.publish(this.options.topics.fileSegment(transfer.fileId, segment.offset), bytes);
      this.armStallTimer();
    }
  }

  /** All bytes acknowledged: checks the file is still the one queued, then sends fin. */
  private async finish(transfer: Transfer): Promise<void> {
    transfer.phase = 'fin';
    this.clearStallTimer();
    const connection = this.connection;
    const { row } = transfer;
    let sha256 = transfer.digest.digestOf(row.size);
    try {
      // Resumed from the middle in this process: the bytes sent before were never read here.
      sha256 ??= (await digestFile(row.path)).sha256;
    } catch (error) {
      if (this.transfer === transfer) this.fail(transfer, failureReason(error));
      return;
    }
    if (this.transfer !== transfer || this.connection !== connection || transfer.phase !== 'fin') return;
    if (sha256 !== row.sha256) {
      this.fail(transfer, 'the file changed on disk since it was queued: its SHA-256 differs');
      return;
    }
    this.publish(this.options.topics.fileFin(row.fileId, row.size, row.sha256), '');
    this.armStallTimer();
  }

  private complete(transfer: Transfer): void {
    const { fileId, size, sha256 } = transfer.row;
    this.settle(
      transfer,
      FILE_UPLOADED_EVENT,
      { fileId, size, sha256 },
      { state: 'complete', error: null, ackedOffset: size },
    );
  }

  private fail(transfer: Transfer, reason: string): void {
    this.settle(
      transfer,
      FILE_FAILED_EVENT,
      { fileId: transfer.fileId, reason },
      { state: 'failed', error: reason, ackedOffset: transfer.acked },
    );
  }

  /**
   * Records the end of an upload (row and journal entry in one commit) and takes the next file.
   * When the journal cannot be written, the file stays current: the silence timer asks the
   * center again, and its answer brings the upload back here.
   */
  private settle(
    transfer: Transfer,
    type: string,
    payload: Record<string, string | number>,
    outcome: UploadOutcome,
  ): void {
    try {
      this.options.journal.transaction((tx) => {
        const entry = tx.append(type, payload);
        finishUpload(tx.db, transfer.fileId, { ...outcome, doneSeq: entry.seq });
      });
    } catch (error) {
      this.options.logger.error(
        { err: error, fileId: transfer.fileId, outcome: outcome.state },
        'could not record the end of an upload',
      );
      this.armStallTimer();
      return;
    }
    if (outcome.state === 'complete')
      this.options.logger.info({ fileId: transfer.fileId, size: transfer.size }, 'file uploaded');
    else this.options.logger.warn({ fileId: transfer.fileId, reason: outcome.error }, 'file upload failed');
    this.clearStallTimer();
    this.transfer = undefined;
    this.startNext();
  }

  /** The center refused the file and discarded its bytes: send it again from 0, a bounded number of times. */
  private startOver(transfer: Transfer, error: string): void {
    const attempts = recordAttempt(this.options.journal.db, transfer.fileId);
    if (attempts >= this.maxAttempts) {
      this.fail(transfer, `the center refused the file ${attempts} times, last: ${error}`);
      return;
    }
    this.options.logger.warn(
      { fileId: transfer.fileId, attempts, error },
      'the center refused the file; sending it again from the start',
    );
    transfer.restart();
    this.sendInit(transfer);
  }

  private publish(topic: string, payload: Buffer | string): void {
    this.options.link.publish({ topic, payload, qos: 1, priority: 'file' }).catch((error: unknown) => {
      // A drop is answered by the init on the next connection; a refusal will not heal by itself.
      if (error instanceof LinkDownError)
        this.options.logger.debug({ topic }, 'file publish cut off by the link going down');
      else this.options.logger.warn({ err: error, topic }, 'file publish refused');
    });
  }

  /** Silence from the center while it owes an answer: ask where it stands with a new init. */
  private armStallTimer(): void {
    this.clearStallTimer();
    this.stallTimer = setTimeout(() => {
      this.stallTimer = undefined;
      try {
        this.onSilence();
      } catch (error) {
        // Recording the offset failed (disk full…): a throw from a timer would end the daemon. Asked again later.
        this.options.logger.error({ err: error, fileId: this.transfer?.fileId }, 'could not go on with a file upload');
        if (this.transfer !== undefined && this.connection !== undefined) this.armStallTimer();
      }
    }, this.ackTimeoutMs);
  }

  private onSilence(): void {
    const transfer = this.transfer;
    if (transfer === undefined || this.connection === undefined) return;
    if (transfer.takeHeldAnswer()) {
      this.options.logger.warn(
        { fileId: transfer.fileId, ackedOffset: transfer.acked },
        'the center holds less of the file than it acknowledged before; sending again from there',
      );
      this.progressed(transfer);
      return;
    }
    this.options.logger.warn(
      { fileId: transfer.fileId, phase: transfer.phase, ackedOffset: transfer.acked },
      'no answer from the center about the file; sending its init again',
    );
    this.sendInit(transfer);
  }

  private clearStallTimer(): void {
    if (this.stallTimer !== undefined) clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
  }
}

/** The English reason journaled with `file.failed` (fileDigest errors carry one as `detail`). */
function failureReason(error: unknown): string {
  if (isAgentError(error) && typeof error.context.detail === 'string')
    return `the file can no longer be sent as queued: ${error.context.detail}`;
  return `the file could not be read: ${(error as Error).message}`;
}
