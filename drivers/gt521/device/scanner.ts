import { EventEmitter } from 'node:events';
import { z } from 'zod';
import { DriverError, DriverErrorCode } from '../../common/errors.js';
import { silentLogger, type DriverLogger } from '../../common/logger.js';
import { Mutex } from '../../common/mutex.js';
import { settle } from '../../common/settle.js';
import type { ByteTransport } from '../../common/transport.js';
import type { EnrollOptions, FingerprintScanner, IdentifyOutcome, ModuleSignal, ScannerInfo } from '../../scanner.js';
import { gt521Commands } from '../framing/commands.js';
import { SUPPORTED_BAUD_RATES, TEMPLATE_SIZE } from '../framing/constants.js';
import { Gt521Protocol } from '../protocol/protocol.js';
import { DEFAULT_GT521_TIMEOUTS, gt521TimeoutsSchema, type Gt521Timeouts } from '../protocol/timeouts.js';
import { DEFAULT_ENROLLMENT_SETTINGS, enrollFinger, type EnrollmentSettings } from './enrollment.js';
import { openSession } from './handshake.js';
import { identifyFinger } from './identification.js';
import { flashSignal } from './indicate.js';
import { detectModel } from './model.js';
import { Gt521ModuleCommands } from './moduleCommands.js';
import { deleteAllSlots, deleteSlotRange, listEnrolledSlots } from './slots.js';
import { readTemplate, writeTemplate } from './templates.js';

export interface Gt521ScannerOptions {
  readonly transport: ByteTransport;
  /** The speed to run at once open (the module itself always starts at 9600). */
  readonly baudRate: number;
  readonly logger?: DriverLogger | undefined;
  readonly timeouts?: Partial<Gt521Timeouts> | undefined;
  readonly enrollment?: Partial<EnrollmentSettings> | undefined;
}

const settingsSchema = z.object({
  baudRate: z.literal([...SUPPORTED_BAUD_RATES]),
  timeouts: gt521TimeoutsSchema.partial().optional(),
  enrollment: z
    .object({
      pollIntervalMs: z.number().int().positive(),
      placeTimeoutMs: z.number().int().positive(),
      attemptsPerScan: z.number().int().min(1),
    })
    .partial()
    .optional(),
});

interface OpenModule {
  readonly info: ScannerInfo;
  /** GT-521F52, GT-521F32 or GT-511C3, for messages. */
  readonly modelName: string;
  readonly serialNumber: string;
}

/**
 * A GT-511C3 / GT-521F32 / GT-521F52 behind the one scanner interface. One operation at a time:
 * an identify between two enrollment scans would switch the sensor light off under the enrollment
 * and capture into the image the next Enroll step reads.
 */
export class Gt521Scanner extends EventEmitter implements FingerprintScanner {
  readonly family = 'gt521' as const;
  private readonly transport: ByteTransport;
  private readonly logger: DriverLogger;
  private readonly baudRate: number;
  private readonly timeouts: Gt521Timeouts;
  private readonly enrollment: EnrollmentSettings;
  private readonly protocol: Gt521Protocol;
  private readonly commands: Gt521ModuleCommands;
  private readonly operations = new Mutex();
  private module: OpenModule | undefined;
  /** The open under way, shared by concurrent open() calls. */
  private opening: Promise<ScannerInfo> | undefined;

