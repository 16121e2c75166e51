import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../src/clock/systemClock.js';
import { TimesyncdFlagSource } from '../../src/clock/timesyncd.js';
import { configSchema } from '../../src/config/schema.js';
import { EventBus } from '../../src/daemon/bus.js';
import { ErrorCode } from '../../src/errors.js';
import type { FeedbackSignal } from '../../src/feedback/patterns.js';
import { Journal } from '../../src/journal/journal.js';
import { createSilentLogger } from '../../src/log.js';
import { MemberStore } from '../../src/members/store.js';
import { loadScannerSecrets } from '../../src/scanner/secrets.js';
import { ScannerService } from '../../src/scanner/service.js';
import { SignInRecorder } from '../../src/signin/recorder.js';
import { SignInService } from '../../src/signin/service.js';
import { FakeKeyboard } from '../drivers/transport/keyboardReports.js';
import { makeTempDir } from '../helpers/cli.js';

describe('sign-in with a keyboard-wedge reader (scanner.driver hid-keyboard)', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('signs in the member number the reader types, and reopens the reader after a pull', async () => {
    const temp = makeTempDir('room-agent-card-');
    cleanups.push(temp.cleanup);
    const dataDir = join(temp.dir, 'data');
    const config = configSchema.parse({
      version: 1,
      device: { id: 'card-room', dataDir },
      county: { url: 'mqtt://127.0.0.1' },
      scanner: { driver: 'hid-keyboard' },
    });
    const logger = createSilentLogger();
    const bus = new EventBus();
    const clock = new SystemClock(new TimesyncdFlagSource(join(temp.dir, 'no-flag')));
    const journal = Journal.open({ dataDir, access: 'create', clock, logger, bus });
    cleanups.push(() => journal.close());
    new MemberStore(journal).upsertMembers(
      [{ memberId: '10001', name: 'Card Holder', role: 'member', status: 'active' }],
      'cli',
      'test',
    );

    const readers: FakeKeyboard[] = [];
    const openHid = () => {
      const reader = new FakeKeyboard();
      readers.push(reader);
      return reader;
    };
    const scanner = new ScannerService({
      config,
      journal,
      bus,
      logger,
      secrets: () => loadScannerSecrets(dataDir, { create: true }),
      openHid,
      backoff: { minMs: 20, maxMs: 100, jitter: 0 },
    });
    const signals: FeedbackSignal[] = [];
    const recorder = new SignInRecorder({ journal, currentActivityId: () => null, clock, windowMinutes: 120 });
    const signIn = new SignInService({
      config: config.scanner,
      scanner,
      recorder,
      feedback: {
        show: (signal) => {
          signals.push(signal);
          return Promise.resolve();
        },
      },
      bus,
      logger,
    });
    const states: string[] = [];
    bus.on('test', 'scanner.state', ({ state }) => states.push(state));
    await scanner.start();
    await signIn.start();
    cleanups.push(async () => {
      signIn.stop();
      await scanner.stop();
    });
    const settled = () => new Promise((resolve) => setTimeout(resolve, 50));

    expect(scanner.state()).toBe('connected');
    readers[0]!.type('10001\n');
    readers[0]!.type('10001\n');
    readers[0]!.type('99999\n');
    await settled();
    expect(signals).toEqual(['accepted', 'already', 'rejected']);

    readers[0]!.emit('error', new Error('device unplugged'));
    await settled();
    expect(states).toEqual(['connecting', 'connected', 'disconnected', 'connected']);
    expect(readers).toHaveLength(2);
    readers[1]!.type('10001\n');
    await settled();
    // The pull itself was signalled as a fault.
    expect(signals).toEqual(['accepted', 'already', 'rejected', 'fault', 'already']);

    const entries = journal.read(0, 1000).filter((entry) => entry.type.startsWith('signin.'));
    expect(entries.map((entry) => [entry.type, entry.payload])).toEqual([
      ['signin.accepted', { memberId: '10001', slot: null, score: null, activityId: null, method: 'card' }],
      ['signin.unknown', { activityId: null, reason: 'unknown-card' }],
    ]);
    await expect(scanner.exclusive('enroll', () => Promise.resolve('used'))).rejects.toMatchObject({
      code: ErrorCode.ScannerDisabled,
    });
  });
});
