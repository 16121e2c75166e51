import { setTimeout as sleep } from 'node:timers/promises';
import { DriverError, DriverErrorCode, isDriverError, messageOf } from '../../common/errors.js';
import { silentLogger, type DriverLogger } from '../../common/logger.js';
import { Mutex } from '../../common/mutex.js';
import { pendingInputOf, type ByteTransport } from '../../common/transport.js';
import { Waitress } from '../../common/waitress.js';
import { gt521Commands } from '../framing/commands.js';
import { DATA_PACKET_OVERHEAD, POWER_ON_BAUD_RATE } from '../framing/constants.js';
import { nackError } from '../framing/nack.js';
import {
  encodeCommand,
  encodeDataPacket,
  type Gt521Data,
  type Gt521Request,
  type Gt521Response,
} from '../framing/packet.js';
import { Gt521Parser } from '../framing/parser.js';
import { retriesFor } from './retries.js';
import { DEFAULT_GT521_TIMEOUTS, dataTimeout, replyTimeout, type Gt521Timeouts } from './timeouts.js';

export interface Gt521ExchangeOptions {
  /** Overrides the table, e.g. the short handshake bound while probing speeds. */
  timeoutMs?: number | undefined;
  /** Overrides the retry policy (probing wants none: the next speed is the retry). */
  retries?: number | undefined;
}

export interface Gt521Reply {
  readonly response: Gt521Response;
  /** The data packet that followed an ACK, when the command returns one. */
  readonly data?: Buffer | undefined;
}

interface PacketWaiter {
  readonly promise: Promise<unknown>;
  cancel(): void;
}

/** With one command on the wire at a time, the next packet of the awaited kind is the answer. */
const anyPacket = (): boolean => true;

/** How long a failed write waits for the port's hang-up to explain it (it can trail the failure). */
const WRITE_FAILURE_SETTLE_MS = 250;

