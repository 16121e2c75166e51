import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callDaemon } from '../../src/control/client.js';
import { noteResultSchema } from '../../src/journal/methods.js';
import { makeTempDir } from '../helpers/cli.js';
import { openJournal, startDaemon, waitForControl, writeConfig } from './daemonProcess.js';

const CLIENTS = 4;

describe('SIGTERM under a steady append load', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (temp = makeTempDir()));
  afterEach(() => temp.cleanup());

  it('exits 0 within 5 s, and every append that was answered is in the journal, which verifies', async () => {
    const { configPath, dataDir, socketPath } = writeConfig(temp.dir);
    const daemon = startDaemon(configPath);
    await waitForControl(socketPath, daemon);

    const answered = new Map<number, string>();
    let stopped = false;
    const client = async (index: number): Promise<void> => {
      for (let n = 0; ; n++) {
        const text = `client ${index} note ${n}`;
        try {
          const { seq } = noteResultSchema.parse(
            await callDaemon(socketPath, 'journal.note', { text, operator: 'load-test' }),
          );
          answered.set(seq, text);
        } catch (error) {
          // Refused or cut off once the daemon stops: that append was never reported as done.
          if (stopped) return;
          throw error;
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, index) => client(index));
    while (answered.size < 200) await new Promise((resolve) => setTimeout(resolve, 20));

    stopped = true;
    const exit = await daemon.stop('SIGTERM');
    await Promise.all(clients);
    expect(exit, daemon.stderr()).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(5_000);

    const journal = openJournal(dataDir);
    try {
      for (const [seq, text] of answered) {
        const [entry] = journal.read(seq - 1, 1);
        expect(entry, `seq ${seq}`).toMatchObject({
          seq,
          type: 'technician.note',
          payload: { text, operator: 'load-test' },
        });
      }
      expect(journal.read(journal.head().seq - 1, 1)).toMatchObject([
        { type: 'agent.stopped', payload: { signal: 'SIGTERM' } },
      ]);
      expect(journal.verify('full')).toMatchObject({ ok: true });
    } finally {
      journal.close();
    }
  });
});