  constructor(options: Gt521ScannerOptions) {
    super();
    const parsed = settingsSchema.safeParse(options);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
      throw new DriverError(
        DriverErrorCode.Unsupported,
        `GT-521F scanner settings are invalid: ${problems.join('; ')} ` +
          `(baud rates: ${SUPPORTED_BAUD_RATES.join(', ')})`,
        { problems },
      );
    }
    this.transport = options.transport;
    this.logger = options.logger ?? silentLogger;
    this.baudRate = parsed.data.baudRate;
    this.timeouts = { ...DEFAULT_GT521_TIMEOUTS, ...parsed.data.timeouts };
    this.enrollment = { ...DEFAULT_ENROLLMENT_SETTINGS, ...parsed.data.enrollment };
    this.protocol = new Gt521Protocol(this.transport, this.logger, this.timeouts);
    this.commands = new Gt521ModuleCommands(this.protocol, this.logger);
  }

  /** Idempotent: a call while an open is under way shares it rather than starting a second one. */
  async open(): Promise<ScannerInfo> {
    if (this.module !== undefined) return this.module.info;
    this.opening ??= this.openModule().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async openModule(): Promise<ScannerInfo> {
    this.transport.on('disconnected', this.onDisconnected);
    try {
      const session = await openSession(this.protocol, this.baudRate, this.timeouts.handshake, this.logger);
      const model = await detectModel(this.protocol);
      // The light may have been left on by an agent that died mid-capture: start dark.
      await this.commands.expectAck(gt521Commands.cmosLed(false));
      const firmware = `0x${session.info.firmwareVersion.toString(16).toUpperCase().padStart(8, '0')}`;
      const info: ScannerInfo = {
        family: 'gt521',
        model: `${model.name} firmware ${firmware}`,
        capacity: model.capacity,
        baudRate: session.baudRate,
        templateSize: TEMPLATE_SIZE,
        securityLevel: model.securityLevel,
        firmware,
        serialNumber: session.info.serialNumber,
        credential: 'none',
      };
      const opened = { model: info.model, capacity: info.capacity, foundAtBaudRate: session.foundAtBaudRate };
      this.logger.info(opened, 'gt521: scanner open');
      this.module = { info, modelName: model.name, serialNumber: session.info.serialNumber };
      return info;
    } catch (error) {
      this.transport.off('disconnected', this.onDisconnected);
      await this.protocol.close();
      throw error;
    }
  }

  /**
   * Ends whatever the module is doing at once: a command still waiting for its answer (an
   * Identify1_N, an enrollment's poll) fails with TransportClosed rather than holding the close up.
   */
  async close(): Promise<void> {
    if (this.module !== undefined && this.protocol.idle) {
      // The datasheet's termination command: polite, not essential; a module already gone is not news.
      await this.protocol
        .command(gt521Commands.close(), { retries: 0 })
        .catch((error: unknown) => this.logger.debug({ err: error }, 'gt521: Close was not answered'));
    }
    this.module = undefined;
    this.transport.off('disconnected', this.onDisconnected);
    await this.protocol.close();
  }

  identify(): Promise<IdentifyOutcome> {
    return this.operation(() => identifyFinger(this.commands, this.requireOpen().info.capacity));
  }

  fingerPresent(): Promise<boolean> {
    return this.operation(() => {
      this.requireOpen();
      return this.commands.withLight(() => this.commands.fingerPressed());
    });
  }

  enroll(options: EnrollOptions): Promise<void> {
    return this.operation(() => {
      this.checkSlots(options.slot, 1);
      return enrollFinger(this.commands, options, this.enrollment);
    });
  }

  deleteSlots(slot: number, count = 1): Promise<void> {
    return this.operation(() => {
      this.checkSlots(slot, count);
      return deleteSlotRange(this.protocol, slot, count);
    });
  }

  wipe(): Promise<void> {
    return this.operation(() => {
      this.requireOpen();
      return deleteAllSlots(this.protocol);
    });
  }

  enrolledSlots(): Promise<number[]> {
    return this.operation(() => listEnrolledSlots(this.protocol, this.requireOpen().info.capacity));
  }

  readTemplate(slot: number): Promise<Buffer> {
    return this.operation(() => {
      this.checkSlots(slot, 1);
      return readTemplate(this.protocol, slot);
    });
  }

  writeTemplate(slot: number, template: Buffer): Promise<void> {
    return this.operation(() => {
      this.checkSlots(slot, 1);
      return writeTemplate(this.protocol, slot, template, this.timeouts.templateStore);
    });
  }

  indicate(signal: ModuleSignal): Promise<void> {
    return this.operation(() => {
      this.requireOpen();
      return flashSignal(this.commands, signal);
    });
  }

  /** The module's serial number from Open: fixed in the module, so GT scanners have no bind(). */
  readBindingToken(): Promise<string | undefined> {
    return settle(() => this.requireOpen().serialNumber);
  }

  /** Checks run inside the queue: a module closed or unplugged while an operation waited is seen. */
  private operation<T>(body: () => Promise<T>): Promise<T> {
    return this.operations.run(async () => body());
  }

  private requireOpen(): OpenModule {
    if (this.module === undefined) {
      throw new DriverError(
        DriverErrorCode.TransportClosed,
        `the GT-521F scanner on ${this.transport.description} is not open`,
      );
    }
    return this.module;
  }

  private checkSlots(slot: number, count: number): void {
    const { info, modelName } = this.requireOpen();
    const capacity = info.capacity;
    const whole = Number.isInteger(slot) && Number.isInteger(count) && count >= 1;
    if (!whole || slot < 0 || slot + count > capacity) {
      const asked = count === 1 ? `slot ${slot} is` : `slots ${slot}…${slot + count - 1} are`;
      throw new DriverError(
        DriverErrorCode.SlotOutOfRange,
        `${asked} outside the ${modelName}'s slots 0…${capacity - 1}`,
        { slot, count, capacity },
      );
    }
  }

  private readonly onDisconnected = (error: Error): void => {
    this.module = undefined;
    this.transport.off('disconnected', this.onDisconnected);
    this.emit('disconnected', error);
  };
}
