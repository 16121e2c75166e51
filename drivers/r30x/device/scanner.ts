/**
 * The R30x family behind the agent's one scanner interface. One operation at a time (an identify
 * must not run between the two scans of an enrollment: they share the module's feature buffers);
 * a module that stops answering is handshaken again once before the operation fails.
 */
import { EventEmitter } from 'node:events';
import { DriverError, DriverErrorCode, isDriverError } from '../../common/errors.js';
import { silentLogger, type DriverLogger } from '../../common/logger.js';
import { Mutex } from '../../common/mutex.js';
import type { ByteTransport } from '../../common/transport.js';
import type { EnrollOptions, FingerprintScanner, IdentifyOutcome, ModuleSignal, ScannerInfo } from '../../scanner.js';
import { describeConfirmation } from '../framing/confirmation.js';
import {
  auraLedConfig,
  deleteChar,
  downChar,
  empty,
  genImg,
  img2Tz,
  loadChar,
  readIndexTable,
  readNotepad,
  readSysPara,
  search,
  setPwd,
  store,
  upChar,
  writeNotepad,
} from '../framing/instructions.js';
import { DEFAULT_ADDRESS } from '../framing/packet.js';
import { INDEX_PAGE_SLOTS } from '../framing/replies.js';
import { MAX_TEMPLATE_BYTES, mergeTimeouts, type R30xTimeoutOverrides, type R30xTimeouts } from '../protocol/policy.js';
import { R30xProtocol } from '../protocol/protocol.js';
import { BINDING_NOTEPAD_PAGE, decodeBindingToken, encodeBindingToken } from './bindingToken.js';
import { enrollFinger } from './enroll.js';
import { handshake, type HandshakeContext } from './handshake.js';
import { SIGNAL_LIGHTS } from './signals.js';

export interface R30xScannerOptions {
  readonly transport: ByteTransport;
  /** The configured speed; other standard speeds are probed when the module does not answer. */
  readonly baudRate: number;
  readonly address?: number;
  /** This device's own module password (the factory password 0 is tried after it). */
  readonly password: number;
  readonly logger?: DriverLogger;
  readonly timeouts?: R30xTimeoutOverrides;
  /** Pause between GenImg polls while enrollment waits for a finger or a lift. */
  readonly pollIntervalMs?: number;
}

const DEFAULT_POLL_INTERVAL_MS = 50;

export class R30xScanner extends EventEmitter implements FingerprintScanner {
  readonly family = 'r30x' as const;

  private readonly transport: ByteTransport;
  private readonly logger: DriverLogger;
  private readonly timeouts: R30xTimeouts;
  private readonly protocol: R30xProtocol;
  private readonly operations = new Mutex();
  private readonly pollIntervalMs: number;
  private password: number;
  /** The speed the module last answered at: tried first on the next open. */
  private baudRate: number;
  private info: ScannerInfo | undefined;
  private aura: 'supported' | 'unsupported' | undefined;

  private readonly forwardDisconnect = (error: Error): void => {
    this.emit('disconnected', error);
  };

  constructor(options: R30xScannerOptions) {
    super();
    this.transport = options.transport;
    this.logger = options.logger ?? silentLogger;
    this.timeouts = mergeTimeouts(options.timeouts);
    this.password = options.password;
    this.baudRate = options.baudRate;
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.protocol = new R30xProtocol({
      transport: options.transport,
      address: options.address ?? DEFAULT_ADDRESS,
      logger: this.logger,
      timeouts: this.timeouts,
    });
  }

  open(): Promise<ScannerInfo> {
    return this.operations.run(async () => {
      // What we knew belongs to the module of the last session; after a replug it may be another.
      this.info = undefined;
      this.aura = undefined;
      if (!this.transport.isOpen) await this.transport.open(this.baudRate);
      this.transport.off('disconnected', this.forwardDisconnect);
      this.transport.on('disconnected', this.forwardDisconnect);
      this.protocol.attach();
      this.info = await this.connect();
      this.logger.info({ ...this.info }, 'r30x module ready');
      return this.info;
    });
  }

