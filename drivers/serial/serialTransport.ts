import { EventEmitter } from 'node:events';
import { SerialPortStream } from '@serialport/stream';
import { DriverError, DriverErrorCode, messageOf } from '../common/errors.js';
import { silentLogger, type DriverLogger } from '../common/logger.js';
import { nextPollPhase, type ByteTransport } from '../common/transport.js';
import { hangupAwareBinding, ReadsInFlight } from './hangupAwareBinding.js';

/** The options a port is created with: always 8N1 without flow control, as every module we drive. */
export interface SerialPortOptions {
  readonly path: string;
  readonly baudRate: number;
  readonly dataBits: 8;
  readonly stopBits: 1;
  readonly parity: 'none';
  readonly rtscts: false;
  readonly xon: false;
  readonly xoff: false;
  readonly autoOpen: false;
}

/** The part of serialport's SerialPort this transport uses, so tests may hand in another. */
export interface SerialPortLike {
  readonly isOpen: boolean;
  open(callback: (error: Error | null) => void): void;
  update(options: { baudRate: number }, callback: (error: Error | null) => void): void;
  write(data: Buffer, callback: (error: Error | null | undefined) => void): boolean;
  drain(callback: (error: Error | null) => void): void;
  close(callback: (error: Error | null) => void): void;
  on(event: 'data', listener: (chunk: Buffer) => void): this;
  on(event: 'close', listener: (error: Error | null) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  removeAllListeners(): this;
}

/** Creates a port; a port that reads on the thread pool reports its reads to `reads`. */
export type SerialPortFactory = (options: SerialPortOptions, reads: ReadsInFlight) => SerialPortLike;

/** The real port: serialport's stream over its Linux binding, with the hang-up fix. */
export const createNodeSerialPort: SerialPortFactory = (options, reads) =>
  new SerialPortStream({ ...options, binding: hangupAwareBinding(reads) });

export interface SerialTransportOptions {
  /** A stable path: /dev/serial/by-id/…, /dev/serial/by-path/… or a udev symlink such as /dev/fingerprint. */
  readonly path: string;
  readonly logger?: DriverLogger;
  readonly createPort?: SerialPortFactory;
}

/**
 * A UART through serialport. Reports an unplug (or any failure of the open port) as exactly one
 * 'disconnected' and is then closed; reopening is the supervisor's decision, not ours.
 */
export class SerialTransport extends EventEmitter implements ByteTransport {
  readonly description: string;
  private readonly path: string;
  private readonly logger: DriverLogger;
  private readonly createPort: SerialPortFactory;
  private port: SerialPortLike | undefined;
  /** Writes in flight; a port that closes under them would never call back (serialport waits for a reopen). */
  private readonly inFlight = new Set<(error: Error) => void>();
  private readonly reads = new ReadsInFlight();

  constructor(options: SerialTransportOptions) {
    super();
    this.path = options.path;
    this.description = `serial ${options.path}`;
    this.logger = options.logger ?? silentLogger;
    this.createPort = options.createPort ?? createNodeSerialPort;
  }

  get isOpen(): boolean {
    return this.port !== undefined;
  }

  async open(baudRate: number): Promise<void> {
    if (this.port !== undefined) {
      throw new DriverError(DriverErrorCode.TransportOpen, `${this.description} is already open`, {
        path: this.path,
      });
    }
    const port = this.createPort(
      {
        path: this.path,
        baudRate,
        dataBits: 8,
        stopBits: 1,
        parity: 'none',
        rtscts: false,
        xon: false,
        xoff: false,
        autoOpen: false,
      },
      this.reads,
    );
    try {
      await callback(port.open.bind(port));
    } catch (error) {
      port.removeAllListeners();
      throw new DriverError(
        DriverErrorCode.TransportOpen,
        openFailureMessage(this.path, error),
        {
          path: this.path,
          baudRate,
        },
        { cause: error },
      );
    }
    this.port = port;
    port.on('data', (chunk) => this.emit('data', chunk));
    port.on('close', (error) => this.lost(port, error ?? new Error('port closed')));
    port.on('error', (error) => this.lost(port, error));
    this.logger.debug({ path: this.path, baudRate }, 'serial port open');
  }

