import { describe, expect, it } from 'vitest';
import { useRigs } from './rig.js';
import { objectContaining } from '../helpers/matchers.js';

describe('a large R30x library', () => {
  const rig = useRigs();

  it('signs in a member whose template lives above page 162 of an R307 with 1000 pages', async () => {
    const room = await rig('r30x', { model: 'r307' });
    expect(room.scanner.info()).toMatchObject({ capacity: 1000 });
    await room.enroll([{ memberId: 'm-876', fingers: [{ slot: 876, finger: 'he-right-thumb' }] }]);
    expect(await room.touch('he-right-thumb')).toBe('accepted');
    expect(room.entries('signin.accepted').map((entry) => entry.payload)).toEqual([
      objectContaining({ memberId: 'm-876', slot: 876 }),
    ]);
  });
});
