import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DriverErrorCode, isDriverError } from '../../../drivers/common/errors.js';
import { SerialTransport } from '../../../drivers/serial/serialTransport.js';
import { PtyPeer } from './ptyPeer.js';

function collect(transport: SerialTransport): { data: () => Buffer; disconnects: Error[] } {
  const chunks: Buffer[] = [];
  const disconnects: Error[] = [];
  transport.on('data', (chunk: Buffer) => chunks.push(chunk));
  transport.on('disconnected', (error: Error) => disconnects.push(error));
  return { data: () => Buffer.concat(chunks), disconnects };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

describe('SerialTransport over a real pty', () => {
  let peer: PtyPeer;
  let transport: SerialTransport;

  beforeEach(async () => {
    peer = await PtyPeer.start();
    transport = new SerialTransport({ path: peer.path });
  });
  afterEach(async () => {
    await transport.close();
    await peer.stop();
  });

  it('opens 8N1 at the asked speed and carries bytes both ways', async () => {
    const seen = collect(transport);
    await transport.open(57600);
    expect(transport.isOpen).toBe(true);
    expect(await peer.speed()).toBe(57600);

    const toModule = Buffer.from([0xef, 0x01, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00, 0x03, 0x01, 0x00, 0x05]);
    await transport.write(toModule);
    await peer.waitForReceived(toModule.length);
    expect(peer.received).toEqual(toModule);

    peer.send([0x00, 0x55, 0xff]);
    await until(() => seen.data().length === 3, 'three bytes from the peer');
    expect(seen.data()).toEqual(Buffer.from([0x00, 0x55, 0xff]));
  });

  it('delivers a reply the peer sends in pieces, whole and in order', async () => {
    const seen = collect(transport);
    await transport.open(57600);
    const reply = Buffer.from(Array.from({ length: 300 }, (_, index) => index & 0xff));
    for (const piece of [reply.subarray(0, 1), reply.subarray(1, 9), reply.subarray(9, 140), reply.subarray(140)]) {
      peer.send(piece);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await until(() => seen.data().length === reply.length, 'the whole reply');
    expect(seen.data()).toEqual(reply);
  });

  it('writes a large block completely before write() resolves', async () => {
    await transport.open(115200);
    const block = Buffer.from(Array.from({ length: 8192 }, (_, index) => (index * 7) & 0xff));
    await transport.write(block);
    await peer.waitForReceived(block.length);
    expect(peer.received).toEqual(block);
  });

  it('switches speed on the open port, including the non-standard R30x rate 28800', async () => {
    const seen = collect(transport);
    await transport.open(57600);
    for (const baud of [28800, 9600, 115200]) {
      await transport.setBaudRate(baud);
      expect(await peer.speed()).toBe(baud);
    }
    // The port still works both ways after the change.
    await transport.write(Buffer.from([1, 2, 3]));
    await peer.waitForReceived(3);
    peer.send([4, 5]);
    await until(() => seen.data().length === 2, 'bytes after the speed change');
  });

  it('also opens directly at a non-standard rate', async () => {
    await transport.open(28800);
    expect(await peer.speed()).toBe(28800);
  });

  // Right after open the hang-up reaches read() before the poller: bindings-cpp alone would spin on
  // 0-byte reads forever (bindings-cpp #162). While idle it arrives through the poller instead.
  it.each([
    ['right after open', 0],
    ['while idle', 150],
  ])('reports an unplug %s as exactly one disconnected, then is closed', async (_when, idleMs) => {
    const seen = collect(transport);
    await transport.open(57600);
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    await peer.unplug();
    await until(() => seen.disconnects.length > 0, 'disconnected');
    await settle();
    expect(seen.disconnects).toHaveLength(1);
    expect(isDriverError(seen.disconnects[0], DriverErrorCode.Disconnected)).toBe(true);
    expect(seen.disconnects[0]!.message).toContain(peer.path);
    expect(transport.isOpen).toBe(false);
    await expect(transport.write(Buffer.from([1]))).rejects.toSatisfy((error) =>
      isDriverError(error, DriverErrorCode.TransportClosed),
    );
    // close() after a disconnect is harmless and adds nothing.
    await transport.close();
    expect(seen.disconnects).toHaveLength(1);
  });

  it('reports an unplug in the middle of a large write as one disconnected', async () => {
    const seen = collect(transport);
    await transport.open(9600);
    const writing = transport.write(Buffer.alloc(64 * 1024, 0x5a)).catch((error: unknown) => error);
    await peer.unplug();
    await until(() => seen.disconnects.length > 0, 'disconnected');
    const outcome = await writing;
    await settle();
    expect(seen.disconnects).toHaveLength(1);
    // The write either got out before the hang-up or fails with a coded error, never hangs.
    if (outcome !== undefined) expect(isDriverError(outcome, DriverErrorCode.TransportWrite)).toBe(true);
  });

  it('a close() the caller asked for emits no disconnected, and is idempotent', async () => {
    const seen = collect(transport);
    await transport.open(57600);
    await transport.close();
    await transport.close();
    await peer.unplug();
    await settle();
    expect(seen.disconnects).toHaveLength(0);
    expect(transport.isOpen).toBe(false);
  });

  it('can be opened again after a close', async () => {
    const seen = collect(transport);
    await transport.open(57600);
    await transport.close();
    await transport.open(9600);
    expect(await peer.speed()).toBe(9600);
    peer.send([0x42]);
    await until(() => seen.data().length === 1, 'a byte after reopening');
  });

  it('refuses a second open of an open transport', async () => {
    await transport.open(57600);
    await expect(transport.open(57600)).rejects.toSatisfy((error) =>
      isDriverError(error, DriverErrorCode.TransportOpen),
    );
  });
});

describe('SerialTransport open failures', () => {
  it('says what to check when the path does not exist', async () => {
    const transport = new SerialTransport({ path: '/dev/serial/by-id/usb-not-plugged-in' });
    const error = await transport.open(57600).catch((caught: unknown) => caught);
    expect(isDriverError(error, DriverErrorCode.TransportOpen)).toBe(true);
    expect((error as Error).message).toContain('/dev/serial/by-id/usb-not-plugged-in');
    expect((error as Error).message).toContain('no such device');
    expect(transport.isOpen).toBe(false);
  });

  it('refuses to write before open', async () => {
    const transport = new SerialTransport({ path: '/dev/null' });
    await expect(transport.write(Buffer.from([1]))).rejects.toSatisfy((error) =>
      isDriverError(error, DriverErrorCode.TransportClosed),
    );
    await expect(transport.setBaudRate(9600)).rejects.toSatisfy((error) =>
      isDriverError(error, DriverErrorCode.TransportClosed),
    );
  });
});
