import { afterEach, describe, expect, it } from 'vitest';
import { DriverErrorCode, isDriverError } from '../../../drivers/common/errors.js';
import { SerialTransport } from '../../../drivers/serial/serialTransport.js';
import { ModuleEmulator } from '../../helpers/emulator.js';

/**
 * The cable pulled and plugged back in, on a stable path (the emulator keeps a by-id style link
 * that follows the new pty, as udev does): one disconnected, then a fresh open on the same path
 * talks to the module again. Reopening is the supervisor's job; this is what it relies on.
 */
const VFY_PWD_0 = Buffer.from('ef01ffffffff010007130000000000' + '1b', 'hex'); // VfyPwd(0), drivers/r30x/README.md
const ACK_OK = Buffer.from('ef01ffffffff0700030000' + '0a', 'hex');

let emulator: ModuleEmulator | undefined;
let transport: SerialTransport | undefined;

afterEach(async () => {
  await transport?.close();
  await emulator?.stop();
});

async function handshake(port: SerialTransport): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const collect = (chunk: Buffer) => chunks.push(chunk);
  port.on('data', collect);
  try {
    await port.write(VFY_PWD_0);
    const deadline = Date.now() + 5000;
    while (Buffer.concat(chunks).length < ACK_OK.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return Buffer.concat(chunks);
  } finally {
    port.off('data', collect);
  }
}

describe('SerialTransport across an unplug and replug', () => {
  it('reports one disconnected, and a new open on the same stable path works', async () => {
    emulator = await ModuleEmulator.start({ family: 'r30x', powerOnDelayMs: 0 });
    transport = new SerialTransport({ path: emulator.path });
    const disconnects: Error[] = [];
    transport.on('disconnected', (error: Error) => disconnects.push(error));

    await transport.open(57600);
    expect(await handshake(transport)).toEqual(ACK_OK);

    await emulator.unplug();
    const deadline = Date.now() + 5000;
    while (disconnects.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(disconnects).toHaveLength(1);
    expect(isDriverError(disconnects[0], DriverErrorCode.Disconnected)).toBe(true);

    // While unplugged the stable path leads nowhere: a clear open error, not a hang.
    await expect(transport.open(57600)).rejects.toSatisfy((error) =>
      isDriverError(error, DriverErrorCode.TransportOpen),
    );

    await emulator.replug();
    await transport.open(57600);
    expect(await handshake(transport)).toEqual(ACK_OK);
    expect(disconnects).toHaveLength(1);
  });
});
