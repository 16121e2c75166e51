import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callDaemon } from '../../src/control/client.js';
import { makeTempDir } from '../helpers/cli.js';
import { startDaemon, waitForControl, writeConfig } from '../daemon/daemonProcess.js';

interface Status {
  services: { name: string; state: string; detail?: string }[];
}

/**
 * The device secrets hold the module password: a damaged file must stop the scanner (and say how
 * to fix it), never the daemon, and is never replaced by new secrets.
 */
describe('a damaged scanner secrets file', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());

  it('degrades the scanner service with the reason while the daemon keeps running', async () => {
    const { configPath, dataDir, socketPath } = writeConfig(temp.dir);
    const secretsFile = join(dataDir, 'keys', 'scanner.json');
    mkdirSync(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
    // A stray byte before the password: JSON.parse would quote the text around it.
    const damaged = '#987654';
    writeFileSync(secretsFile, damaged, { mode: 0o600 });
    const daemon = startDaemon(configPath);

    await waitForControl(socketPath, daemon);
    const status = (await callDaemon(socketPath, 'status', {})) as Status;
    const scanner = status.services.find((service) => service.name === 'scanner');
    expect(scanner).toMatchObject({ state: 'degraded' });
    expect(scanner!.detail).toContain(`${secretsFile} is not JSON`);
    expect(scanner!.detail).toContain('restore it from the backup');
    expect(JSON.stringify(status)).not.toContain('987654');
    expect(status.services.find((service) => service.name === 'signin')).toMatchObject({ state: 'ok' });
    expect(status.services.find((service) => service.name === 'control')).toMatchObject({ state: 'ok' });
    expect(daemon.child.exitCode).toBeNull();
    expect(readFileSync(secretsFile, 'utf8')).toBe(damaged);
    expect(await daemon.stop()).toMatchObject({ code: 0 });
    expect(daemon.stdout() + daemon.stderr()).toContain('is not JSON');
    expect(daemon.stdout() + daemon.stderr()).not.toContain('987654');
  });
});
