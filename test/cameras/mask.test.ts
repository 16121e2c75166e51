import { describe, expect, it } from 'vitest';
import { maskSecrets, urlSecrets } from '../../src/cameras/mask.js';

describe('masking credentials', () => {
  it.each([
    [
      'rtsp://admin:Canary42@192.168.1.64:554/Streaming/Channels/101',
      'rtsp://***@192.168.1.64:554/Streaming/Channels/101',
    ],
    ['RTSP://admin:Canary42@cam/x', 'RTSP://***@cam/x'],
    ['rtmp://pub:Canary42@media.example/live/room1', 'rtmp://***@media.example/live/room1'],
    ['http://u:Canary42@host/onvif', 'http://***@host/onvif'],
    ["[rtsp @ 0x1] url 'rtsp://admin:p@ss@cam/1' failed", "[rtsp @ 0x1] url 'rtsp://***@cam/1' failed"],
    ['rtsp://admin@cam/1', 'rtsp://***@cam/1'],
    ['rtmp://media.example/live/room1?key=Canary42&x=1', 'rtmp://media.example/live/room1?key=***&x=1'],
    ['rtmp://h/live/s?auth_key=1700000000-0-0-abc', 'rtmp://h/live/s?auth_key=***'],
    ['rtmp://h/live/s?txSecret=abc&txTime=5F', 'rtmp://h/live/s?txSecret=***&txTime=5F'],
    ['srt://h:9000?passphrase=Canary42xyz&latency=200', 'srt://h:9000?passphrase=***&latency=200'],
    [
      'srt://h:9000?streamid=#!::r=live/cam1,token=Canary42,m=publish',
      'srt://h:9000?streamid=#!::r=live/cam1,token=***,m=publish',
    ],
    ['password=Canary42 next', 'password=*** next'],
  ])('%s', (text, masked) => {
    expect(maskSecrets(text)).toBe(masked);
  });

  it('leaves text without credentials as it is', () => {
    for (const text of [
      '[tcp @ 0x55caffb5c840] Connection to tcp://127.0.0.1:1?timeout=2000000 failed: Connection refused',
      'rtsp://192.168.1.64:554/Streaming/Channels/101: Server returned 404 Not Found',
      'frame=  25 fps=0.0 q=-1.0 size=N/A time=00:00:01.00 bitrate=N/A speed=2x',
    ])
      expect(maskSecrets(text)).toBe(text);
  });

  it('masks literal secrets, raw and percent-encoded in either case', () => {
    const secret = 'Ca@n:ary/42';
    const lowerEscapes = encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
    const text = `said ${secret} and ${encodeURIComponent(secret)} and ${lowerEscapes}`;
    const masked = maskSecrets(text, [secret]);
    expect(masked).toBe('said *** and *** and ***');
  });

  it('finds the decoded password of a URL, and none where there is none', () => {
    expect(urlSecrets('rtsp://admin:Ca%40nary@cam/1')).toEqual(['Ca@nary']);
    expect(urlSecrets('rtsp://cam/1')).toEqual([]);
    expect(urlSecrets('-rtsp_transport')).toEqual([]);
  });
});
