/**
 * The conversation with an R30x module over an injected transport: one command on the wire at a
 * time (Mutex), each reply matched to its request with a timeout from the named table
 * (Waitress), bounded retries for commands that are safe to repeat, and multi-packet template
 * transfers at the module's packet size.
 */
import { DriverError, DriverErrorCode, isDriverError } from '../../common/errors.js';
import type { DriverLogger } from '../../common/logger.js';
import { Mutex } from '../../common/mutex.js';
import { pendingInputOf, type ByteTransport } from '../../common/transport.js';
import { Waitress } from '../../common/waitress.js';
import { Confirmation, confirmationError, isReceiveError } from '../framing/confirmation.js';
import { encodeCommand, type R30xCommand } from '../framing/instructions.js';
import { encodeDataPackets, PacketId, type R30xPacket } from '../framing/packet.js';
import { R30xParser } from '../framing/parser.js';
import type { PacketSize } from '../framing/replies.js';
import {
  commandTimeoutMs,
  MAX_RETRIES,
  MAX_TEMPLATE_BYTES,
  RETRYABLE,
  transferTimeoutMs,
  type R30xTimeouts,
} from './policy.js';
import { TemplateCollector } from './templateCollector.js';

export interface R30xProtocolOptions {
  readonly transport: ByteTransport;
  readonly address: number;
  readonly logger: DriverLogger;
  readonly timeouts: R30xTimeouts;
}

export interface ExchangeOptions {
  /** Overrides the table, e.g. the short attempts of baud probing. */
  readonly timeoutMs?: number;
  /** Overrides the retry policy (probing retries nothing: the next speed is the retry). */
  readonly retries?: number;
}

const HOST_SIDE_PACKETS = new Set([PacketId.Ack, PacketId.Data, PacketId.EndData]);
/** How long a failed write waits to learn whether the port is going away. */
const WRITE_FAILURE_SETTLE_MS = 250;

export class R30xProtocol {
  /** The host's current speed, for wire-time allowances; the device layer keeps it current. */
  baudRate = 57_600;
  /** The module's data packet size, from ReadSysPara. */
  packetSize: PacketSize = 128;

  private readonly mutex = new Mutex();
  private readonly waitress: Waitress<R30xPacket>;
  private readonly parser: R30xParser;
  private collector: TemplateCollector | undefined;
  /** Why the link is unusable (unplugged, or closed by us) until the next attach(). */
  private ended: DriverError | undefined;
  private attached = false;

  private readonly onData = (chunk: Buffer): void => this.parser.push(chunk);
  private readonly onDisconnected = (error: Error): void => {
    this.ended = new DriverError(
      DriverErrorCode.Disconnected,
      `the fingerprint module on ${this.options.transport.description} was disconnected`,
      { transport: this.options.transport.description },
      { cause: error },
    );
    this.waitress.rejectAll(this.ended);
  };

  constructor(private readonly options: R30xProtocolOptions) {
    this.parser = new R30xParser({
      address: options.address,
      accept: HOST_SIDE_PACKETS,
      onPacket: (packet) => this.onPacket(packet),
      logger: options.logger,
    });
    this.waitress = new Waitress(pendingInputOf(options.transport));
  }

  /** Starts listening to the transport; call after each (re)open. */
  attach(): void {
    this.ended = undefined;
    this.parser.reset();
    if (this.attached) return;
    this.options.transport.on('data', this.onData);
    this.options.transport.on('disconnected', this.onDisconnected);
    this.attached = true;
  }

  /** Stops listening and fails whatever is still waiting with `reason`. */
  detach(reason: DriverError): void {
    this.options.transport.off('data', this.onData);
    this.options.transport.off('disconnected', this.onDisconnected);
    this.attached = false;
    this.ended = reason;
    this.waitress.rejectAll(reason);
  }

  /** Sends one command and decodes its successful reply; a non-zero confirmation throws. */
  execute<R>(command: R30xCommand<R>, options: ExchangeOptions = {}): Promise<R> {
    return this.mutex.run(() =>
      this.withRetries(command, options, async () => command.decode(await this.roundTrip(command, options))),
    );
  }

