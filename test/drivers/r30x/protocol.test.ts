import { describe, expect, it } from 'vitest';
import { DriverErrorCode } from '../../../drivers/common/errors.js';
import { silentLogger } from '../../../drivers/common/logger.js';
import { Instruction, readSysPara, templeteNum, upChar } from '../../../drivers/r30x/framing/instructions.js';
import { DEFAULT_ADDRESS } from '../../../drivers/r30x/framing/packet.js';
import { mergeTimeouts, type R30xTimeoutOverrides } from '../../../drivers/r30x/protocol/policy.js';
import { R30xProtocol } from '../../../drivers/r30x/protocol/protocol.js';
import { ack, data, instructionOf, ScriptedModule } from './scriptedModule.js';
import { stringContaining } from '../../helpers/matchers.js';

async function connect(module: ScriptedModule, timeouts: R30xTimeoutOverrides = {}): Promise<R30xProtocol> {
  const protocol = new R30xProtocol({
    transport: module,
    address: DEFAULT_ADDRESS,
    logger: silentLogger,
    timeouts: mergeTimeouts(timeouts),
  });
  await module.open();
  protocol.attach();
  return protocol;
}

const SYS_PARA_OK = ack('00 0000 0000 00A2 0003 FFFFFFFF 0002 0006');

describe('R30x protocol over a scripted module', () => {
  it('collects data packets that arrive in the same chunk as the upload ack', async () => {
    const module = new ScriptedModule(() =>
      module.send(
        ack('00'),
        data(Buffer.alloc(32, 1), false),
        data(Buffer.alloc(32, 2), false),
        data(Buffer.alloc(8, 3), true),
      ),
    );
    const protocol = await connect(module);
    const template = await protocol.upload(upChar(1));
    expect(template).toEqual(Buffer.concat([Buffer.alloc(32, 1), Buffer.alloc(32, 2), Buffer.alloc(8, 3)]));
  });

  it('does not glue data packets that came before the upload ack into the template', async () => {
    const module = new ScriptedModule(() =>
      module.send(
        data(Buffer.alloc(32, 0xee), false),
        data(Buffer.alloc(4, 0xee), true),
        ack('00'),
        data(Buffer.alloc(16, 7), true),
      ),
    );
    const protocol = await connect(module);
    await expect(protocol.upload(upChar(1))).resolves.toEqual(Buffer.alloc(16, 7));
  });

  it('discards a late reply to a timed-out command instead of taking it for the next one', async () => {
    const module = new ScriptedModule((_frame, index) => {
      // The first TempleteNum is answered far too late; the second one slowly but in time.
      if (index === 0) setTimeout(() => module.send(ack('00 0005')), 300);
      if (index === 1) setTimeout(() => module.send(ack('00 0007')), 400);
    });
    const protocol = await connect(module, { lateReplyMs: 1_000 });
    const first = protocol.execute(templeteNum(), { retries: 0, timeoutMs: 50 });
    await expect(first).rejects.toMatchObject({ code: DriverErrorCode.Timeout });
    await expect(protocol.execute(templeteNum(), { retries: 0, timeoutMs: 2_000 })).resolves.toBe(7);
  });

  it('sends a retryable command again after a receive error (01)', async () => {
    const module = new ScriptedModule((_frame, index) => module.send(index === 0 ? ack('01') : SYS_PARA_OK));
    const protocol = await connect(module);
    await expect(protocol.execute(readSysPara())).resolves.toMatchObject({ capacity: 162, packetSize: 128 });
    expect(module.writes.map(instructionOf)).toEqual([Instruction.ReadSysPara, Instruction.ReadSysPara]);
  });

  it('does not take a short success ack for a reply that carries fields', async () => {
    const module = new ScriptedModule(() => module.send(ack('00'), SYS_PARA_OK));
    const protocol = await connect(module);
    await expect(protocol.execute(readSysPara())).resolves.toMatchObject({ capacity: 162 });
  });

  it('fails with UnexpectedReply, not after its timeout, when only a too-short success ack comes', async () => {
    const module = new ScriptedModule(() => module.send(ack('00 0000')));
    const protocol = await connect(module, { commands: { ReadSysPara: 60_000 } });
    await expect(protocol.execute(readSysPara())).rejects.toMatchObject({
      code: DriverErrorCode.UnexpectedReply,
      context: { command: 'ReadSysPara', expectedBytes: 16, receivedBytes: 2 },
      message: stringContaining('ReadSysPara with 2 bytes of fields where 16 were expected'),
    });
    // Not retried: the same command would get the same short answer.
    expect(module.writes).toHaveLength(1);
  });

  it('rejects a pending command at once on disconnect, and later ones without writing', async () => {
    const module = new ScriptedModule(() => setImmediate(() => module.unplug()));
    const protocol = await connect(module, { commands: { ReadSysPara: 60_000 } });
    await expect(protocol.execute(readSysPara())).rejects.toMatchObject({ code: DriverErrorCode.Disconnected });
    await expect(protocol.execute(readSysPara())).rejects.toMatchObject({ code: DriverErrorCode.Disconnected });
    expect(module.writes).toHaveLength(1);
  });
});
