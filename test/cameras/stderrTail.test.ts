import { describe, expect, it } from 'vitest';
import { StderrTail } from '../../src/cameras/ffmpeg/stderrTail.js';

describe("the kept tail of ffmpeg's stderr", () => {
  it('splits lines at \\n, \\r\\n and \\r, across chunks, and keeps no blank ones', () => {
    const tail = new StderrTail();
    for (const chunk of ['first li', 'ne\r\nsecond\rthird\n\n  \nfou', 'rth']) tail.push(chunk);
    expect(tail.lines()).toEqual(['first line', 'second', 'third']);
    tail.flush();
    expect(tail.lines()).toEqual(['first line', 'second', 'third', 'fourth']);
  });

  it('keeps only the last `limit` lines', () => {
    const tail = new StderrTail([], 3);
    tail.push('1\n2\n3\n4\n5\n');
    expect(tail.lines()).toEqual(['3', '4', '5']);
  });

  it('masks a URL split across chunks once its line is whole, and literal secrets', () => {
    const tail = new StderrTail(['hunter22']);
    tail.push('rtsp://admin:Can');
    tail.push('ary42@cam/1: Connection refused; hunter22\n');
    expect(tail.lines()).toEqual(['rtsp://admin:***@cam/1: Connection refused; ***']);
  });

  it('cuts a runaway line, after masking it', () => {
    const tail = new StderrTail();
    tail.push(`rtsp://admin:Canary42@cam/${'x'.repeat(100_000)}\n`);
    const [line] = tail.lines();
    expect(line!.length).toBeLessThanOrEqual(2_000);
    expect(line).toMatch(/^rtsp:\/\/admin:\*\*\*@cam\/x+$/);
  });
});
