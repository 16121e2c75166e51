import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordArgs } from '../../src/cameras/ffmpeg/args.js';
import {
  nextRun,
  segmentFolder,
  sweepFolder,
  type DamagedSegment,
  type SegmentFolder,
  type SweepContext,
} from '../../src/cameras/recording/segmentFolder.js';
import type { ClosedSegment } from '../../src/cameras/recording/segments.js';
import { createSegmentTools } from '../../src/cameras/recording/segmentTools.js';
import { cameraClip } from '../../src/demo/cameraClips.js';
import { makeTempDir } from '../helpers/cli.js';

const run = promisify(execFile);

/**
 * The recorder's sweep of a camera's folder on real segments written by ffmpeg with the recording
 * arguments: what ffmpeg listed is indexed in order, the open segment is left alone, what a crash
 * left is cut and indexed as truncated, and a journal that refuses a write loses nothing.
 */
describe('sweeping a recording folder', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let folder: SegmentFolder;
  let indexed: ClosedSegment[];
  let damaged: DamagedSegment[];
  let failNext: number;
  /** Each segment made (made durable, hashed) reads the clock once. */
  let clockReads: number;
  let refuseDamaged: number;
  let context: SweepContext;

  beforeEach(async () => {
    temp = makeTempDir('room-agent-sweep-');
    folder = segmentFolder(temp.dir, 'act-1', 'hall');
    const clip = await cameraClip({ codec: 'h264', width: 640, height: 360 });
    const args = recordArgs({
      input: clip,
      segmentPattern: join(folder.dir, 'r0001-%05d.ts'),
      listFile: join(folder.dir, 'r0001.csv'),
      segmentSeconds: 3,
      audio: 'none',
    }).filter((arg) => arg !== 'pipe:1' && arg !== '-progress');
    await run('mkdir', ['-p', folder.dir]);
    await run('ffmpeg', args);
    // A second run: one segment closed and listed, one still open (cut short mid-packet).
    copyFileSync(join(folder.dir, 'r0001-00000.ts'), join(folder.dir, 'r0002-00000.ts'));
    writeFileSync(join(folder.dir, 'r0002.csv'), 'r0002-00000.ts,7.000000,10.000000\n');
    copyFileSync(join(folder.dir, 'r0001-00001.ts'), join(folder.dir, 'r0002-00001.ts'));
    truncateSync(
      join(folder.dir, 'r0002-00001.ts'),
      Math.floor(statSync(join(folder.dir, 'r0001-00001.ts')).size / 2) + 33,
    );
    indexed = [];
    damaged = [];
    failNext = 0;
    clockReads = 0;
    refuseDamaged = 0;
    context = {
      tools: createSegmentTools({ ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe', runDir: join(temp.dir, 'run') }),
      clock: {
        read: () => (clockReads++, { wallMs: Date.now(), monoMs: performance.now(), bootId: 'boot', state: 'synced' }),
      },
      indexed: (path) => indexed.some((segment) => segment.path === path),
      index: (segment) => {
        if (failNext > 0) {
          failNext--;
          throw new Error('SQLITE_FULL: database or disk is full');
        }
        indexed.push(segment);
      },
      damaged: (entry) => {
        if (refuseDamaged > 0) {
          refuseDamaged--;
          throw new Error('SQLITE_READONLY: attempt to write a readonly database');
        }
        damaged.push(entry);
      },
      pending: new Map(),
      logger: pino({ level: 'silent' }),
    };
  }, 60_000);
  afterEach(() => temp.cleanup());

  const names = (): string[] => indexed.map((segment) => segment.path.split('/').at(-1)!);

  it('indexes what ffmpeg listed, in order, and leaves the open segment of the run under way alone', async () => {
    const result = await sweepFolder(folder, 'r0002', context);
    expect(names()).toEqual(['r0001-00000.ts', 'r0001-00001.ts', 'r0001-00002.ts', 'r0002-00000.ts']);
    expect(result).toEqual({ indexed: 4, blocked: false });
    const first = indexed[0]!;
    expect(first).toMatchObject({ activityId: 'act-1', camera: 'hall', truncated: false, clock: 'synced' });
    expect(first.path).toBe('media/recordings/act-1/hall/r0001-00000.ts');
    expect(first.size).toBe(statSync(join(folder.dir, 'r0001-00000.ts')).size);
    expect(first.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(first.durationMs).toBeGreaterThanOrEqual(3_000);
    expect(first.endedWallMs - first.startedWallMs).toBe(first.durationMs);
    expect(indexed[3]!.durationMs).toBe(3_000);
    // Nothing new: a second sweep indexes nothing twice.
    expect(await sweepFolder(folder, 'r0002', context)).toEqual({ indexed: 0, blocked: false });
    expect(nextRun(folder, [])).toBe(3);
  });

  it('cuts and indexes as truncated the open segment of a run that ended without listing it', async () => {
    const openSize = statSync(join(folder.dir, 'r0002-00001.ts')).size;
    // The power came back three hours after the crash: the segment ended then, not at the sweep.
    const lastWrite = new Date(Date.now() - 3 * 3_600_000);
    utimesSync(join(folder.dir, 'r0002-00001.ts'), lastWrite, lastWrite);
    await sweepFolder(folder, undefined, context);
    const cut = indexed.at(-1)!;
    expect(names().at(-1)).toBe('r0002-00001.ts');
    expect(cut.truncated).toBe(true);
    expect(cut.size).toBeLessThan(openSize);
    expect(cut.size % 188).toBe(0);
    expect(cut.durationMs).toBeGreaterThan(0);
    expect(Math.abs(cut.endedWallMs - lastWrite.getTime())).toBeLessThan(5_000);
    expect(cut.startedWallMs).toBe(cut.endedWallMs - cut.durationMs);
  });

  it('stops at a segment the journal refuses and indexes it, in order, at the next sweep', async () => {
    failNext = 1;
    expect(await sweepFolder(folder, 'r0002', context)).toEqual({ indexed: 0, blocked: true });
    expect(indexed).toEqual([]);
    failNext = 0;
    expect(await sweepFolder(folder, 'r0002', context)).toEqual({ indexed: 4, blocked: false });
    expect(indexed.map((segment) => segment.path)).toEqual([...new Set(indexed.map((segment) => segment.path))]);
  });

  it('writes again what it made of a segment the journal refused, without hashing or decoding it again', async () => {
    failNext = 3;
    for (let sweep = 0; sweep < 3; sweep++)
      expect(await sweepFolder(folder, 'r0002', context)).toEqual({ indexed: 0, blocked: true });
    expect(clockReads, 'the first segment was made once').toBe(1);
    expect(await sweepFolder(folder, 'r0002', context)).toEqual({ indexed: 4, blocked: false });
    expect(clockReads).toBe(4);
    expect(context.pending.size).toBe(0);
  });

  it('journals a damaged file the journal refused at the next sweep, without decoding it again', async () => {
    const noise = join(folder.dir, 'r0003-00000.ts');
    writeFileSync(noise, Buffer.alloc(188 * 20, 0));
    let checks = 0;
    const clean = context.tools.clean;
    context.tools = { ...context.tools, clean: (path, length) => (checks++, clean(path, length)) };
    refuseDamaged = 1;
    expect(await sweepFolder(folder, undefined, context)).toEqual({ indexed: 5, blocked: true });
    expect(existsSync(noise)).toBe(true);
    const checked = checks;
    expect(await sweepFolder(folder, undefined, context)).toMatchObject({ blocked: false });
    expect(damaged.map((entry) => entry.file)).toEqual(['media/recordings/act-1/hall/r0003-00000.ts.damaged']);
    expect(existsSync(noise)).toBe(false);
    expect(checks, 'no check after the refused entry').toBe(checked);
  });

  it('journals and renames aside a file no cut makes playable, and numbers the next run after every file', async () => {
    writeFileSync(join(folder.dir, 'r0003-00000.ts'), '');
    await sweepFolder(folder, undefined, context);
    expect(damaged).toEqual([
      {
        activityId: 'act-1',
        camera: 'hall',
        file: 'media/recordings/act-1/hall/r0003-00000.ts.damaged',
        size: 0,
        reason: 'empty',
      },
    ]);
    expect(existsSync(join(folder.dir, 'r0003-00000.ts'))).toBe(false);
    expect(readdirSync(folder.dir)).toContain('r0003-00000.ts.damaged');
    expect(nextRun(folder, [])).toBe(4);
    expect(nextRun(folder, ['media/recordings/act-1/hall/r0007-00000.ts'])).toBe(8);
  });
});
