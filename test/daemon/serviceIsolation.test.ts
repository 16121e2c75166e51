import { describe, expect, it } from 'vitest';
import { EventBus } from '../../src/daemon/bus.js';
import type { Service, ServiceHealth } from '../../src/daemon/service.js';
import { ServiceSupervisor } from '../../src/daemon/supervisor.js';
import { createSilentLogger } from '../../src/log.js';

/** A service that fails its first `failures` starts, recording what happens to it. */
class RecordingService implements Service {
  running = false;
  attempts = 0;

  constructor(
    readonly name: string,
    private readonly log: string[],
    private readonly failures = 0,
    private readonly stopFails = false,
  ) {}

  start(): void {
    this.attempts++;
    this.log.push(`start ${this.name}`);
    if (this.attempts <= this.failures) throw new Error(`${this.name} device missing`);
    this.running = true;
  }

  stop(): void {
    this.log.push(`stop ${this.name}`);
    this.running = false;
    if (this.stopFails) throw new Error(`${this.name} would not close`);
  }

  health(): ServiceHealth {
    return { state: this.running ? 'ok' : 'stopped' };
  }
}

describe('a service that fails degrades alone', () => {
  it('is reported degraded and retried by itself while the others start and run', async () => {
    const log: string[] = [];
    const flaky = new RecordingService('scanner', log, 2);
    const services = [new RecordingService('clock', log), flaky, new RecordingService('control', log)];
    const bus = new EventBus();
    const changes: string[] = [];
    bus.on('test', 'health.changed', ({ service, state }) => changes.push(`${service} ${state}`));
    const supervisor = new ServiceSupervisor(services, createSilentLogger(), bus);

    await supervisor.startAll();
    expect(supervisor.health()).toEqual([
      { name: 'clock', state: 'ok' },
      { name: 'scanner', state: 'degraded', detail: 'start failed: scanner device missing; retrying in 1 s' },
      { name: 'control', state: 'ok' },
    ]);
    expect(supervisor.allStarted()).toBe(false);

    // Retries after 1 s, then 2 s: the third attempt succeeds.
    const deadline = Date.now() + 10_000;
    while (!supervisor.allStarted() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(flaky.attempts).toBe(3);
    expect(supervisor.health().map(({ state }) => state)).toEqual(['ok', 'ok', 'ok']);
    expect(changes).toEqual(['clock ok', 'scanner degraded', 'control ok', 'scanner degraded', 'scanner ok']);

    log.length = 0;
    await supervisor.stopAll();
    expect(log).toEqual(['stop control', 'stop scanner', 'stop clock']);
  });

  it('stops every service in reverse order even when one fails to stop', async () => {
    const log: string[] = [];
    const services = [
      new RecordingService('a', log),
      new RecordingService('b', log, 0, true),
      new RecordingService('c', log),
    ];
    const supervisor = new ServiceSupervisor(services, createSilentLogger(), new EventBus());
    await supervisor.startAll();
    log.length = 0;
    await supervisor.stopAll();
    expect(log).toEqual(['stop c', 'stop b', 'stop a']);
    expect(supervisor.health().map(({ state }) => state)).toEqual(['stopped', 'stopped', 'stopped']);
  });

  it('cancels pending retries on stop', async () => {
    const log: string[] = [];
    const broken = new RecordingService('broken', log, Infinity);
    const supervisor = new ServiceSupervisor([broken], createSilentLogger(), new EventBus());
    await supervisor.startAll();
    await supervisor.stopAll();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(broken.attempts).toBe(1);
  });
});
