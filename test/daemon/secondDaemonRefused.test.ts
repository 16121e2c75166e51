import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callDaemon } from '../../src/control/client.js';
import { ExitCode } from '../../src/errors.js';
import { makeTempDir } from '../helpers/cli.js';
import { startDaemon, waitForControl, writeConfig, type DaemonProcess } from './daemonProcess.js';
import { anything } from '../helpers/matchers.js';

describe('two daemons started at the same moment on one data directory', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let daemons: DaemonProcess[] = [];
  beforeEach(() => (temp = makeTempDir()));
  afterEach(async () => {
    for (const daemon of daemons)
      if (daemon.child.exitCode === null && daemon.child.signalCode === null) await daemon.stop('SIGKILL');
    daemons = [];
    temp.cleanup();
  });

  it('exactly one runs; the other exits 69 saying another daemon is already running, and leaves its socket alone', async () => {
    const { configPath, dataDir, socketPath } = writeConfig(temp.dir);
    daemons = [startDaemon(configPath), startDaemon(configPath)];

    const loser = await Promise.race(daemons.map((daemon) => daemon.exited.then(() => daemon)));
    const winner = daemons.find((daemon) => daemon !== loser)!;
    expect(await loser.exited).toEqual({ code: ExitCode.Unavailable, signal: null });
    expect(loser.stderr()).toBe(
      `room-agent: another room-agent daemon is already running on ${dataDir}; stop it first (systemctl stop room-agent)\n`,
    );

    await waitForControl(socketPath, winner);
    expect(existsSync(socketPath)).toBe(true);
    expect(await callDaemon(socketPath, 'status', {})).toMatchObject({ daemon: anything() });
    expect(await winner.stop()).toMatchObject({ code: 0 });
  });
});
