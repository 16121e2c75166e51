import { describe, expect, it } from 'vitest';
import { maskCameraText, urlSecrets } from '../../src/cameras/mask.js';

describe("masking ffmpeg's lines", () => {
  it('masks the URLs in a line as every other text is masked', () => {
    expect(
      maskCameraText(
        'rtsp://admin:Canary42@192.168.1.64:554/ch1: Server returned 401 Unauthorized (authorization failed)',
      ),
    ).toBe('rtsp://admin:***@192.168.1.64:554/ch1: Server returned 401 Unauthorized (authorization failed)');
    expect(maskCameraText('Error closing file rtmp://m/live/hall?key=Canary42: Broken pipe')).toBe(
      'Error closing file rtmp://m/live/hall?key=*** Broken pipe',
    );
  });

  it('masks literal secrets wherever they appear, raw and percent-encoded in either case', () => {
    const secret = 'Ca@n:ary/42';
    const lowerEscapes = encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
    const text = `said ${secret} and ${encodeURIComponent(secret)} and ${lowerEscapes}`;
    expect(maskCameraText(text, [secret])).toBe('said *** and *** and ***');
  });

  it('leaves a line without URLs or secrets as it is', () => {
    const line = '[tcp @ 0x55caffb5c840] Connection to tcp://127.0.0.1:1?timeout=2000000 failed: Connection refused';
    expect(maskCameraText(line, ['', 'absent'])).toBe(line);
  });

  it('finds the decoded password of a URL, and none where there is none', () => {
    expect(urlSecrets('rtsp://admin:Ca%40nary@cam/1')).toEqual(['Ca@nary']);
    expect(urlSecrets('rtsp://admin@cam/1')).toEqual([]);
    expect(urlSecrets('rtsp://cam/1')).toEqual([]);
    expect(urlSecrets('-rtsp_transport')).toEqual([]);
    expect(urlSecrets('rtsp://a:%E0%A4%A@cam/1')).toEqual([]);
  });
});
