import { describe, expect, it } from 'vitest';
import { retime } from '../../src/clock/retime.js';
import type { ClockCorrection } from '../../src/clock/types.js';

const correction: ClockCorrection = {
  bootId: 'boot-b',
  syncWallMs: 1_700_000_600_000,
  syncMonoMs: 660_000,
  source: 'timesyncd',
  seq: 9,
};

describe('retime', () => {
  it('leaves synced events as they are', () => {
    expect(
      retime({ wallMs: 1_700_000_000_000, monoMs: 1, bootId: 'boot-b', clock: 'synced' }, correction, 'boot-b'),
    ).toEqual({ wallMs: 1_700_000_000_000, quality: 'synced' });
  });

  it('places an unsynced event by its monotonic distance to the sync of its boot', () => {
    expect(
      retime({ wallMs: 86_400_000, monoMs: 60_000, bootId: 'boot-b', clock: 'unsynced' }, correction, 'boot-b'),
    ).toEqual({
      wallMs: 1_700_000_600_000 - (660_000 - 60_000),
      quality: 'retimed',
    });
  });

  it('waits for the sync of the current boot', () => {
    expect(
      retime({ wallMs: 86_400_000, monoMs: 60_000, bootId: 'boot-c', clock: 'unsynced' }, undefined, 'boot-c'),
    ).toEqual({ wallMs: 86_400_000, quality: 'pending' });
  });

  it('flags an unsynced event of an earlier boot that never synced', () => {
    expect(
      retime({ wallMs: 86_400_000, monoMs: 60_000, bootId: 'boot-a', clock: 'unsynced' }, undefined, 'boot-c'),
    ).toEqual({ wallMs: 86_400_000, quality: 'not-retimeable' });
  });

  it('never uses the correction of another boot', () => {
    expect(
      retime({ wallMs: 86_400_000, monoMs: 60_000, bootId: 'boot-a', clock: 'unsynced' }, correction, 'boot-c'),
    ).toEqual({ wallMs: 86_400_000, quality: 'not-retimeable' });
  });
});
