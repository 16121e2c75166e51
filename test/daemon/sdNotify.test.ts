import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callDaemon } from '../../src/control/client.js';
import { makeTempDir } from '../helpers/cli.js';
import { startDaemon, waitForControl, writeConfig } from './daemonProcess.js';
import { FakeNotifySocket } from './notifySocket.js';

const WATCHDOG_USEC = 400_000;

describe('sd_notify towards systemd', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let notify: FakeNotifySocket;

  beforeEach(() => {
    temp = makeTempDir();
    notify = new FakeNotifySocket(temp.dir);
  });
  afterEach(() => {
    notify.close();
    temp.cleanup();
  });

  it('sends READY=1 once serving, WATCHDOG=1 at half of WATCHDOG_USEC, and STOPPING=1 first on SIGTERM', async () => {
    const { configPath, socketPath } = writeConfig(temp.dir);
    const daemon = startDaemon(configPath, { NOTIFY_SOCKET: notify.path, WATCHDOG_USEC: String(WATCHDOG_USEC) });
    const [ready] = await notify.waitFor('READY=1');
    expect(ready!.text).toMatch(/^READY=1\nSTATUS=running; /);
    // READY comes after the local services run: the control socket answers at once.
    await callDaemon(socketPath, 'status', {});

    const pings = await notify.waitFor('WATCHDOG=1', 6);
    const intervals = pings.slice(1).map((ping, i) => ping.at - pings[i]!.at);
    for (const interval of intervals) {
      expect(interval).toBeGreaterThan(100);
      expect(interval).toBeLessThan(600);
    }
    const mean = intervals.reduce((sum, interval) => sum + interval, 0) / intervals.length;
    expect(mean).toBeGreaterThan(150);
    expect(mean).toBeLessThan(300);

    const exit = await daemon.stop('SIGTERM');
    expect(exit).toMatchObject({ code: 0, signal: null });
    const stopping = notify.with('STOPPING=1');
    expect(stopping).toHaveLength(1);
    const afterStop = notify.messages.filter((message) => message.at > stopping[0]!.at);
    expect(afterStop.map((message) => message.text)).not.toContain('READY=1');
  });

  it('leaves the watchdog to the process WATCHDOG_PID names', async () => {
    const { configPath, socketPath } = writeConfig(temp.dir);
    const daemon = startDaemon(configPath, {
      NOTIFY_SOCKET: notify.path,
      WATCHDOG_USEC: String(WATCHDOG_USEC),
      WATCHDOG_PID: '1',
    });
    await notify.waitFor('READY=1');
    await waitForControl(socketPath, daemon);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(notify.with('WATCHDOG=1')).toEqual([]);
    expect(await daemon.stop()).toMatchObject({ code: 0 });
  });

  it('runs normally and notifies nothing without NOTIFY_SOCKET', async () => {
    const { configPath, socketPath } = writeConfig(temp.dir);
    const daemon = startDaemon(configPath, { WATCHDOG_USEC: String(WATCHDOG_USEC) });
    await waitForControl(socketPath, daemon);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await daemon.stop()).toMatchObject({ code: 0, signal: null });
    expect(notify.messages).toEqual([]);
    expect(daemon.stdout()).not.toContain('sd_notify');
  });
});
