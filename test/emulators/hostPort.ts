import { writeSync } from 'node:fs';
import { SerialPort } from 'serialport';

/** Bytes from a spaced hex string, so vectors read as in the datasheet: hex('EF01 FFFFFFFF 01'). */
export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

/**
 * The host end of the cable for emulator tests: a real serialport on the pty slave, with the
 * bytes it receives kept in order so a test can read exact counts or assert silence.
 */
export class HostPort {
  private received = Buffer.alloc(0);
  private notify: (() => void) | null = null;
  private closedByDisconnect = false;
  private closeRequested = false;

  private constructor(private readonly port: SerialPort) {
    port.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.notify?.();
    });
    // serialport reports a pty hang-up unreliably (bindings-cpp issue 162; its write can then
    // wait forever): tests ask the tty itself through hungUp(), and ignore late stream errors.
    port.on('error', () => undefined);
    port.on('close', (error: Error | null) => (this.closedByDisconnect ||= Boolean(error)));
  }

  static open(path: string, baudRate: number): Promise<HostPort> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path, baudRate }, (error) => (error ? reject(error) : resolve(new HostPort(port))));
    });
  }

  /** Resolves once the bytes are handed to the tty; rejects on a hung-up port (cable pulled). */
  write(bytes: Buffer): Promise<void> {
    return new Promise<void>((resolve, reject) =>
      this.port.write(bytes, (error) => (error ? reject(error) : resolve())),
    );
  }

  /** Whether the tty was hung up (cable pulled): a write to a hung-up tty fails with EIO at once. */
  hungUp(): boolean {
    // serialport may have noticed first and closed the port itself.
    if (this.closedByDisconnect || (!this.port.isOpen && !this.closeRequested)) return true;
    const fd = (this.port.port as { fd?: number | null } | undefined)?.fd;
    if (fd === undefined || fd === null) throw new Error('the host port is not open');
    try {
      writeSync(fd, Buffer.alloc(0));
      return false;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EIO') return true;
      throw error;
    }
  }

  setBaudRate(baudRate: number): Promise<void> {
    return new Promise((resolve, reject) =>
      this.port.update({ baudRate }, (error) => (error ? reject(error) : resolve())),
    );
  }

  /** The next `count` bytes; fails with what did arrive if they do not come within timeoutMs. */
  async read(count: number, timeoutMs = 2_000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `expected ${count} bytes within ${timeoutMs} ms, got ${this.received.length}: ${this.received.toString('hex')}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.notify = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.notify = null;
    }
    const bytes = this.received.subarray(0, count);
    this.received = this.received.subarray(count);
    return Buffer.from(bytes);
  }

  /** Waits quietMs and returns (and consumes) whatever arrived meanwhile: empty means silence. */
  async drainFor(quietMs: number): Promise<Buffer> {
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const bytes = this.received;
    this.received = Buffer.alloc(0);
    return bytes;
  }

  close(): Promise<void> {
    this.closeRequested = true;
    if (!this.port.isOpen) return Promise.resolve();
    return new Promise((resolve) => this.port.close(() => resolve()));
  }
}
