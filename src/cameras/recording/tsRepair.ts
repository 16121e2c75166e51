import { open, stat, truncate, utimes } from 'node:fs/promises';

/** An MPEG-TS packet: a segment cut by a crash is playable up to some packet boundary before its end. */
export const TS_PACKET_BYTES = 188;
const SYNC_BYTE = 0x47;
/** Packets read at a time while looking back for where the last packets began. */
const READ_PACKETS = 512;
/**
 * Cut points tried, from the end back: the last whole packet, then the starts of the last PES
 * packets (a frame or an audio frame each). A crash leaves at most a frame per stream unfinished:
 * a few tries find the clean cut, and each try decodes the segment once.
 */
export const MAX_CUT_TRIES = 12;

/** The byte length of the whole packets of a file of `size` bytes. */
export function wholePacketsLength(size: number): number {
  return size - (size % TS_PACKET_BYTES);
}

/**
 * The offsets of the packets that start a PES packet (payload_unit_start_indicator set) within
 * `packets` (whole packets, `base` the offset of its first byte), last first.
 */
export function pesStarts(packets: Buffer, base: number): number[] {
  const found: number[] = [];
  for (let at = packets.length - TS_PACKET_BYTES; at >= 0; at -= TS_PACKET_BYTES) {
    if (packets[at] === SYNC_BYTE && ((packets[at + 1] ?? 0) & 0x40) !== 0) found.push(base + at);
  }
  return found;
}

/** Where a crash-cut segment may end, best first: its whole packets, then before each of its last PES packets. */
export async function cutCandidates(path: string, size: number, max = MAX_CUT_TRIES): Promise<number[]> {
  const whole = wholePacketsLength(size);
  if (whole === 0) return [];
  const candidates = [whole];
  const handle = await open(path, 'r');
  try {
    const block = Buffer.alloc(READ_PACKETS * TS_PACKET_BYTES);
    for (let end = whole; end > 0 && candidates.length < max;) {
      const start = Math.max(0, end - block.length);
      const { bytesRead } = await handle.read(block, 0, end - start, start);
      for (const offset of pesStarts(block.subarray(0, bytesRead), start)) {
        if (offset > 0 && offset < (candidates.at(-1) ?? 0)) candidates.push(offset);
        if (candidates.length >= max) break;
      }
      end = start;
    }
  } finally {
    await handle.close();
  }
  return candidates;
}

/** Whether the first `length` bytes of the file decode without a word from ffmpeg. */
export type PrefixCheck = (path: string, length: number) => Promise<boolean>;

/**
 * How long the tries of one file may take: each is a full decode (a window near the end cannot
 * stand in for it: a decode that starts inside a group of pictures reports missing references, so
 * it proves nothing about playing), and on a slow board a long high-resolution segment takes tens
 * of seconds. Checked before each try; `now` is monotonic milliseconds.
 */
export interface RepairBudget {
  ms: number;
  now(): number;
}

/**
 * Truncates the file and gives it back its times: its last write is when the recording stopped,
 * which is what the segment is dated by, not when a later start cut it.
 */
async function cutKeepingTime(path: string, length: number): Promise<void> {
  const { atime, mtime } = await stat(path);
  await truncate(path, length);
  await utimes(path, atime, mtime);
}

/**
 * Cuts a segment a crash left open to its longest prefix that ends on a whole packet and decodes
 * cleanly (a prefix ending inside a frame decodes with errors even on a packet boundary). Returns
 * the new size, or undefined when no cut point decodes cleanly or the budget is spent first: the
 * file is then left as it was.
 * A cut file keeps its modification time.
 */
export async function repairSegment(
  path: string,
  size: number,
  clean: PrefixCheck,
  budget: RepairBudget = { ms: Number.POSITIVE_INFINITY, now: () => performance.now() },
): Promise<number | undefined> {
  const started = budget.now();
  for (const length of await cutCandidates(path, size)) {
    if (budget.now() - started >= budget.ms) return undefined;
    if (!(await clean(path, length))) continue;
    if (length !== size) await cutKeepingTime(path, length);
    return length;
  }
  return undefined;
}
