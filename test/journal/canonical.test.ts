import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, entryHash } from '../../src/journal/canonical.js';
import { ErrorCode, isAgentError } from '../../src/errors.js';
import type { EntryContent } from '../../src/journal/types.js';

describe('canonical encoding', () => {
  it.each([
    [{ b: 1, a: [true, null, 'x'], c: { z: 0.5, y: -0 } }, '{"a":[true,null,"x"],"b":1,"c":{"y":0,"z":0.5}}'],
    [[], '[]'],
    [{}, '{}'],
    ['\u0001\n"\\é€', '"\\u0001\\n\\"\\\\é€"'],
    // RFC 8785 §3.2.2.3 number examples.
    [
      // eslint-disable-next-line no-loss-of-precision -- the RFC's own literal: how it rounds is the point
      [1e30, 4.5, 2e-3, 0.000000000000000000000000001, 333333333.33333329, 1e21, -1e-7],
      '[1e+30,4.5,0.002,1e-27,333333333.3333333,1e+21,-1e-7]',
    ],
  ])('encodes %j as %s', (value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });

  it('sorts members by UTF-16 code units (RFC 8785 §3.2.3 example)', () => {
    const value = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    expect(canonicalJson(value)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",' +
        '"\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it.each([
    ['NaN', { score: Number.NaN }, 'payload.score: number must be finite'],
    ['Infinity', [1, Number.POSITIVE_INFINITY], 'payload[1]: number must be finite'],
    ['undefined member', { a: undefined }, 'payload.a: undefined is not a JSON value'],
    ['bigint', { n: 1n }, 'payload.n: bigint is not a JSON value'],
    ['Date', { at: new Date(0) }, 'payload.at: Date is not a plain object'],
    ['Map', new Map(), 'payload: Map is not a plain object'],
    // eslint-disable-next-line no-sparse-arrays -- the hole is the input under test
    ['array hole', [1, , 3], 'payload[1]: undefined is not a JSON value'],
    ['lone surrogate', { s: 'a\ud800b' }, 'payload.s: string contains a lone UTF-16 surrogate'],
  ])('rejects %s with a JournalBadInput naming the path', (_name, value, message) => {
    let caught: unknown;
    try {
      canonicalJson(value, 'payload');
    } catch (error) {
      caught = error;
    }
    expect(isAgentError(caught, ErrorCode.JournalBadInput)).toBe(true);
    expect((caught as Error).message).toContain(message);
  });

  it('hashes an entry over all fields but hash and signature (fixed vector)', () => {
    const content: EntryContent = {
      seq: 1,
      id: '5b0c1f52-3c1a-4f7e-9d7e-2f4b8a1c0d11',
      type: 'signin.accepted',
      payload: { memberId: 'm-7', page: 12, score: 163, activityId: null },
      wallMs: 1700000000123,
      bootId: 'boot-a',
      monoMs: 5123,
      clock: 'unsynced',
      prevHash: '0'.repeat(64),
      keyId: '0123456789abcdef',
    };
    const encoded =
      '{"bootId":"boot-a","clock":"unsynced","id":"5b0c1f52-3c1a-4f7e-9d7e-2f4b8a1c0d11","keyId":"0123456789abcdef","monoMs":5123,' +
      '"payload":{"activityId":null,"memberId":"m-7","page":12,"score":163},"prevHash":"0000000000000000000000000000000000000000000000000000000000000000",' +
      '"seq":1,"type":"signin.accepted","wallMs":1700000000123}';
    expect(canonicalJson(content)).toBe(encoded);
    expect(createHash('sha256').update(encoded, 'utf8').digest('hex')).toBe(
      '9a172a566403219cc81e28a0473fed5a9833b8ff1af12143cb95d9b6233e56af',
    );
    expect(entryHash(content)).toBe('9a172a566403219cc81e28a0473fed5a9833b8ff1af12143cb95d9b6233e56af');
    // Anything else on the object (a hash, a signature) is not part of the hash.
    expect(entryHash({ ...content, hash: 'x', signature: 'y' } as EntryContent)).toBe(entryHash(content));
  });
});
