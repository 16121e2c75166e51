import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from '../../src/util/jsonDepth.js';

function nested(levels: number): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < levels; level++) value = level % 2 === 0 ? [value] : { key: value };
  return value;
}

describe('nestsDeeperThan', () => {
  it('counts arrays and objects, not scalars, and stops at the limit exactly', () => {
    expect(nestsDeeperThan('text', 0)).toBe(false);
    expect(nestsDeeperThan(null, 0)).toBe(false);
    expect(nestsDeeperThan({}, 0)).toBe(true);
    expect(nestsDeeperThan(nested(32), 32)).toBe(false);
    expect(nestsDeeperThan(nested(33), 32)).toBe(true);
  });

  it('finds the deep branch beside shallow ones', () => {
    expect(nestsDeeperThan({ a: 1, b: [2, 3], c: { d: nested(10) } }, 11)).toBe(true);
    expect(nestsDeeperThan({ a: 1, b: [2, 3], c: { d: nested(10) } }, 12)).toBe(false);
  });

  it('walks a value far deeper than the stack would allow a recursive walk', () => {
    expect(nestsDeeperThan(JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)), 32)).toBe(true);
  });
});
