import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callDaemon } from '../../src/control/client.js';
import { makeTempDir } from '../helpers/cli.js';
import { startDaemon, waitForControl, writeConfig } from '../daemon/daemonProcess.js';
import { stringContaining } from '../helpers/matchers.js';

/** One JSON log line per element, as the daemon writes them for journald. */
function logLines(stdout: string): Array<{ level: number; msg: string }> {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string });
}

describe('a scanner that is not plugged in', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (temp = makeTempDir()));
  afterEach(() => temp.cleanup());

  it('is retried with backoff but warned about once, not once per retry', async () => {
    const missing = join(temp.dir, 'no-such-scanner');
    const { configPath, socketPath } = writeConfig(temp.dir, `scanner:\n  driver: r30x\n  path: ${missing}\n`);
    const daemon = startDaemon(configPath);
    await waitForControl(socketPath, daemon);
    // The backoff starts at 0.5 s and doubles: by 4 s the module has been tried at least three times.
    await sleep(4000);
    const status = (await callDaemon(socketPath, 'status', {})) as {
      services: Array<{ name: string; state: string; detail?: string }>;
    };
    expect(status.services.find((service) => service.name === 'scanner')).toMatchObject({
      state: 'degraded',
      detail: stringContaining(missing),
    });
    expect(await daemon.stop()).toMatchObject({ code: 0 });

    const warnings = logLines(daemon.stdout()).filter((line) => line.msg === 'cannot open the fingerprint module');
    expect(warnings.filter((line) => line.level === 40)).toHaveLength(1);
  });
});
