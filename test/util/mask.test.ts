import { describe, expect, it } from 'vitest';
import { maskSecrets, maskUrl } from '../../src/util/mask.js';

/** Camera and push URLs as technicians write them, and what a reader may see of each. */
const URLS: [string, string][] = [
  [
    'rtsp://admin:s3cret@192.168.1.64:554/Streaming/Channels/101',
    'rtsp://admin:***@192.168.1.64:554/Streaming/Channels/101',
  ],
  ['rtsp://admin:p@ss/w0rd@192.168.1.64/ch1', 'rtsp://admin:***@192.168.1.64/ch1'],
  ['rtsp://admin:my secret@192.168.1.64/ch1', 'rtsp://admin:***@192.168.1.64/ch1'],
  ['rtsp://admin:p%40ss@192.168.1.64/ch1', 'rtsp://admin:***@192.168.1.64/ch1'],
  ['rstp://admin:s3cret@192.168.1.64/ch1', 'rstp://admin:***@192.168.1.64/ch1'],
  ['admin:s3cret@192.168.1.64/ch1', 'admin:***@192.168.1.64/ch1'],
  ['rtsp://admin@192.168.1.64/ch1', 'rtsp://admin@192.168.1.64/ch1'],
  ['rtsp://192.168.1.64:554/ch1', 'rtsp://192.168.1.64:554/ch1'],
  [
    'rtmp://media.county.example/live/hall?secret=s3cret&txTime=1',
    'rtmp://media.county.example/live/hall?secret=***&txTime=1',
  ],
  ['rtmp://media.example/live/hall?txSecret=s3cret', 'rtmp://media.example/live/hall?txSecret=***'],
  ['rtmp://media.example/live/hall?auth_key=1-0-0-s3cret', 'rtmp://media.example/live/hall?auth_key=***'],
  ['rtmp://media.example/live/hall?Token=s3cret#x', 'rtmp://media.example/live/hall?Token=***'],
  [
    'srt://media.example:10080?mode=caller&passphrase=s3cret&streamid=#!::r=live/hall,secret=s3cret',
    'srt://media.example:10080?mode=caller&passphrase=***&streamid=***',
  ],
  ['rtmp://user:s3cret@media.example/live/hall?key=s3cret', 'rtmp://user:***@media.example/live/hall?key=***'],
  ['hall', 'hall'],
  ['', ''],
];

describe('maskUrl', () => {
  it.each(URLS)('%s', (url, shown) => {
    expect(maskUrl(url)).toBe(shown);
    expect(maskUrl(url)).not.toContain('s3cret');
  });
});

describe('maskSecrets', () => {
  it('masks every URL in a line (a secret parameter up to the next space) and leaves the rest of the text', () => {
    const line =
      "[in#0 @ 0x55d5c] Input #0, rtsp, from 'rtsp://admin:s3cret@192.168.1.64/ch1': pushed to rtmp://m.example/live/a?key=s3cret, 12:00";
    expect(maskSecrets(line)).toBe(
      "[in#0 @ 0x55d5c] Input #0, rtsp, from 'rtsp://admin:***@192.168.1.64/ch1': pushed to rtmp://m.example/live/a?key=*** 12:00",
    );
  });

  it('leaves a line without URLs unchanged', () => {
    const line = '[rtsp @ 0x5580] method DESCRIBE failed: 401 Unauthorized';
    expect(maskSecrets(line)).toBe(line);
  });
});