/** The waiter's failure if it fails within `ms`; undefined if it answers or is still waiting. */
async function verdictWithin(waiter: PacketWaiter, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const settled = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, ms, undefined);
  });
  const verdict = waiter.promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  try {
    return await Promise.race([verdict, settled]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The conversation with one GT-5x1 module over a byte transport: one command on the wire at a
 * time, each reply matched with a timeout from the named table, data packets announced to the
 * parser before the command that returns them is written. Replies come back as ACK or NACK;
 * deciding what a NACK means for the caller is the device layer's job.
 */
export class Gt521Protocol {
  private readonly parser: Gt521Parser;
  private readonly responses: Waitress<Gt521Response>;
  private readonly dataPackets: Waitress<Gt521Data>;
  private readonly mutex = new Mutex();
  private attached = false;
  private lineSpeed: number = POWER_ON_BAUD_RATE;
  /** Exchanges queued or on the wire. */
  private queued = 0;

  constructor(
    private readonly transport: ByteTransport,
    private readonly logger: DriverLogger = silentLogger,
    private readonly timeouts: Gt521Timeouts = DEFAULT_GT521_TIMEOUTS,
  ) {
    this.parser = new Gt521Parser(logger);
    this.responses = new Waitress(pendingInputOf(transport));
    this.dataPackets = new Waitress(pendingInputOf(transport));
  }

  /** The transport's description, for messages. */
  get description(): string {
    return this.transport.description;
  }

  /** Whether no exchange is queued or on the wire, so a command sent now goes out at once. */
  get idle(): boolean {
    return this.queued === 0;
  }

  /** The speed the host side currently runs at. */
  get baudRate(): number {
    return this.lineSpeed;
  }

  /** Opens the transport at `baudRate` and starts listening to it. */
  async open(baudRate: number): Promise<void> {
    if (this.transport.isOpen) {
      const message = `${this.transport.description} is already open`;
      throw new DriverError(DriverErrorCode.TransportOpen, message);
    }
    this.parser.reset();
    this.attach();
    try {
      await this.transport.open(baudRate);
    } catch (error) {
      this.detach();
      throw error;
    }
    this.lineSpeed = baudRate;
  }

  /** Stops listening and closes the transport; a close after a disconnect is harmless. */
  async close(): Promise<void> {
    this.detach();
    const message = `${this.transport.description} was closed while a command was in progress`;
    this.rejectAll(new DriverError(DriverErrorCode.TransportClosed, message));
    await this.transport.close();
  }

  private attach(): void {
    if (this.attached) return;
    this.transport.on('data', this.onData);
    this.transport.on('disconnected', this.onDisconnected);
    this.attached = true;
  }

  private detach(): void {
    if (!this.attached) return;
    this.transport.off('data', this.onData);
    this.transport.off('disconnected', this.onDisconnected);
    this.attached = false;
    this.parser.reset();
  }

  /** Sends one command and returns the module's ACK or NACK. */
  command(request: Gt521Request, options: Gt521ExchangeOptions = {}): Promise<Gt521Response> {
    return this.serialised(async () => (await this.withRetries(request, undefined, options)).response);
  }

  /** Sends a command whose ACK is followed by a data packet of a length the command fixes. */
  commandWithData(request: Gt521Request, dataLength: number, options: Gt521ExchangeOptions = {}): Promise<Gt521Reply> {
    return this.serialised(() => this.withRetries(request, dataLength, options));
  }

  /**
   * Sends a command that takes a data packet from the host (SetTemplate): command, ACK, data, and
   * the module's final answer. A NACK to the command itself is returned without sending the data.
   */
  commandSendingData(request: Gt521Request, data: Uint8Array, finalTimeoutMs: number): Promise<Gt521Response> {
    return this.serialised(async () => {
      const timeoutMs = replyTimeout(this.timeouts, request);
      const { response } = await this.exchangeOnce(request, undefined, timeoutMs);
      if (!response.ack) return response;
      const packet = encodeDataPacket(data);
      const finalMs = finalTimeoutMs + dataTimeout(this.timeouts, packet.length, this.lineSpeed);
      const awaited = this.describe(`${request.name} answer to its data`);
      const final = this.responses.waitFor(anyPacket, finalMs, awaited);
      return this.failingCleanly([final], async () => {
        await this.write(packet, final, `${request.name} data`);
        return final.promise;
      });
    });
  }

  /**
   * ChangeBaudrate: the module ACKs at the old speed and then switches, so the host follows only
   * after the ACK. A NACK (a speed the module refuses) leaves both sides where they were.
   */
  changeBaudRate(baudRate: number): Promise<void> {
    return this.serialised(async () => {
      const request = gt521Commands.changeBaudrate(baudRate);
      const timeoutMs = replyTimeout(this.timeouts, request);
      const { response } = await this.exchangeOnce(request, undefined, timeoutMs);
      if (!response.ack) throw nackError(request.name, response.param);
      await this.switchHostSpeed(baudRate);
    });
  }

  /** Moves only the host side to another speed, e.g. to probe for a module left at a higher one. */
  setHostBaudRate(baudRate: number): Promise<void> {
    return this.serialised(() => this.switchHostSpeed(baudRate));
  }

  private async switchHostSpeed(baudRate: number): Promise<void> {
    await this.transport.setBaudRate(baudRate);
    this.lineSpeed = baudRate;
    // Bytes received across the switch were read at the wrong speed: they are noise.
    this.parser.reset();
  }

  private serialised<T>(exchange: () => Promise<T>): Promise<T> {
    this.queued += 1;
    return this.mutex.run(async () => {
      try {
        return await exchange();
      } finally {
        this.queued -= 1;
      }
    });
  }

  private async withRetries(
    request: Gt521Request,
    dataLength: number | undefined,
    options: Gt521ExchangeOptions,
  ): Promise<Gt521Reply> {
    const retries = options.retries ?? retriesFor(request);
    const timeoutMs = options.timeoutMs ?? replyTimeout(this.timeouts, request);
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.exchangeOnce(request, dataLength, timeoutMs);
      } catch (error) {
        if (attempt >= retries || !isDriverError(error, DriverErrorCode.Timeout)) throw error;
        const attempted = { command: request.name, attempt: attempt + 1, retries };
        this.logger.warn(attempted, 'gt521: no reply, asking again');
      }
    }
  }

  private async exchangeOnce(
    request: Gt521Request,
    dataLength: number | undefined,
    timeoutMs: number,
  ): Promise<Gt521Reply> {
    if (!this.transport.isOpen) {
      throw new DriverError(
        DriverErrorCode.TransportClosed,
        `cannot send ${request.name}: ${this.transport.description} is not open`,
        { command: request.name },
      );
    }
    // Announce and register before writing: a fast module's reply and data may share one chunk.
    this.parser.expectData(dataLength);
    const reply = this.responses.waitFor(anyPacket, timeoutMs, this.describe(`${request.name} reply`));
    const data =
      dataLength === undefined
        ? undefined
        : this.dataPackets.waitFor(
            anyPacket,
            timeoutMs + dataTimeout(this.timeouts, dataLength + DATA_PACKET_OVERHEAD, this.lineSpeed),
            this.describe(`${request.name} data packet (${dataLength} bytes)`),
          );
    try {
      return await this.failingCleanly([reply, data], async () => {
        await this.write(encodeCommand(request), reply, request.name);
        const response = await reply.promise;
        const { ack, param } = response;
        this.logger.debug({ command: request.name, ack, param }, 'gt521: reply');
        if (data === undefined || !ack) {
          data?.cancel();
          return { response };
        }
        const packet = await data.promise;
        return { response, data: packet.data };
      });
    } finally {
      this.parser.expectData(undefined);
    }
  }

  /**
   * Runs one write-and-wait. On failure nobody may stay registered, and after a timeout the reply
   * that missed its deadline must land while nobody waits, so nobody mistakes it for theirs.
   */
  private async failingCleanly<T>(waiters: (PacketWaiter | undefined)[], work: () => Promise<T>): Promise<T> {
    // A waiter may be rejected (disconnect) while `work` is stuck elsewhere, e.g. in a write.
    for (const waiter of waiters) waiter?.promise.catch(() => undefined);
    try {
      return await work();
    } catch (error) {
      for (const waiter of waiters) waiter?.cancel();
      if (isDriverError(error, DriverErrorCode.Timeout)) {
        await sleep(this.timeouts.lateReplyQuiet);
        this.parser.reset();
      }
      throw error;
    }
  }

  /**
   * An unplug can fail a write a moment before the port reports the unplug itself, and a close()
   * fails the write it cuts short; the waiter then fails with Disconnected or TransportClosed, the
   * truer answer. So a failed write waits briefly for that verdict, and otherwise fails at once
   * with its own error: the waiter's timeout (up to seconds) would add nothing but delay.
   */
  private async write(bytes: Buffer, waiter: PacketWaiter, what: string): Promise<void> {
    try {
      await this.transport.write(bytes);
    } catch (error) {
      const verdict = await verdictWithin(waiter, WRITE_FAILURE_SETTLE_MS);
      const explains =
        isDriverError(verdict, DriverErrorCode.Disconnected) || isDriverError(verdict, DriverErrorCode.TransportClosed);
      if (explains) throw verdict;
      throw new DriverError(
        DriverErrorCode.TransportWrite,
        `could not send ${what} to the GT-521F module on ${this.transport.description}: ${messageOf(error)}`,
        { command: what, bytes: bytes.length, transport: this.transport.description },
        { cause: error },
      );
    }
  }

  private rejectAll(error: DriverError): void {
    this.responses.rejectAll(error);
    this.dataPackets.rejectAll(error);
  }

  private describe(what: string): string {
    return `${what} from the GT-521F module on ${this.transport.description}`;
  }

  private readonly onData = (chunk: Buffer): void => {
    for (const packet of this.parser.push(chunk)) {
      const taken = packet.kind === 'response' ? this.responses.resolve(packet) : this.dataPackets.resolve(packet);
      if (!taken) {
        this.logger.debug({ kind: packet.kind }, 'gt521: dropped a packet nobody was waiting for');
      }
    }
  };

  private readonly onDisconnected = (error: Error): void => {
    this.parser.reset();
    this.rejectAll(
      new DriverError(
        DriverErrorCode.Disconnected,
        `${this.transport.description} disconnected while a command was in progress`,
        {},
        { cause: error },
      ),
    );
  };
}
