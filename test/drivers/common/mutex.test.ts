import { describe, expect, it } from 'vitest';
import { Mutex } from '../../../drivers/common/mutex.js';

function deferred(): { promise: Promise<void>; release(): void } {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

describe('Mutex', () => {
  it('runs one operation at a time, in arrival order', async () => {
    const mutex = new Mutex();
    const events: string[] = [];
    const gates = [deferred(), deferred(), deferred()];
    const runs = gates.map((gate, index) =>
      mutex.run(async () => {
        events.push(`start ${index}`);
        await gate.promise;
        events.push(`end ${index}`);
        return index;
      }),
    );
    await Promise.resolve();
    // Release out of order: the later ones must still wait for the first.
    gates[2]!.release();
    gates[1]!.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(['start 0']);
    gates[0]!.release();
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect(events).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('passes a failure to its own caller and keeps serving the queue', async () => {
    const mutex = new Mutex();
    const failing = mutex.run(() => Promise.reject(new Error('module said no')));
    const next = mutex.run(() => Promise.resolve('still works'));
    await expect(failing).rejects.toThrow('module said no');
    await expect(next).resolves.toBe('still works');
  });

  it('treats a synchronous throw inside fn like a rejection', async () => {
    const mutex = new Mutex();
    const failing = mutex.run(() => {
      throw new Error('sync');
    });
    await expect(failing).rejects.toThrow('sync');
    await expect(mutex.run(() => Promise.resolve(1))).resolves.toBe(1);
  });
});