  /**
   * Not queued behind the running operation: a Search or an enrollment waiting for a finger ends
   * at once with TransportClosed instead of holding the close up.
   */
  async close(): Promise<void> {
    this.transport.off('disconnected', this.forwardDisconnect);
    this.protocol.detach(
      new DriverError(DriverErrorCode.TransportClosed, 'the scanner was closed', {
        transport: this.transport.description,
      }),
    );
    this.info = undefined;
    await this.transport.close();
  }

  identify(): Promise<IdentifyOutcome> {
    return this.operation('identify', true, async (info) => {
      const captured = await this.capture();
      if (captured !== undefined) return captured;
      try {
        const hit = await this.protocol.execute(search(1, 0, info.capacity));
        return { kind: 'match', slot: hit.slot, score: hit.score };
      } catch (error) {
        if (isDriverError(error, DriverErrorCode.NoMatch)) return { kind: 'no-match' };
        throw error;
      }
    });
  }

  fingerPresent(): Promise<boolean> {
    return this.operation('fingerPresent', true, async () => {
      try {
        await this.protocol.execute(genImg());
        return true;
      } catch (error) {
        if (isDriverError(error, DriverErrorCode.NoFinger)) return false;
        // A failed capture (03) still means something is on the glass.
        if (isDriverError(error, DriverErrorCode.PoorImage)) return true;
        throw error;
      }
    });
  }

  enroll(options: EnrollOptions): Promise<void> {
    return this.operation('enroll', false, (info) => {
      checkSlots(info, options.slot, 1);
      return enrollFinger(
        { protocol: this.protocol, capacity: info.capacity, pollIntervalMs: this.pollIntervalMs },
        options,
      );
    });
  }

  deleteSlots(slot: number, count = 1): Promise<void> {
    return this.operation('deleteSlots', false, async (info) => {
      checkSlots(info, slot, count);
      await this.protocol.execute(deleteChar(slot, count));
    });
  }

  wipe(): Promise<void> {
    return this.operation('wipe', false, () => this.protocol.execute(empty()));
  }

  enrolledSlots(): Promise<number[]> {
    return this.operation('enrolledSlots', true, async (info) => {
      const slots: number[] = [];
      for (let page = 0; page * INDEX_PAGE_SLOTS < info.capacity; page += 1) {
        slots.push(...(await this.protocol.execute(readIndexTable(page))));
      }
      return slots.filter((slot) => slot < info.capacity);
    });
  }

  readTemplate(slot: number): Promise<Buffer> {
    return this.operation('readTemplate', true, async (info) => {
      checkSlots(info, slot, 1);
      await this.protocol.execute(loadChar(1, slot));
      const template = await this.protocol.upload(upChar(1));
      this.info = { ...info, templateSize: template.length };
      return template;
    });
  }

  writeTemplate(slot: number, template: Buffer): Promise<void> {
    return this.operation('writeTemplate', false, async (info) => {
      checkSlots(info, slot, 1);
      checkTemplate(info, template);
      await this.protocol.download(downChar(1), template);
      await this.protocol.execute(store(1, slot));
    });
  }

  indicate(signal: ModuleSignal): Promise<void> {
    return this.operation('indicate', true, async () => {
      if (this.aura === 'unsupported') return;
      const detecting = this.aura === undefined;
      try {
        await this.protocol.execute(auraLedConfig(SIGNAL_LIGHTS[signal]), detecting ? { retries: 0 } : {});
        this.aura = 'supported';
      } catch (error) {
        // Modules without a ring answer the unknown instruction with an error code (FC, or 01
        // on older firmware): remember it, and stay quiet from then on.
        const refused =
          isDriverError(error, DriverErrorCode.Unsupported) || isDriverError(error, DriverErrorCode.ModuleError);
        if (!detecting || !refused) throw error;
        this.aura = 'unsupported';
        this.logger.info(
          { confirmation: error.context['confirmation'] },
          'r30x module has no aura LED; indicate() is a no-op',
        );
      }
    });
  }

  readBindingToken(): Promise<string | undefined> {
    return this.operation('readBindingToken', true, async () =>
      decodeBindingToken(await this.protocol.execute(readNotepad(BINDING_NOTEPAD_PAGE))),
    );
  }

