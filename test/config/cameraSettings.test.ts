import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseLayer, validateInput } from '../../src/config/layerFile.js';
import { photoCameraOf } from '../../src/config/schema.js';
import { inLanguage } from '../../src/util/language.js';
import { setLanguage } from '../../src/i18n.js';
import { MINIMAL_CONFIG } from './files.js';

/**
 * The camera settings: their defaults, the bounds of every number, the sub-stream's scheme, and
 * which camera takes the photos. Problem lines are the ones `config check` prints.
 */
beforeAll(() => setLanguage('en'));

function check(sections: Record<string, unknown>) {
  const extra = Object.keys(sections).length === 0 ? '' : stringify(sections);
  const layer = parseLayer('config.yaml', `${MINIMAL_CONFIG}${extra}`);
  return validateInput(layer.data, layer.source);
}

function problems(sections: Record<string, unknown>): string[] {
  const result = check(sections);
  return result.ok ? [] : result.problems;
}

const HALL = { name: 'hall', url: 'rtsp://192.168.1.64/main', push: { url: 'rtmp://media.example/live/hall' } };
const DOOR = { name: 'door', url: 'rtsp://192.168.1.65/main' };

describe('camera settings', () => {
  it('default to copy, a 20 s stall timeout, 6 restarts a minute, 30 on-demand minutes; photos from the first camera', () => {
    const result = check({ cameras: [HALL, DOOR] });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    const [hall, door] = result.config.cameras;
    expect(hall).toEqual({
      ...HALL,
      transcode: 'off',
      stallTimeoutSeconds: 20,
      maxRestartsPerMinute: 6,
      record: true,
      push: { ...HALL.push, mode: 'activity', onDemandMinutes: 30 },
    });
    expect(door?.subUrl).toBeUndefined();
    expect(result.config.media).toEqual({
      photoIntervalMinutes: 20,
      probeTimeoutSeconds: 10,
      ffmpegPath: 'ffmpeg',
      ffprobePath: 'ffprobe',
      recordingSegmentSeconds: 60,
      recordingQuotaBytes: 4 * 1024 ** 3,
      minFreeBytes: 256 * 1024 ** 2,
    });
    expect(photoCameraOf(result.config)?.name).toBe('hall');
  });

  it('take the photos with media.photoCamera when it is set, and with no camera when there is none', () => {
    const result = check({ cameras: [HALL, DOOR], media: { photoCamera: 'door' } });
    expect(result.ok && photoCameraOf(result.config)?.name).toBe('door');
    const none = check({});
    expect(none.ok && photoCameraOf(none.config)).toBeUndefined();
  });

  it('accept every number at both ends of its range', () => {
    for (const [low, high] of [
      [5, 1],
      [300, 60],
    ] as const) {
      const camera = { ...HALL, stallTimeoutSeconds: low, maxRestartsPerMinute: high };
      expect(problems({ cameras: [camera] })).toEqual([]);
    }
    const edges = [
      { onDemandMinutes: 1, photoIntervalMinutes: 1, probeTimeoutSeconds: 2 },
      { onDemandMinutes: 1440, photoIntervalMinutes: 240, probeTimeoutSeconds: 120 },
    ];
    for (const { onDemandMinutes, ...media } of edges) {
      const camera = { ...HALL, push: { ...HALL.push, onDemandMinutes } };
      expect(problems({ cameras: [camera], media })).toEqual([]);
    }
  });

  it('refuse numbers out of range, an unknown transcoder and empty program paths, all at once', () => {
    const below = {
      ...HALL,
      transcode: 'nvenc',
      stallTimeoutSeconds: 4,
      maxRestartsPerMinute: 0,
      push: { ...HALL.push, onDemandMinutes: 0 },
    };
    const above = {
      ...DOOR,
      stallTimeoutSeconds: 301,
      maxRestartsPerMinute: 61,
      push: { ...HALL.push, onDemandMinutes: 1441 },
    };
    expect(
      problems({
        cameras: [below, above],
        media: { photoIntervalMinutes: 0, probeTimeoutSeconds: 121, ffmpegPath: '', ffprobePath: '' },
      }),
    ).toEqual([
      'cameras[0].push.onDemandMinutes: 0 is below the minimum 1',
      'cameras[0].transcode: "nvenc" is not one of off, libx264, h264_v4l2m2m',
      'cameras[0].stallTimeoutSeconds: 4 is below the minimum 5',
      'cameras[0].maxRestartsPerMinute: 0 is below the minimum 1',
      'cameras[1].stallTimeoutSeconds: 301 is above the maximum 300',
      'cameras[1].maxRestartsPerMinute: 61 is above the maximum 60',
      'cameras[1].push.onDemandMinutes: 1441 is above the maximum 1440',
      'media.photoIntervalMinutes: 0 is below the minimum 1',
      'media.probeTimeoutSeconds: 121 is above the maximum 120',
      'media.ffmpegPath: "" is shorter than the minimum length 1',
      'media.ffprobePath: "" is shorter than the minimum length 1',
    ]);
  });

  it('answer a misspelt key with the one probably meant', () => {
    expect(
      problems({ cameras: [{ ...HALL, suburl: 'rtsp://192.168.1.64/sub' }], media: { photocamera: 'hall' } }),
    ).toEqual([
      'cameras[0].suburl: unknown key (did you mean subUrl?)',
      'media.photocamera: unknown key (did you mean photoCamera?)',
    ]);
  });

  it('take a sub-stream only as an rtsp:// URL', () => {
    expect(problems({ cameras: [{ ...HALL, subUrl: 'rtsp://192.168.1.64/sub' }] })).toEqual([]);
    expect(problems({ cameras: [{ ...HALL, subUrl: 'http://192.168.1.64/sub' }] })).toEqual([
      'cameras[0].subUrl: "http://192.168.1.64/sub" is not an rtsp:// URL',
    ]);
  });
});