  async setBaudRate(baudRate: number): Promise<void> {
    const port = this.requireOpen();
    try {
      await callback(port.update.bind(port, { baudRate }));
    } catch (error) {
      throw new DriverError(
        DriverErrorCode.TransportOpen,
        `cannot set ${this.description} to ${baudRate} baud: ${messageOf(error)}`,
        { path: this.path, baudRate },
        { cause: error },
      );
    }
  }

  /** Resolves once the bytes have left the host (drain), so timeouts start when the module has them. */
  async write(data: Uint8Array): Promise<void> {
    const port = this.requireOpen();
    try {
      await this.unlessLost(callback(port.write.bind(port, Buffer.from(data))));
      // The write callback comes first: drain() alone would not wait for bytes still queued in
      // the stream behind an earlier write.
      if (this.port !== port) throw new Error('the port closed during the write');
      await this.unlessLost(callback(port.drain.bind(port)));
    } catch (error) {
      throw new DriverError(
        DriverErrorCode.TransportWrite,
        `writing ${data.length} bytes to ${this.description} failed: ${messageOf(error)}`,
        { path: this.path, bytes: data.length },
        { cause: error },
      );
    }
  }

  /**
   * The binding reads on the thread pool, so bytes waiting on the tty take three steps to become
   * 'data': the next poll phase sees the tty readable and starts a read (or one is already under
   * way), the read returns, and the stream emits what it read before the next immediate runs.
   */
  async deliverPending(): Promise<void> {
    await nextPollPhase();
    await this.reads.settled();
    await nextPollPhase();
  }

  async close(): Promise<void> {
    const port = this.port;
    if (port === undefined) return;
    this.port = undefined;
    this.abandonWrites(new Error('the transport was closed'));
    port.removeAllListeners();
    // serialport may still report a late failure of the port we are leaving; it is not news.
    port.on('error', () => {});
    if (!port.isOpen) return;
    await new Promise<void>((resolve) =>
      port.close((error) => {
        if (error) this.logger.warn({ path: this.path, err: error }, 'closing serial port failed');
        resolve();
      }),
    );
  }

  private lost(port: SerialPortLike, error: Error): void {
    // Only the port we hold can disconnect us, and only once: serialport may report one unplug
    // as an 'error' and then a 'close'.
    if (this.port !== port) return;
    this.port = undefined;
    this.abandonWrites(error);
    port.removeAllListeners();
    port.on('error', () => {});
    if (port.isOpen) port.close(() => {});
    this.logger.warn({ path: this.path, err: error }, 'serial port disconnected');
    this.emit(
      'disconnected',
      new DriverError(
        DriverErrorCode.Disconnected,
        `${this.description} disconnected: ${error.message}`,
        {
          path: this.path,
        },
        { cause: error },
      ),
    );
  }

  private unlessLost(operation: Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.inFlight.add(reject);
      operation.then(resolve, reject).finally(() => this.inFlight.delete(reject));
    });
  }

  private abandonWrites(error: Error): void {
    for (const reject of this.inFlight) reject(error);
    this.inFlight.clear();
  }

  private requireOpen(): SerialPortLike {
    if (this.port === undefined) {
      throw new DriverError(DriverErrorCode.TransportClosed, `${this.description} is not open`, {
        path: this.path,
      });
    }
    return this.port;
  }
}

/** Adapts serialport's callback style; a falsy error means success. */
function callback(start: (done: (error: Error | null | undefined) => void) => unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    start((error) => (error ? reject(error) : resolve()));
  });
}

function openFailureMessage(path: string, error: unknown): string {
  const detail = messageOf(error);
  if (/ENOENT|No such file/i.test(detail)) {
    return `cannot open ${path}: no such device. Is the scanner plugged in? List /dev/serial/by-id/ and /dev/serial/by-path/ and set scanner.path to the entry for it`;
  }
  if (/EACCES|Permission denied/i.test(detail)) {
    return `cannot open ${path}: permission denied. Install systemd/60-room-agent-scanners.rules (it gives the room-agent group access) and replug the adapter`;
  }
  if (/lock|EBUSY|Resource temporarily unavailable/i.test(detail)) {
    return `cannot open ${path}: another process holds the port. Stop it (e.g. ModemManager or a second agent) and retry`;
  }
  return `cannot open ${path}: ${detail}`;
}
