import { RunningDigest } from './fileDigest.js';
import type { UploadRow } from './uploadRows.js';

/**
 * `init`: the init was sent and the center's word on where to start is awaited; `segments`:
 * sending from there; `fin`: everything is acknowledged and the fin (or the checksum before it) is
 * on its way.
 */
export type TransferPhase = 'init' | 'segments' | 'fin';

/**
 * The offsets of one file's upload, in memory. The center is the authority on where to resume:
 * each connection starts with an init, and its answer (the bytes it holds contiguously) is where
 * sending continues. The row in file_uploads keeps the last acknowledged offset for status and
 * the attempt count across restarts.
 */
export class Transfer {
  phase: TransferPhase = 'init';
  /** Bytes the center holds contiguously, as last heard. */
  acked: number;
  /** The next offset to send. Never below `acked`; ahead of it by at most the window. */
  next: number;
  digest = new RunningDigest();
  /** A lower answer to the init, not yet believed (see acknowledge). */
  private heldAnswer: number | undefined;

  constructor(
    readonly row: UploadRow,
    private readonly segmentBytes: number,
    /** Segments sent beyond `acked` at most: the center acknowledges each after an fsync. */
    private readonly segmentsAhead: number,
  ) {
    this.acked = row.ackedOffset;
    this.next = row.ackedOffset;
  }

  get fileId(): string {
    return this.row.fileId;
  }

  get size(): number {
    return this.row.size;
  }

  /** Sent and not yet acknowledged by the center. */
  get outstanding(): boolean {
    return this.next > this.acked;
  }

  get allAcknowledged(): boolean {
    return this.acked >= this.size;
  }

  /** A new init goes out (a new connection, or the center was silent): its answer says where to go on. */
  awaitInit(): void {
    this.phase = 'init';
    this.heldAnswer = undefined;
  }

  /** The center refused the file and discarded its bytes: everything is sent again from 0. */
  restart(): void {
    this.awaitInit();
    this.acked = 0;
    this.next = 0;
    this.digest = new RunningDigest();
  }

  /**
   * Applies the center's `nextOffset`; true when `acked` changed (to be recorded).
   *
   * The answer to an init sets where sending resumes. An answer below what the center
   * acknowledged before is held back: it may be an old acknowledgement the broker delivers again
   * (one that was in flight when the link dropped comes again after the reconnect, ahead of the
   * real answer), or the center may have lost bytes. The real answer follows at once in the first
   * case; in the second nothing else comes, and the silence timer takes the lower offset
   * (takeHeldAnswer).
   *
   * Later answers advance `acked`. One that goes back means the center lost bytes: sending
   * resumes there. One that stays put is a duplicate's answer, or says a segment went missing on
   * the way; the two look alike, and going back on every such answer would resend each segment
   * in flight again and again, so a gap is left to the silence timer too (a new init).
   */
  acknowledge(nextOffset: number): boolean {
    if (this.phase === 'init') {
      if (nextOffset < this.acked) {
        this.heldAnswer = nextOffset;
        return false;
      }
      this.resume(nextOffset);
      return true;
    }
    if (nextOffset === this.acked) return false;
    this.next = nextOffset > this.acked ? Math.max(this.next, nextOffset) : nextOffset;
    this.acked = nextOffset;
    return true;
  }

  /** The silence after a lower answer to the init: the center holds less than it said before; resume there. */
  takeHeldAnswer(): boolean {
    if (this.phase !== 'init' || this.heldAnswer === undefined) return false;
    this.resume(this.heldAnswer);
    return true;
  }

  private resume(offset: number): void {
    this.phase = 'segments';
    this.acked = offset;
    this.next = offset;
    this.heldAnswer = undefined;
  }

  /** The next segment to send, reserved; undefined when all is sent or the window is full. */
  takeSegment(): { offset: number; length: number } | undefined {
    if (this.phase !== 'segments' || this.next >= this.size) return undefined;
    if (this.next - this.acked >= this.segmentsAhead * this.segmentBytes) return undefined;
    const offset = this.next;
    const length = Math.min(this.segmentBytes, this.size - offset);
    this.next += length;
    return { offset, length };
  }
}