describe('an SRT push URL', () => {
  const srt = (query: string) => ({ cameras: [{ ...HALL, push: { url: `srt://media.example:10080?${query}` } }] });

  it('takes a passphrase of 10 to 79 characters, counted as ffmpeg decodes it, or none', () => {
    for (const query of [
      'mode=caller',
      'passphrase=0123456789',
      `passphrase=${'p'.repeat(79)}`,
      'passphrase=%25%25%25%25%25%25%25%25%25%25',
    ])
      expect(problems(srt(query)), query).toEqual([]);
  });

  it('refuses a passphrase SRT would refuse, without showing it', () => {
    for (const query of [
      'mode=caller&passphrase=Short-pw1',
      `passphrase=${'p'.repeat(80)}&latency=500000`,
      'passphrase=%25%25%25%25%25%25%25%25%25',
    ]) {
      const lines = problems(srt(query));
      expect(lines, query).toEqual([
        "cameras[0].push.url: an SRT passphrase must have 10 to 79 characters (SRT's limits), the same as the county media server's",
      ]);
    }
  });
});

describe('media.photoCamera', () => {
  it('must name a configured camera: the line lists the names', () => {
    expect(problems({ cameras: [HALL, DOOR], media: { photoCamera: 'Hall' } })).toEqual([
      'media.photoCamera: "Hall" is not a configured camera; configured: hall, door',
    ]);
  });

  it('says so when no camera is configured, in Chinese too', () => {
    const sections = { media: { photoCamera: 'hall' } };
    expect(problems(sections)).toEqual([
      'media.photoCamera: "hall" is not a configured camera; configured: (no cameras configured)',
    ]);
    expect(inLanguage('zh', () => problems(sections))).toEqual([
      'media.photoCamera: "hall" 不是已配置的摄像头；可选：（未配置摄像头）',
    ]);
  });

  it('is checked while other keys are wrong too', () => {
    expect(problems({ cameras: [{ ...HALL, stallTimeoutSeconds: 1 }], media: { photoCamera: 'door' } })).toEqual([
      'cameras[0].stallTimeoutSeconds: 1 is below the minimum 5',
      'media.photoCamera: "door" is not a configured camera; configured: hall',
    ]);
  });
});
