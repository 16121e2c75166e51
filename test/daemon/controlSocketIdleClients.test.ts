import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONTROL_LIMITS } from '../../src/control/server.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { startDaemon, waitForControl, writeConfig, type DaemonProcess } from './daemonProcess.js';
import { RawSocket } from './rawSocket.js';

/** Local clients that connect and say nothing (a stuck script, a hostile user) never keep the CLI out. */
describe('idle control-socket connections and the CLI', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let daemon: DaemonProcess | undefined;
  const idle: RawSocket[] = [];
  beforeEach(() => (temp = makeTempDir()));
  afterEach(async () => {
    for (const socket of idle.splice(0)) socket.end();
    await daemon?.stop();
    daemon = undefined;
    temp.cleanup();
  });

  it('the idle timeout is short beside a five-minute lock-out', () => {
    expect(DEFAULT_CONTROL_LIMITS.idleTimeoutMs).toBeLessThanOrEqual(30_000);
  });

  it('with every place held by an idle client, room-agent status is still answered at once', async () => {
    const { configPath, socketPath } = writeConfig(temp.dir);
    daemon = startDaemon(configPath);
    await waitForControl(socketPath, daemon);
    for (let i = 0; i < DEFAULT_CONTROL_LIMITS.maxConnections + 4; i++) idle.push(await RawSocket.connect(socketPath));

    const started = performance.now();
    const status = await runCli(['status', '--json', '--config', configPath], { timeoutMs: 20_000 });
    expect(status, status.stderr).toMatchObject({ code: 0, signal: null });
    expect(JSON.parse(status.stdout)).toMatchObject({ journal: expect.anything() as unknown });
    // Well inside the idle timeout: the CLI got a place without waiting for one to time out.
    expect(performance.now() - started).toBeLessThan(DEFAULT_CONTROL_LIMITS.idleTimeoutMs / 2);
  });
});
