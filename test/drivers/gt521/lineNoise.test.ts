import { describe, expect, it } from 'vitest';
import { hex, randomBytes, seededRandom } from './bytes.js';
import { useScanners } from './scannerHarness.js';

/** Seeded noise salted with fake headers and a well-formed ACK from another device id. */
function noise(seed: number, length: number): Buffer {
  const random = seededRandom(seed);
  const pieces: Buffer[] = [];
  for (let total = 0; total < length;) {
    const choice = random();
    const piece =
      choice < 0.15
        ? Buffer.concat([hex('55AA 0100'), randomBytes(random, Math.floor(random() * 10))])
        : choice < 0.2
          ? hex('55AA 0200 00000000 3000 3101')
          : randomBytes(random, 1 + Math.floor(random() * 500));
    pieces.push(piece);
    total += piece.length;
  }
  return Buffer.concat(pieces);
}

describe('GT-521F line noise', () => {
  const start = useScanners();

  it('shrugs off noise while idle and in front of an awaited reply; the sign-in still matches', async () => {
    const { emulator, scanner } = await start();
    await scanner.open();
    await emulator.storeTemplate(33, 'jia-left-middle');
    await emulator.place('jia-left-middle');

    await emulator.noise(noise(1, 20_000));
    await expect(scanner.identify()).resolves.toEqual({ kind: 'match', slot: 33, score: 0 });

    await emulator.hold('Identify1_N');
    const identifying = scanner.identify();
    await emulator.waitForEvent((event) => event.event === 'held', 5_000, 'the held Identify1_N');
    await emulator.noise(noise(2, 20_000));
    await emulator.release();
    await expect(identifying).resolves.toEqual({ kind: 'match', slot: 33, score: 0 });
  });
});