  /** UpChar and friends: the ack, then data packets until PID 08, counted (sizes differ by model). */
  upload(command: R30xCommand): Promise<Buffer> {
    return this.mutex.run(() => this.withRetries(command, {}, () => this.receiveData(command)));
  }

  /** DownChar: the ack, then the data packets at the module's packet size, unacknowledged. */
  download(command: R30xCommand, data: Buffer): Promise<void> {
    return this.mutex.run(async () => {
      await this.roundTrip(command, {});
      await this.write(encodeDataPackets(this.options.address, data, this.packetSize), `${command.name} data`);
    });
  }

  private async withRetries<T>(
    command: R30xCommand<unknown>,
    options: ExchangeOptions,
    attempt: () => Promise<T>,
  ): Promise<T> {
    const retries = options.retries ?? (RETRYABLE.has(command.name) ? MAX_RETRIES : 0);
    for (let failures = 0; ; failures += 1) {
      try {
        return await attempt();
      } catch (error) {
        if (failures >= retries || !isTransient(error)) throw error;
        this.options.logger.warn(
          { command: command.name, attempt: failures + 1, code: error.code },
          'r30x command failed transiently; sending it again',
        );
      }
    }
  }

  /** Writes one command and returns the reply bytes after a zero confirmation code. */
  private async roundTrip(command: R30xCommand<unknown>, options: ExchangeOptions): Promise<Buffer> {
    this.assertUsable();
    const frame = encodeCommand(this.options.address, command);
    const timeoutMs =
      options.timeoutMs ??
      commandTimeoutMs(this.options.timeouts, command.name, frame.length, 1 + command.replyLength, this.baudRate);
    // A partial frame left from before this command can only be noise or a stale reply.
    this.parser.reset();
    const reply = this.waitress.waitFor((packet) => isReplyTo(command, packet), timeoutMs, `${command.name} reply`);
    const short = this.waitress.waitFor(
      (packet) => isShortSuccess(command, packet),
      timeoutMs,
      `${command.name} reply`,
    );
    reply.promise.catch(() => undefined);
    const malformed = this.failAfterShortReply(command, short.promise);
    try {
      await this.write(frame, command.name);
      const packet = await this.awaitPacket(Promise.race([reply.promise, malformed.promise]));
      const confirmation = packet.payload[0] ?? Confirmation.ReceiveError;
      if (confirmation !== Confirmation.Ok) throw confirmationError(confirmation, command.name);
      return packet.payload.subarray(1);
    } finally {
      reply.cancel();
      short.cancel();
      malformed.cancel();
    }
  }

  /**
   * A success ack too short for the command is either a stale answer to an abandoned command that
   * straggled in past the quiet window (this command's own reply then follows on its heels) or a
   * malformed reply. So it gets the late-reply window to be followed by a proper one, then fails
   * with UnexpectedReply rather than waiting out the timeout and retrying into the same answer.
   */
  private failAfterShortReply(
    command: R30xCommand<unknown>,
    shortReply: Promise<R30xPacket>,
  ): { promise: Promise<never>; cancel(): void } {
    let timer: NodeJS.Timeout | undefined;
    let cancelled = false;
    const promise = shortReply.then(
      (packet) =>
        new Promise<never>((_resolve, reject) => {
          if (cancelled) return;
          const fields = packet.payload.length - 1;
          timer = setTimeout(() => {
            reject(
              new DriverError(
                DriverErrorCode.UnexpectedReply,
                `the fingerprint module answered ${command.name} with ${fields} bytes of fields where ${command.replyLength} were expected`,
                { command: command.name, expectedBytes: command.replyLength, receivedBytes: fields },
              ),
            );
          }, this.options.timeouts.lateReplyMs);
        }),
    );
    promise.catch(() => undefined);
    return {
      promise,
      cancel: () => {
        cancelled = true;
        clearTimeout(timer);
      },
    };
  }

