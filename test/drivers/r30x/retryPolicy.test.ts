import { describe, expect, it } from 'vitest';
import { DriverErrorCode } from '../../../drivers/common/errors.js';
import type { DriverLogger } from '../../../drivers/common/logger.js';
import { useScanners } from './scannerHarness.js';

/** A logger that lets a test wait for the driver's own account of what it did. */
function recordingLogger() {
  const warnings: string[] = [];
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  const logger: DriverLogger = {
    debug: () => {},
    info: () => {},
    error: () => {},
    warn: (_fields, message = '') => {
      warnings.push(message);
      for (const waiter of waiters.filter((candidate) => message.includes(candidate.text))) waiter.resolve();
    },
  };
  const warned = (text: string): Promise<void> =>
    warnings.some((message) => message.includes(text))
      ? Promise.resolve()
      : new Promise((resolve) => waiters.push({ text, resolve }));
  return { logger, warnings, warned };
}

describe('R30x retries: only what is safe to repeat', () => {
  const start = useScanners();

  it('sends a read again after a timeout and still returns its answer', async () => {
    const { logger, warned } = recordingLogger();
    const { scanner, emulator } = await start(
      { model: 'zfm20' },
      { logger, timeouts: { commands: { ReadIndexTable: 200 } } },
    );
    await scanner.open();
    await emulator.storeTemplate(17, 'rosa-left-index');
    await emulator.hold('ReadIndexTable');
    const listing = scanner.enrolledSlots();
    await warned('sending it again');
    await emulator.release();
    await expect(listing).resolves.toEqual([17]);
    // The second ReadIndexTable reached the module (its count event may trail the reply).
    await expect(emulator.waitForCommand('ReadIndexTable', 5_000, 1)).resolves.toBe(2);
  });

  it('never sends Store twice: a lost Store ack fails the write', async () => {
    const { logger, warnings } = recordingLogger();
    const { scanner, emulator } = await start({ model: 'zfm20' }, { logger, timeouts: { commands: { Store: 200 } } });
    await scanner.open();
    const template = await emulator.template('sam-right-thumb');
    await emulator.hold('Store');
    await expect(scanner.writeTemplate(4, template)).rejects.toMatchObject({ code: DriverErrorCode.Timeout });
    // The module held back its reply and buffered whatever came after: a resent Store would now
    // reach it and be counted.
    await emulator.release();
    await expect(scanner.enrolledSlots()).resolves.toEqual([4]);
    expect(emulator.commandCount('Store')).toBe(1);
    expect(warnings.filter((message) => message.includes('sending it again'))).toEqual([]);
  });
});
