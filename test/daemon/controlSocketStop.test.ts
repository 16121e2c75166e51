import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { callDaemon } from '../../src/control/client.js';
import { ControlRegistry } from '../../src/control/registry.js';
import { ControlServer } from '../../src/control/server.js';
import { ErrorCode } from '../../src/errors.js';
import { setLanguage } from '../../src/i18n.js';
import { createSilentLogger } from '../../src/log.js';
import { makeTempDir } from '../helpers/cli.js';
import { RawSocket } from './rawSocket.js';

describe('stopping the control socket stops new work and finishes the request in hand', () => {
  beforeAll(() => setLanguage('en'));
  it('answers the in-flight request, refuses queued ones, and accepts no new clients', async () => {
    const temp = makeTempDir();
    const path = join(temp.dir, 'control.sock');
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const registry = new ControlRegistry();
    registry.register('slow', z.strictObject({}), async (_params, context) => {
      context.progress({ step: 'waiting' });
      await released;
      return 'finished';
    });
    const server = new ControlServer(path, registry, createSilentLogger());
    await server.start();

    const client = await RawSocket.connect(path);
    client.write('{"id": 1, "method": "slow"}\n{"id": 2, "method": "slow"}\n');
    await client.waitForLines(1);
    const stopping = server.stop();
    await expect(callDaemon(path, 'slow', {})).rejects.toMatchObject({ code: ErrorCode.ControlUnavailable });
    release();
    await stopping;
    await client.closed;
    expect(client.lines).toEqual([
      { id: 1, progress: { step: 'waiting' } },
      { id: 1, ok: true, result: 'finished' },
      {
        id: 2,
        ok: false,
        error: { code: ErrorCode.ControlUnavailable, message: 'the daemon is stopping; try again when it is back' },
      },
    ]);
    temp.cleanup();
  });

  it('delivers progress lines to the client before the answer', async () => {
    const temp = makeTempDir();
    const path = join(temp.dir, 'control.sock');
    const registry = new ControlRegistry();
    registry.register('steps', z.strictObject({}), (_params, context) => {
      context.progress('place finger');
      context.progress('lift finger');
      return 'done';
    });
    const server = new ControlServer(path, registry, createSilentLogger());
    await server.start();
    const seen: unknown[] = [];
    expect(await callDaemon(path, 'steps', {}, { onProgress: (data) => seen.push(data) })).toBe('done');
    expect(seen).toEqual(['place finger', 'lift finger']);
    await server.stop();
    temp.cleanup();
  });
});
