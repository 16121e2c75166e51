import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DriverErrorCode, isDriverError } from '../../../drivers/common/errors.js';
import type { HidDevice } from '../../../drivers/common/hidDevice.js';
import { Cp2110Transport } from '../../../drivers/cp2110/cp2110Transport.js';
import { FakeCp2110 } from './fakeCp2110.js';
import { PtyPeer } from './ptyPeer.js';

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('Cp2110Transport over a fake CP2110 bridged to a real pty', () => {
  let peer: PtyPeer;
  let chip: FakeCp2110;
  let transport: Cp2110Transport;
  let received: Buffer[];
  let disconnects: Error[];

  beforeEach(async () => {
    peer = await PtyPeer.start();
    chip = await FakeCp2110.connect(peer.path);
    transport = new Cp2110Transport({
      device: { vendorId: 0x10c4, productId: 0xea80 },
      openDevice: () => chip,
    });
    received = [];
    disconnects = [];
    transport.on('data', (chunk: Buffer) => received.push(chunk));
    transport.on('disconnected', (error: Error) => disconnects.push(error));
  });
  afterEach(async () => {
    await transport.close();
    await chip.settled();
    await peer.stop();
    expect(chip.bridgeFaults).toEqual([]);
  });

  it('enables the UART, sets 8N1 at the baud and purges on open', async () => {
    await transport.open(57600);
    expect(transport.isOpen).toBe(true);
    expect(transport.description).toBe('cp2110 10c4:ea80');
    expect(chip.uartEnabled).toBe(true);
    expect(chip.config).toEqual({ baudRate: 57600, parity: 0, flowControl: 0, dataBitsCode: 3, stopBits: 0 });
    expect(chip.purges).toBe(1);
    await chip.settled();
    // The config really reached the UART: the pty now runs at the module's speed.
    expect(await peer.speed()).toBe(57600);
  });

  it('carries bytes to the module in reports of at most 63, in order', async () => {
    await transport.open(57600);
    const upChar = Buffer.from(Array.from({ length: 200 }, (_, i) => (i * 13) & 0xff));
    await transport.write(upChar);
    await peer.waitForReceived(upChar.length);
    expect(peer.received).toEqual(upChar);
    expect(chip.dataReportSizes).toEqual([63, 63, 63, 11]);
  });

  it('delivers the module’s bytes unwrapped, however the reports cut them', async () => {
    await transport.open(57600);
    // The bridge applies the UART config and purges its FIFOs asynchronously: bytes the module
    // sent before that would be flushed, as on a real CP2110.
    await chip.settled();
    const reply = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7 + 1) & 0xff));
    peer.send(reply.subarray(0, 5));
    peer.send(reply.subarray(5, 150));
    peer.send(reply.subarray(150));
    await until(() => Buffer.concat(received).length >= reply.length, 'the whole reply');
    expect(Buffer.concat(received)).toEqual(reply);
    expect(received.every((chunk) => chunk.length <= 63)).toBe(true);
  });

  it('ignores reports that are not UART data', async () => {
    await transport.open(57600);
    chip.injectReport(Buffer.from([0x42, 0, 0, 0, 0, 0, 0]));
    chip.injectReport(Buffer.from([0x05, 1, 2]));
    chip.injectReport(Buffer.from([0x02, 0xab, 0xcd]));
    expect(Buffer.concat(received)).toEqual(Buffer.from([0xab, 0xcd]));
  });

  it('changes speed with a new UART config, including 28800', async () => {
    await transport.open(57600);
    await transport.setBaudRate(28800);
    expect(chip.config.baudRate).toBe(28800);
    await chip.settled();
    expect(await peer.speed()).toBe(28800);
    await transport.write(Buffer.from([1, 2, 3]));
    await peer.waitForReceived(3);
  });

  it('refuses a baud rate the chip cannot run, before touching the device', async () => {
    const error = await transport.open(2_000_000).catch((caught: unknown) => caught);
    expect(isDriverError(error, DriverErrorCode.TransportOpen)).toBe(true);
    expect((error as Error).message).toMatch(/300…1000000 baud/);
    expect(chip.uartEnabled).toBe(false);
  });

  it('reports an unplug as exactly one disconnected', async () => {
    await transport.open(57600);
    chip.unplug();
    expect(disconnects).toHaveLength(1);
    expect(isDriverError(disconnects[0], DriverErrorCode.Disconnected)).toBe(true);
    expect(transport.isOpen).toBe(false);
    await expect(transport.write(Buffer.from([1]))).rejects.toSatisfy((e) =>
      isDriverError(e, DriverErrorCode.TransportClosed),
    );
    await transport.close();
    expect(disconnects).toHaveLength(1);
  });

  it('a write the device refuses ends in one disconnected and a TransportWrite error', async () => {
    await transport.open(57600);
    chip.close(); // the device is gone underneath the transport: its next write throws
    const error = await transport.write(Buffer.from([1, 2])).catch((caught: unknown) => caught);
    expect(isDriverError(error, DriverErrorCode.TransportWrite)).toBe(true);
    expect(disconnects).toHaveLength(1);
  });

  it('a report the device takes only part of is a TransportWrite error, not silent loss', async () => {
    await transport.open(57600);
    chip.write = (report) => Buffer.from(report).length - 1;
    const error = await transport.write(Buffer.from([1, 2, 3])).catch((caught: unknown) => caught);
    expect(isDriverError(error, DriverErrorCode.TransportWrite)).toBe(true);
    expect(error).toMatchObject({ context: { bytes: 3, reportBytes: 4, written: 3 } });
    expect((error as Error).message).toContain('took 3 of a 4-byte report');
  });

  it('close() emits no disconnected, closes the device and is idempotent', async () => {
    await transport.open(57600);
    await transport.close();
    await transport.close();
    expect(disconnects).toHaveLength(0);
    expect(() => chip.write([1, 0])).toThrow(/gone/);
  });
});

describe('Cp2110Transport against a device that is no CP2110', () => {
  it('fails open with a clear error when the settings do not read back', async () => {
    const closed: boolean[] = [];
    const stranger = {
      write: () => 0,
      sendFeatureReport: (report: number[] | Buffer) => report.length,
      getFeatureReport: (reportId: number, length: number) => Buffer.alloc(length, reportId === 0x41 ? 0x41 : 0),
      close: () => closed.push(true),
      on() {
        return this;
      },
      removeAllListeners() {
        return this;
      },
    } as HidDevice;
    const transport = new Cp2110Transport({ device: { path: '/dev/hidraw3' }, openDevice: () => stranger });
    const error = await transport.open(57600).catch((caught: unknown) => caught);
    expect(isDriverError(error, DriverErrorCode.TransportOpen)).toBe(true);
    expect((error as Error).message).toContain('/dev/hidraw3');
    expect((error as Error).message).toMatch(/CP2110/);
    expect(closed).toEqual([true]);
    expect(transport.isOpen).toBe(false);
  });
});
