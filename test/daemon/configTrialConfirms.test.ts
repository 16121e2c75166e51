import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/cli.js';
import { startDaemon, waitForControl, writeConfig } from './daemonProcess.js';

describe('a new remote override on trial', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (temp = makeTempDir()));
  afterEach(() => temp.cleanup());

  it('becomes the last good configuration once the daemon has run device.configTrialSeconds with every service started', async () => {
    const { configPath, dataDir, socketPath } = writeConfig(temp.dir, '', ['configTrialSeconds: 5']);
    const overrideDir = join(dataDir, 'config');
    mkdirSync(overrideDir, { recursive: true });
    const override = 'journal:\n  retentionDays: 30\n';
    writeFileSync(join(overrideDir, 'override.yaml'), override);
    const lastGood = join(overrideDir, 'override.last-good.yaml');

    const daemon = startDaemon(configPath);
    await waitForControl(socketPath, daemon);
    const startedAt = Date.now();
    expect(existsSync(lastGood)).toBe(false);

    while (!existsSync(lastGood) && Date.now() - startedAt < 15_000)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(Date.now() - startedAt).toBeGreaterThan(4_000);
    expect(readFileSync(lastGood, 'utf8')).toBe(override);
    expect(await daemon.stop()).toMatchObject({ code: 0 });
  });
});
