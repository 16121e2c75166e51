import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordArgs } from '../../src/cameras/ffmpeg/args.js';
import { parseSegmentList } from '../../src/cameras/recording/segmentList.js';
import { createSegmentTools } from '../../src/cameras/recording/segmentTools.js';
import { pesStarts, repairSegment, TS_PACKET_BYTES, wholePacketsLength } from '../../src/cameras/recording/tsRepair.js';
import { cameraClip } from '../../src/demo/cameraClips.js';
import { makeTempDir } from '../helpers/cli.js';

const run = promisify(execFile);
const CAMERA = 'rtsp://admin:pw@192.168.1.64:554/Streaming/Channels/101';

function valueOf(args: string[], flag: string): string | undefined {
  const at = args.indexOf(flag);
  return at < 0 ? undefined : args[at + 1];
}

describe('the recording arguments', () => {
  const args = recordArgs({
    input: CAMERA,
    segmentPattern: '/data/media/recordings/a/hall/r0002-%05d.ts',
    listFile: '/data/media/recordings/a/hall/r0002.csv',
    segmentSeconds: 60,
    audio: 'aac',
  });

  it('copies the main stream over RTSP/TCP into MPEG-TS segments listed in a CSV as they close', () => {
    expect(valueOf(args, '-rtsp_transport')).toBe('tcp');
    expect(valueOf(args, '-i')).toBe(CAMERA);
    expect(valueOf(args, '-c:v')).toBe('copy');
    expect(valueOf(args, '-f')).toBe('segment');
    expect(valueOf(args, '-segment_format')).toBe('mpegts');
    expect(valueOf(args, '-segment_time')).toBe('60');
    expect(valueOf(args, '-segment_list')).toBe('/data/media/recordings/a/hall/r0002.csv');
    expect(valueOf(args, '-segment_list_type')).toBe('csv');
    // One timeline over the run's segments: a player joins them without a jump.
    expect(valueOf(args, '-reset_timestamps')).toBe('0');
    expect(args.at(-1)).toBe('/data/media/recordings/a/hall/r0002-%05d.ts');
    expect(valueOf(args, '-progress')).toBe('pipe:1');
  });

  it('transcodes G.711 to AAC, copies AAC, and maps no audio when the camera has none', () => {
    expect(valueOf(args, '-c:a')).toBe('aac');
    expect(args).toContain('0:a:0?');
    const copy = recordArgs({
      input: CAMERA,
      segmentPattern: 'x-%05d.ts',
      listFile: 'x.csv',
      segmentSeconds: 10,
      audio: 'copy',
    });
    expect(valueOf(copy, '-c:a')).toBe('copy');
    const none = recordArgs({
      input: CAMERA,
      segmentPattern: 'x-%05d.ts',
      listFile: 'x.csv',
      segmentSeconds: 10,
      audio: 'none',
    });
    expect(none).not.toContain('0:a:0?');
    expect(none).toContain('-an');
  });
});

describe('the segment list', () => {
  it('names each closed segment with its start and end, and only whole lines', () => {
    const text = 'r0001-00000.ts,0.000000,10.040000\nr0001-00001.ts,10.040000,20.000000\nr0001-00002.ts,20.0';
    expect(parseSegmentList(text)).toEqual([
      { file: 'r0001-00000.ts', startSeconds: 0, endSeconds: 10.04 },
      { file: 'r0001-00001.ts', startSeconds: 10.04, endSeconds: 20 },
    ]);
  });

  it('skips a torn or foreign line instead of throwing', () => {
    const text =
      'r0001-00000.ts,0.000000,10.0\n\0\0\0garbage\n"quoted,name.ts",1,2\nr0001-00001.ts,12,11\nr0001-00002.ts,20,30\n';
    expect(parseSegmentList(text).map(({ file }) => file)).toEqual(['r0001-00000.ts', 'r0001-00002.ts']);
    expect(parseSegmentList('')).toEqual([]);
  });
});

