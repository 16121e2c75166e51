import { describe, expect, it } from 'vitest';
import { maskCameraText, urlSecrets } from '../../src/cameras/mask.js';

/** SRT's access control form: the resource and, in `s`, the secret a server such as SRS checks. */
const STREAMID = '#!::r=live/hall,m=publish,s=Canary-sid';

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

  it('finds the secret parameters of a push URL as written and decoded: an SRT passphrase and streamid, a stream key', () => {
    expect(
      urlSecrets(`srt://m:9000?mode=caller&latency=400000&passphrase=Ca%26nary-pass&streamid=${STREAMID}`),
    ).toEqual(['Ca%26nary-pass', 'Ca&nary-pass', STREAMID]);
    expect(urlSecrets('rtmp://m/live/hall?key=Canary42')).toEqual(['Canary42']);
    expect(urlSecrets('srt://m:9000?mode=caller&latency=400000')).toEqual([]);
  });

  it("masks an SRT URL's passphrase and streamid wherever a line shows them, in the URL or out of it, decoded or not", () => {
    const url = `srt://m:9000?mode=caller&passphrase=Ca%26nary-pass&streamid=${STREAMID}`;
    const line = `passphrase Ca&nary-pass, stream ${STREAMID} refused; ${url}: Input/output error`;
    expect(maskCameraText(line, urlSecrets(url))).toBe(
      'passphrase ***, stream *** refused; srt://m:9000?mode=caller&passphrase=***&streamid=*** Input/output error',
    );
  });
});
