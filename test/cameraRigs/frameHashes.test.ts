import { describe, expect, it } from 'vitest';
import { consecutiveSourceOffset } from '../helpers/frameHashes.js';

/** The comparison itself, on made-up hashes: where the received run starts, across the clip's end too. */
describe('consecutiveSourceOffset', () => {
  const source = ['a', 'b', 'c', 'd', 'e'];

  it('finds a run inside the clip and one that goes on over its end into the next loop', () => {
    expect(consecutiveSourceOffset(['b', 'c', 'd'], source)).toBe(1);
    expect(consecutiveSourceOffset(['d', 'e', 'a', 'b', 'c', 'd', 'e', 'a'], source)).toBe(3);
  });

  it('finds nothing when a frame is dropped, repeated, reordered or foreign, or nothing was received', () => {
    for (const received of [['a', 'c'], ['b', 'b'], ['c', 'b'], ['a', 'x'], []])
      expect(consecutiveSourceOffset(received, source)).toBeNull();
  });
});