describe('cutting a segment a crash left open', () => {
  const temp = makeTempDir('room-agent-ts-');
  const tools = createSegmentTools({ ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe', runDir: join(temp.dir, 'run') });
  let segment: string;

  beforeAll(async () => {
    const clip = await cameraClip({ codec: 'h264', width: 640, height: 360 });
    await run('ffmpeg', [
      ...recordArgs({
        input: clip,
        segmentPattern: join(temp.dir, 'r0001-%05d.ts'),
        listFile: join(temp.dir, 'r0001.csv'),
        segmentSeconds: 3,
        audio: 'none',
      }).filter((arg) => arg !== 'pipe:1' && arg !== '-progress'),
    ]);
    segment = join(temp.dir, 'r0001-00000.ts');
  }, 60_000);
  afterAll(() => temp.cleanup());

  it('finds the segments ffmpeg closed in its list', () => {
    const listed = parseSegmentList(readFileSync(join(temp.dir, 'r0001.csv'), 'utf8'));
    expect(listed.map(({ file }) => file)).toEqual(
      readdirSync(temp.dir)
        .filter((name) => name.endsWith('.ts'))
        .sort(),
    );
    expect(listed.length).toBeGreaterThanOrEqual(2);
  });

  it('cuts to the last packet boundary where ffmpeg decodes the file without a word', async () => {
    const cut = join(temp.dir, 'cut.ts');
    copyFileSync(segment, cut);
    const size = Math.floor(statSync(segment).size * 0.6) + 77;
    truncateSync(cut, size);
    // As the crash left it, the file does not decode cleanly: the cut is needed.
    expect(await tools.clean(cut, size)).toBe(false);
    const kept = await repairSegment(cut, size, tools.clean);
    expect(kept).toBeDefined();
    expect(kept! % TS_PACKET_BYTES).toBe(0);
    expect(kept!).toBeLessThan(size);
    expect(statSync(cut).size).toBe(kept);
    const { stderr } = await run('ffmpeg', ['-nostdin', '-v', 'error', '-i', cut, '-f', 'null', '-']);
    expect(stderr).toBe('');
    expect(await tools.durationMs(cut)).toBeGreaterThan(500);
    // What was kept is the file's own beginning, byte for byte.
    expect(readFileSync(cut).equals(readFileSync(segment).subarray(0, kept))).toBe(true);
  });

  it('gives up on a file no cut makes playable, leaving it as it was', async () => {
    const empty = join(temp.dir, 'empty.ts');
    writeFileSync(empty, '');
    expect(await repairSegment(empty, 0, tools.clean)).toBeUndefined();
    const noise = join(temp.dir, 'noise.ts');
    writeFileSync(noise, Buffer.alloc(TS_PACKET_BYTES * 20 + 5, 0));
    expect(await repairSegment(noise, TS_PACKET_BYTES * 20 + 5, tools.clean)).toBeUndefined();
    expect(statSync(noise).size).toBe(TS_PACKET_BYTES * 20 + 5);
  });

  it('stops trying cuts once the time budget of the file is spent', async () => {
    const cut = join(temp.dir, 'slow.ts');
    copyFileSync(segment, cut);
    const size = Math.floor(statSync(segment).size * 0.6) + 77;
    truncateSync(cut, size);
    // Each check takes a minute of the test's clock and never finds a clean cut.
    let now = 0;
    let tries = 0;
    const slow = (): Promise<boolean> => {
      tries++;
      now += 60_000;
      return Promise.resolve(false);
    };
    expect(await repairSegment(cut, size, slow, { ms: 150_000, now: () => now })).toBeUndefined();
    expect(tries).toBe(3);
    expect(statSync(cut).size).toBe(size);
  });

  it('reads where PES packets start from the packet headers', () => {
    const packets = Buffer.alloc(TS_PACKET_BYTES * 4, 0xff);
    for (let at = 0; at < packets.length; at += TS_PACKET_BYTES) packets[at] = 0x47;
    packets[1] = 0x40;
    packets[TS_PACKET_BYTES + 1] = 0x01;
    packets[2 * TS_PACKET_BYTES + 1] = 0x41;
    packets[3 * TS_PACKET_BYTES + 1] = 0x01;
    packets[3 * TS_PACKET_BYTES] = 0x00;
    expect(pesStarts(packets, 1000)).toEqual([1000 + 2 * TS_PACKET_BYTES, 1000]);
    expect(wholePacketsLength(TS_PACKET_BYTES * 3 + 100)).toBe(TS_PACKET_BYTES * 3);
  });
});
