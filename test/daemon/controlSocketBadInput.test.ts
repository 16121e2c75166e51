import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_LINE_BYTES } from '../../src/control/protocol.js';
import { ErrorCode } from '../../src/errors.js';
import { setLanguage } from '../../src/i18n.js';
import { RawSocket } from './rawSocket.js';
import { useEchoControlServer } from './echoControlServer.js';
import { stringContaining } from '../helpers/matchers.js';

describe('the control socket answers bad input with an error and keeps serving', () => {
  beforeAll(() => setLanguage('en'));
  const server = useEchoControlServer((registry) =>
    registry.register('explode', z.strictObject({}), () => {
      throw new TypeError('boom');
    }),
  );

  it('replies to each malformed line in order and still serves the next request', async () => {
    const client = await RawSocket.connect(server.path);
    client.write('not json\n');
    client.write('{"id": 1}\n');
    client.write('[1,2,3]\n');
    client.write('{"id": 2, "method": "nope"}\n');
    client.write('{"id": 3, "method": "echo", "params": {"text": 5}}\n');
    client.write('{"id": 4, "method": "explode"}\n');
    client.write('{"id": "last", "method": "echo", "params": {"text": "still here"}}\n');
    const lines = await client.waitForLines(7);
    expect(lines).toEqual([
      {
        id: null,
        ok: false,
        error: { code: ErrorCode.ControlProtocol, message: stringContaining('not valid JSON') },
      },
      {
        id: 1,
        ok: false,
        error: { code: ErrorCode.ControlProtocol, message: stringContaining('a request must be') },
      },
      {
        id: null,
        ok: false,
        error: { code: ErrorCode.ControlProtocol, message: stringContaining('a request must be') },
      },
      {
        id: 2,
        ok: false,
        error: { code: ErrorCode.ControlProtocol, message: 'unknown method "nope"; known: echo, explode' },
      },
      {
        id: 3,
        ok: false,
        error: { code: ErrorCode.UsageError, message: 'echo: text: expected a string, found 5 (number)' },
      },
      { id: 4, ok: false, error: { code: ErrorCode.Internal, message: 'internal error in explode: boom' } },
      { id: 'last', ok: true, result: { text: 'still here' } },
    ]);
    client.end();
  });

  it('cuts off a line longer than the limit without buffering it, and serves other clients', async () => {
    const flooder = await RawSocket.connect(server.path);
    flooder.write(Buffer.alloc(MAX_LINE_BYTES + 1, 'x'));
    const [reply] = await flooder.waitForLines(1);
    expect(reply).toEqual({
      id: null,
      ok: false,
      error: { code: ErrorCode.ControlProtocol, message: `request line longer than ${MAX_LINE_BYTES} bytes` },
    });
    await flooder.closed;

    const other = await RawSocket.connect(server.path);
    other.write('{"id": 1, "method": "echo", "params": {"text": "ok"}}\n');
    expect(await other.waitForLines(1)).toEqual([{ id: 1, ok: true, result: { text: 'ok' } }]);
    other.end();
  });

  it('answers every request of a client that half-closes right after sending', async () => {
    const client = await RawSocket.connect(server.path);
    const requests = Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({ id: i, method: 'echo', params: { text: `n${i}` } }),
    );
    client.write(`${requests.join('\n')}\n`);
    client.end();
    await client.closed;
    expect(client.lines).toEqual(requests.map((_, i) => ({ id: i, ok: true, result: { text: `n${i}` } })));
  });
});
