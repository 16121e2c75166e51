import { existsSync, statSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { callDaemon } from '../../src/control/client.js';
import { ControlRegistry } from '../../src/control/registry.js';
import { ControlServer } from '../../src/control/server.js';
import { ErrorCode } from '../../src/errors.js';
import { setLanguage } from '../../src/i18n.js';
import { createSilentLogger } from '../../src/log.js';
import { makeTempDir } from '../helpers/cli.js';
import { stringContaining } from '../helpers/matchers.js';

const LISTEN_AND_REPORT = "require('node:net').createServer().listen(process.argv[1], () => console.log('listening'))";

function echoRegistry(): ControlRegistry {
  const registry = new ControlRegistry();
  registry.register('echo', z.strictObject({ text: z.string() }), ({ text }) => text);
  return registry;
}

describe('the control socket file belongs to one daemon', () => {
  beforeAll(() => setLanguage('en'));
  let temp: ReturnType<typeof makeTempDir>;
  let path: string;

  beforeEach(() => {
    temp = makeTempDir();
    path = join(temp.dir, 'control.sock');
  });
  afterEach(() => temp.cleanup());

  it('is created with mode 0660 and removed on stop', async () => {
    const server = new ControlServer(path, echoRegistry(), createSilentLogger());
    await server.start();
    expect(statSync(path).mode & 0o777).toBe(0o660);
    expect(await callDaemon(path, 'echo', { text: 'hi' })).toBe('hi');
    await server.stop();
    expect(existsSync(path)).toBe(false);
  });

  it('replaces a stale socket file that nothing answers on', async () => {
    // A daemon killed with SIGKILL leaves its socket file behind.
    const crashed = spawn(process.execPath, ['-e', LISTEN_AND_REPORT, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    await once(crashed.stdout, 'data');
    crashed.kill('SIGKILL');
    await once(crashed, 'exit');
    expect(statSync(path).isSocket()).toBe(true);

    const server = new ControlServer(path, echoRegistry(), createSilentLogger());
    await server.start();
    expect(await callDaemon(path, 'echo', { text: 'fresh' })).toBe('fresh');
    await server.stop();
  });

  it('refuses to start while another daemon answers on the path', async () => {
    const first = new ControlServer(path, echoRegistry(), createSilentLogger());
    await first.start();
    const second = new ControlServer(path, echoRegistry(), createSilentLogger());
    await expect(second.start()).rejects.toMatchObject({
      code: ErrorCode.DaemonAlreadyRunning,
      message: stringContaining(path),
    });
    expect(await callDaemon(path, 'echo', { text: 'first still serves' })).toBe('first still serves');
    await first.stop();
  });

  it('never deletes a file that is not a socket', async () => {
    writeFileSync(path, 'important');
    const server = new ControlServer(path, echoRegistry(), createSilentLogger());
    await expect(server.start()).rejects.toMatchObject({
      message: `${path} exists and is not a socket; remove it or set device.controlSocket to another path`,
    });
    expect(existsSync(path)).toBe(true);
  });

  it('tells a client that no daemon listens', async () => {
    await expect(callDaemon(path, 'echo', { text: 'x' })).rejects.toMatchObject({
      code: ErrorCode.ControlUnavailable,
      message: `no room-agent daemon is listening on ${path}`,
    });
  });
});
