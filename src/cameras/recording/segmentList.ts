/** One closed segment as ffmpeg's CSV segment list names it. */
export interface ListedSegment {
  /** The segment's file name, as ffmpeg wrote it (relative to the list's folder). */
  file: string;
  /** Start and end of the segment in the run's timeline, seconds. */
  startSeconds: number;
  endSeconds: number;
}

/** `name,start,end`: ffmpeg quotes a name with a comma or quote in it, which the recorder never gives. */
const LINE = /^([^",\n]+),(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)$/;

/**
 * The segments a CSV segment list (`-segment_list_type csv`) names. Only whole lines count: the
 * line of a segment being listed right now has no newline yet. A line that is no segment (a
 * torn write after a power cut) is skipped, never thrown on: the segment it named is then found
 * unlisted and checked like an open one.
 */
export function parseSegmentList(text: string): ListedSegment[] {
  const lines = text.split('\n');
  lines.pop();
  return lines.flatMap((line) => {
    const match = LINE.exec(line.trim());
    if (match === null) return [];
    const startSeconds = Number(match[2]);
    const endSeconds = Number(match[3]);
    return endSeconds >= startSeconds ? [{ file: match[1]!, startSeconds, endSeconds }] : [];
  });
}
