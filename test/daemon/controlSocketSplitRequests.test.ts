import { describe, expect, it } from 'vitest';
import { RawSocket } from './rawSocket.js';
import { useEchoControlServer } from './echoControlServer.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A client's bytes arrive in whatever pieces the kernel delivers: no piece may leave a request unanswered. */
describe('the control socket answers requests however they are split', () => {
  const server = useEchoControlServer();

  it('a request split across two writes, the second after a pause', async () => {
    const client = await RawSocket.connect(server.path);
    client.write('{"id": 1, "method": "ec');
    await pause(100);
    client.write('ho", "params": {"text": "whole"}}\n');
    expect(await client.waitForLines(1)).toEqual([{ id: 1, ok: true, result: { text: 'whole' } }]);

    // And the connection goes on serving after it.
    client.write('{"id": 2, "method": "echo", "params": {"text": "next"}}\n');
    expect(await client.waitForLines(2)).toEqual([
      { id: 1, ok: true, result: { text: 'whole' } },
      { id: 2, ok: true, result: { text: 'next' } },
    ]);
    client.end();
    await client.closed;
  });

  it('a blank first line, then requests', async () => {
    const client = await RawSocket.connect(server.path);
    client.write('\n');
    await pause(100);
    client.write('{"id": 1, "method": "echo", "params": {"text": "after a blank line"}}\n');
    expect(await client.waitForLines(1)).toEqual([{ id: 1, ok: true, result: { text: 'after a blank line' } }]);
    client.end();
    await client.closed;
  });

  it('a client that sends half a request and shuts its side is closed, not left hanging', async () => {
    const client = await RawSocket.connect(server.path);
    client.write('{"id": 1, "met');
    await pause(100);
    client.end();
    await client.closed;
    expect(client.lines).toEqual([]);
  });
});