  private async receiveData(command: R30xCommand): Promise<Buffer> {
    const collector = new TemplateCollector(MAX_TEMPLATE_BYTES);
    this.collector = collector;
    const end = this.waitress.waitFor(
      (packet) => packet.pid === PacketId.EndData && collector.started,
      transferTimeoutMs(this.options.timeouts, this.packetSize, this.baudRate),
      `${command.name} data (end-of-data packet)`,
    );
    end.promise.catch(() => undefined);
    try {
      await this.roundTrip(command, {});
      await this.awaitPacket(end.promise);
      return collector.result(command.name);
    } finally {
      end.cancel();
      this.collector = undefined;
    }
  }

  /** Awaits a reply; after a timeout, discards late replies so none is taken for the next one. */
  private async awaitPacket(promise: Promise<R30xPacket>): Promise<R30xPacket> {
    try {
      return await promise;
    } catch (error) {
      if (isDriverError(error, DriverErrorCode.Timeout) && this.ended === undefined) {
        await new Promise((resolve) => setTimeout(resolve, this.options.timeouts.lateReplyMs));
        this.parser.reset();
      }
      throw error;
    }
  }

  private async write(bytes: Buffer, what: string): Promise<void> {
    try {
      await this.options.transport.write(bytes);
    } catch (error) {
      // A write cut short by an unplug or a close reports that, not its own symptom; the port's
      // hang-up can reach us a moment after the failed write does.
      await this.disconnectionWithin(WRITE_FAILURE_SETTLE_MS);
      if (this.ended !== undefined) throw this.ended;
      if (isDriverError(error)) throw error;
      throw new DriverError(
        DriverErrorCode.TransportWrite,
        `could not send ${what} to the fingerprint module on ${this.options.transport.description}`,
        { command: what },
        { cause: error },
      );
    }
  }

  private disconnectionWithin(ms: number): Promise<void> {
    if (this.ended !== undefined) return Promise.resolve();
    const transport = this.options.transport;
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        transport.off('disconnected', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      transport.on('disconnected', done);
    });
  }

  private assertUsable(): void {
    if (this.ended !== undefined) throw this.ended;
    if (!this.options.transport.isOpen) {
      throw new DriverError(
        DriverErrorCode.TransportClosed,
        `the port ${this.options.transport.description} is not open; open the scanner first`,
        { transport: this.options.transport.description },
      );
    }
  }

  private onPacket(packet: R30xPacket): void {
    const collector = this.collector;
    const isData = packet.pid === PacketId.Data || packet.pid === PacketId.EndData;
    if (isData) collector?.add(packet.payload);
    if (this.waitress.resolve(packet)) {
      // While a transfer is armed, the only ack anyone waits for is the upload command's own.
      if (packet.pid === PacketId.Ack) collector?.start();
      return;
    }
    if (isData && collector?.started) return;
    // Also where an M5Stack module's wake-up ack (confirmation 0xFF) ends up.
    this.options.logger.debug(
      { pid: packet.pid, confirmation: packet.pid === PacketId.Ack ? packet.payload[0] : undefined },
      'r30x packet arrived with nobody waiting; dropped',
    );
  }
}

/**
 * Acks carry no instruction code, so a reply is recognised by shape: an ack, not the unsolicited
 * wake-up ack (0xFF), and when it reports success, long enough for this command's reply.
 */
function isReplyTo(command: R30xCommand<unknown>, packet: R30xPacket): boolean {
  if (packet.pid !== PacketId.Ack) return false;
  const confirmation = packet.payload[0];
  if (confirmation === undefined || confirmation === Confirmation.WakeUp) return false;
  return confirmation !== Confirmation.Ok || packet.payload.length >= 1 + command.replyLength;
}

function isShortSuccess(command: R30xCommand<unknown>, packet: R30xPacket): boolean {
  return (
    packet.pid === PacketId.Ack &&
    packet.payload[0] === Confirmation.Ok &&
    packet.payload.length < 1 + command.replyLength
  );
}

function isTransient(error: unknown): error is DriverError {
  return isDriverError(error, DriverErrorCode.Timeout) || isReceiveError(error);
}
