import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_LINE_BYTES } from '../../src/control/protocol.js';
import { ControlRegistry } from '../../src/control/registry.js';
import { ControlServer, type ControlLimits } from '../../src/control/server.js';
import { ErrorCode } from '../../src/errors.js';
import { setLanguage } from '../../src/i18n.js';
import { createSilentLogger } from '../../src/log.js';
import { makeTempDir } from '../helpers/cli.js';
import { RawSocket } from './rawSocket.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const BIG_ANSWER_BYTES = 128 * 1024;

/** What one client can hold is bounded: memory, time and connections (limits shrunk for the test). */
describe('control socket limits', () => {
  beforeAll(() => setLanguage('en'));
  let temp: ReturnType<typeof makeTempDir>;
  let server: ControlServer | undefined;
  let path: string;
  let handled: number;

  function registry(): ControlRegistry {
    const methods = new ControlRegistry();
    methods.register('echo', z.strictObject({ text: z.string() }), ({ text }) => ({ text }));
    methods.register('big', z.strictObject({}), () => {
      handled++;
      return 'x'.repeat(BIG_ANSWER_BYTES);
    });
    methods.register('slow', z.strictObject({ ms: z.number() }), async ({ ms }) => {
      await pause(ms);
      return 'done';
    });
    return methods;
  }

  async function start(limits: ControlLimits): Promise<void> {
    server = new ControlServer(path, registry(), createSilentLogger(), limits);
    await server.start();
  }

  beforeEach(() => {
    temp = makeTempDir();
    path = join(temp.dir, 'control.sock');
    handled = 0;
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    temp.cleanup();
  });

  it('stops handling requests while a client does not read its answers, and goes on once it does', async () => {
    await start({ idleTimeoutMs: 60_000, maxConnections: 32 });
    const client = await RawSocket.connect(path);
    client.pause();
    const count = 64;
    client.write(Array.from({ length: count }, (_, id) => `${JSON.stringify({ id, method: 'big' })}\n`).join(''));
    await pause(500);
    // Only what fits in the kernel's socket buffers was produced: not 64 × 128 KiB in the daemon's memory.
    expect(handled).toBeGreaterThan(0);
    expect(handled).toBeLessThan(16);

    client.resume();
    const lines = await client.waitForLines(count, 20_000);
    expect(lines.map((line) => (line as { id: number }).id)).toEqual(Array.from({ length: count }, (_, id) => id));
    expect(handled).toBe(count);
    client.end();
  });

  it('closes an idle connection, but never one whose request is still running', async () => {
    await start({ idleTimeoutMs: 300, maxConnections: 32 });
    const idle = await RawSocket.connect(path);
    const busy = await RawSocket.connect(path);
    busy.write('{"id": 1, "method": "slow", "params": {"ms": 1000}}\n');

    const idleClosedAt = await idle.closed.then(() => performance.now());
    expect(await busy.waitForLines(1, 5_000)).toEqual([{ id: 1, ok: true, result: 'done' }]);
    const answeredAt = performance.now();
    expect(answeredAt).toBeGreaterThan(idleClosedAt);
    // Once answered, the busy client is idle too and goes the same way.
    await busy.closed;
  });

  it('closes a connection whose client stopped reading its answers', async () => {
    await start({ idleTimeoutMs: 300, maxConnections: 32 });
    const client = await RawSocket.connect(path);
    client.pause();
    const count = 64;
    client.write(Array.from({ length: count }, (_, id) => `${JSON.stringify({ id, method: 'big' })}\n`).join(''));
    await pause(1_000);
    client.resume();
    await client.closed;
    // What was in the kernel's buffers arrives; the rest was never produced.
    expect(client.lines.length).toBeLessThan(count);
    expect(handled).toBeLessThan(16);
  });

  it('gives a new client the place of the connection idle the longest, so idle clients never lock the CLI out', async () => {
    await start({ idleTimeoutMs: 60_000, maxConnections: 2 });
    const first = await RawSocket.connect(path);
    await pause(20);
    const second = await RawSocket.connect(path);
    second.write('{"id": 2, "method": "echo", "params": {"text": "recent"}}\n');
    expect(await second.waitForLines(1)).toEqual([{ id: 2, ok: true, result: { text: 'recent' } }]);
    const third = await RawSocket.connect(path);
    await first.closed;
    third.write('{"id": 3, "method": "echo", "params": {"text": "served"}}\n');
    expect(await third.waitForLines(1)).toEqual([{ id: 3, ok: true, result: { text: 'served' } }]);
    // The connection used more recently stays.
    second.write('{"id": 4, "method": "echo", "params": {"text": "still here"}}\n');
    expect(await second.waitForLines(2)).toContainEqual({ id: 4, ok: true, result: { text: 'still here' } });
    second.end();
    third.end();
  });

  it('refuses a client beyond maxConnections only while every connection has a request in hand', async () => {
    await start({ idleTimeoutMs: 60_000, maxConnections: 2 });
    const first = await RawSocket.connect(path);
    const second = await RawSocket.connect(path);
    first.write('{"id": 1, "method": "slow", "params": {"ms": 800}}\n');
    second.write('{"id": 2, "method": "slow", "params": {"ms": 800}}\n');
    await pause(100);
    const third = await RawSocket.connect(path);
    await third.closed;
    expect(await first.waitForLines(1, 5_000)).toEqual([{ id: 1, ok: true, result: 'done' }]);
    expect(await second.waitForLines(1, 5_000)).toEqual([{ id: 2, ok: true, result: 'done' }]);
    // Both idle again: a new client is served.
    const fourth = await RawSocket.connect(path);
    fourth.write('{"id": 4, "method": "echo", "params": {"text": "my turn"}}\n');
    expect(await fourth.waitForLines(1)).toEqual([{ id: 4, ok: true, result: { text: 'my turn' } }]);
    first.end();
    second.end();
    fourth.end();
  });

  it('answers the requests queued before an over-long line, then says the line was too long, then closes', async () => {
    await start({ idleTimeoutMs: 60_000, maxConnections: 32 });
    const client = await RawSocket.connect(path);
    // The slow request is in hand and the echo queued when the over-long line arrives.
    client.write(
      '{"id": 1, "method": "slow", "params": {"ms": 200}}\n{"id": 2, "method": "echo", "params": {"text": "queued"}}\n',
    );
    await pause(50);
    client.write(Buffer.alloc(MAX_LINE_BYTES + 1, 'x'));
    await client.closed;
    expect(client.lines).toEqual([
      { id: 1, ok: true, result: 'done' },
      { id: 2, ok: true, result: { text: 'queued' } },
      {
        id: null,
        ok: false,
        error: { code: ErrorCode.ControlProtocol, message: `request line longer than ${MAX_LINE_BYTES} bytes` },
      },
    ]);
  });
});
