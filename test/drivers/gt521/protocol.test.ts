import { describe, expect, it } from 'vitest';
import { DriverErrorCode } from '../../../drivers/common/errors.js';
import { gt521Commands } from '../../../drivers/gt521/framing/commands.js';
import { Gt521Protocol } from '../../../drivers/gt521/protocol/protocol.js';
import { DEFAULT_GT521_TIMEOUTS, dataTimeout, type Gt521Timeouts } from '../../../drivers/gt521/protocol/timeouts.js';
import { gtData, gtResponse } from './bytes.js';
import { ScriptedTransport } from './scriptedTransport.js';
import { stringContaining, stringMatching } from '../../helpers/matchers.js';

// Short bounds keep the timing cases quick; each is still far above a scripted reply's latency.
const timeouts: Gt521Timeouts = {
  ...DEFAULT_GT521_TIMEOUTS,
  query: 150,
  captureFast: 150,
  templateStore: 150,
  lateReplyQuiet: 60,
};

const ACK = gtResponse(true, 0);
const commandCode = (written: Buffer): number => written.readUInt16LE(8);

async function openProtocol(answer: ConstructorParameters<typeof ScriptedTransport>[0]) {
  const transport = new ScriptedTransport(answer);
  const protocol = new Gt521Protocol(transport, undefined, timeouts);
  await protocol.open(9600);
  return { transport, protocol };
}

describe('Gt521Protocol', () => {
  it('puts one command on the wire at a time', async () => {
    const { transport, protocol } = await openProtocol(() => ACK);
    const writesSeenAtReply: number[] = [];
    const first = protocol
      .command(gt521Commands.cmosLed(true))
      .then(() => writesSeenAtReply.push(transport.writes.length));
    const second = protocol.command(gt521Commands.isPressFinger());
    await Promise.all([first, second]);
    expect(writesSeenAtReply).toEqual([1]);
    expect(transport.writes.map(commandCode)).toEqual([0x12, 0x26]);
  });

  it('reads a reply and its data packet arriving in one chunk', async () => {
    const info = Buffer.alloc(24, 0x11);
    const { protocol } = await openProtocol(() => Buffer.concat([ACK, gtData(info)]));
    const reply = await protocol.commandWithData(gt521Commands.open(true), 24);
    expect(reply.response.ack).toBe(true);
    expect(reply.data).toEqual(info);
  });

  it('returns a NACK to a data command without waiting for data', async () => {
    const { protocol } = await openProtocol(() => gtResponse(false, 0x1004));
    const started = performance.now();
    const reply = await protocol.commandWithData(gt521Commands.getTemplate(3), 498);
    expect(reply).toEqual({ response: { kind: 'response', ack: false, param: 0x1004 } });
    expect(performance.now() - started).toBeLessThan(timeouts.query);
  });

  it('asks an idempotent query again when its reply is lost, but never a capture', async () => {
    const lossy = await openProtocol((_written, index) => (index === 0 ? undefined : gtResponse(true, 1)));
    const pressed = lossy.protocol.command(gt521Commands.isPressFinger());
    await expect(pressed).resolves.toMatchObject({ ack: true, param: 1 });
    expect(lossy.transport.writes).toHaveLength(2);

    const silent = await openProtocol(() => undefined);
    await expect(silent.protocol.command(gt521Commands.captureFinger(false))).rejects.toMatchObject({
      code: DriverErrorCode.Timeout,
      message: stringMatching(
        /^no CaptureFinger\(fast\) reply from the GT-521F module on scripted test transport within 150 ms$/,
      ),
    });
    expect(silent.transport.writes).toHaveLength(1);
  });

  it('does not take a reply that missed its deadline for the next command’s answer', async () => {
    // The module is slow with both: the capture's NACK straggles in just after its deadline, and
    // the next command's own reply comes a little later still.
    const { transport, protocol } = await openProtocol((written) => {
      const late = commandCode(written) === 0x60 ? gtResponse(false, 0x1012) : gtResponse(true, 0x26);
      const delayMs = commandCode(written) === 0x60 ? timeouts.captureFast + 10 : 30;
      setTimeout(() => transport.send(late), delayMs);
      return undefined;
    });
    await expect(protocol.command(gt521Commands.captureFinger(false))).rejects.toMatchObject({
      code: DriverErrorCode.Timeout,
    });
    const next = protocol.command(gt521Commands.isPressFinger());
    await expect(next).resolves.toMatchObject({ ack: true, param: 0x26 });
  });

  it('sends SetTemplate’s data after the ACK and returns the final answer', async () => {
    const template = Buffer.alloc(498, 0x42);
    const { transport, protocol } = await openProtocol((written) =>
      written[0] === 0x5a ? gtResponse(false, 17) : ACK,
    );
    const request = gt521Commands.setTemplate(5);
    const final = await protocol.commandSendingData(request, template, timeouts.templateStore);
    expect(final).toEqual({ kind: 'response', ack: false, param: 17 });
    expect(transport.writes.map((bytes) => bytes.length)).toEqual([12, 504]);
    expect(transport.writes[1]).toEqual(gtData(template));
  });

  it('rejects the waiting command at once with Disconnected when the transport goes away', async () => {
    const { transport, protocol } = await openProtocol(() => undefined);
    const identify = protocol.command(gt521Commands.identify());
    setTimeout(() => transport.unplug(), 5);
    const started = performance.now();
    await expect(identify).rejects.toMatchObject({ code: DriverErrorCode.Disconnected });
    expect(performance.now() - started).toBeLessThan(timeouts.query);
    await expect(protocol.command(gt521Commands.isPressFinger())).rejects.toMatchObject({
      code: DriverErrorCode.TransportClosed,
    });
  });

  it('fails a command whose write fails at once with TransportWrite, not after its timeout', async () => {
    const transport = new ScriptedTransport(() => undefined);
    transport.write = () => Promise.reject(new Error('EIO: i/o error'));
    const protocol = new Gt521Protocol(transport, undefined, { ...timeouts, flashErase: 30_000 });
    await protocol.open(9600);
    const started = performance.now();
    await expect(protocol.command(gt521Commands.deleteAll())).rejects.toMatchObject({
      code: DriverErrorCode.TransportWrite,
      context: { command: 'DeleteAll', bytes: 12, transport: 'scripted test transport' },
      message: stringContaining('EIO: i/o error'),
    });
    // Far below DeleteAll's 30 s bound: the write's own failure ended the wait.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('scales a data packet’s allowance with its size and the line speed', () => {
    // 504 bytes at 9600 baud take 525 ms on the wire; at 115200, 44 ms.
    expect(dataTimeout(DEFAULT_GT521_TIMEOUTS, 504, 9600)).toBe(2 * 525 + 500);
    expect(dataTimeout(DEFAULT_GT521_TIMEOUTS, 504, 115200)).toBe(2 * 44 + 500);
  });
});