  /** Writes the token first: a module with the new password but no token would look foreign. */
  bind(token: string, password: number): Promise<void> {
    return this.operation('bind', false, async (info) => {
      await this.protocol.execute(writeNotepad(BINDING_NOTEPAD_PAGE, encodeBindingToken(token)));
      await this.protocol.execute(setPwd(password));
      this.password = password;
      this.info = { ...info, credential: 'device' };
      this.logger.info({ transport: this.transport.description }, 'r30x module bound to this device');
    });
  }

  /**
   * Runs one operation on an open module. When a repeatable one meets a timeout, or a module that
   * asks for its password again (it restarted), the module is handshaken again and the operation
   * tried once more. Others just fail: the next operation recovers the session.
   */
  private operation<T>(name: string, repeatable: boolean, body: (info: ScannerInfo) => Promise<T>): Promise<T> {
    return this.operations.run(async () => {
      const info = this.requireOpen(name);
      try {
        return await body(info);
      } catch (error) {
        const silent =
          isDriverError(error, DriverErrorCode.Timeout) || isDriverError(error, DriverErrorCode.NoHandshake);
        if (!repeatable || !silent) throw error;
        this.logger.warn({ operation: name, code: error.code }, 'r30x module stopped answering; handshaking again');
        this.info = { ...(await this.connect()), templateSize: info.templateSize };
        return body(this.info);
      }
    });
  }

  private async connect(): Promise<ScannerInfo> {
    const context: HandshakeContext = {
      protocol: this.protocol,
      transport: this.transport,
      logger: this.logger,
      timeouts: this.timeouts,
    };
    const { baudRate, credential } = await handshake(context, this.baudRate, this.password);
    this.baudRate = baudRate;
    const parameters = await this.protocol.execute(readSysPara());
    this.protocol.packetSize = parameters.packetSize;
    return {
      family: 'r30x',
      model: `R30x-compatible, system id 0x${parameters.systemId.toString(16).padStart(4, '0')}`,
      capacity: parameters.capacity,
      baudRate,
      packetSize: parameters.packetSize,
      securityLevel: parameters.securityLevel,
      credential,
    };
  }

  /** GenImg then Img2Tz(1): an outcome when there is nothing to search with. */
  private async capture(): Promise<IdentifyOutcome | undefined> {
    try {
      await this.protocol.execute(genImg());
      await this.protocol.execute(img2Tz(1));
      return undefined;
    } catch (error) {
      if (isDriverError(error, DriverErrorCode.NoFinger)) return { kind: 'no-finger' };
      if (isDriverError(error, DriverErrorCode.PoorImage)) {
        return { kind: 'poor-image', reason: describeConfirmation(Number(error.context['confirmation'])) };
      }
      throw error;
    }
  }

  private requireOpen(operation: string): ScannerInfo {
    if (this.info === undefined) {
      throw new DriverError(
        DriverErrorCode.TransportClosed,
        `${operation}: the R30x scanner on ${this.transport.description} is not open; call open() first`,
        { operation, transport: this.transport.description },
      );
    }
    return this.info;
  }
}

function checkSlots(info: ScannerInfo, slot: number, count: number): void {
  if (!Number.isInteger(slot) || !Number.isInteger(count) || count < 1 || slot < 0 || slot + count > info.capacity) {
    throw new DriverError(
      DriverErrorCode.SlotOutOfRange,
      count === 1
        ? `slot ${slot} does not exist: this module has slots 0–${info.capacity - 1}`
        : `slots ${slot}–${slot + count - 1} do not all exist: this module has slots 0–${info.capacity - 1}`,
      { slot, count, capacity: info.capacity },
    );
  }
}

function checkTemplate(info: ScannerInfo, template: Buffer): void {
  const expected = info.templateSize;
  const plausible = template.length > 0 && template.length <= MAX_TEMPLATE_BYTES;
  if (!plausible || (expected !== undefined && template.length !== expected)) {
    throw new DriverError(
      DriverErrorCode.BadTemplate,
      expected === undefined
        ? `a template of ${template.length} bytes cannot be an R30x template (1–${MAX_TEMPLATE_BYTES} bytes)`
        : `the template is ${template.length} bytes but this module's templates are ${expected} bytes: ` +
            'it comes from another model',
      { bytes: template.length, expected },
    );
  }
}
