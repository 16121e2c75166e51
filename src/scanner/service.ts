import type { BackoffPolicy } from '../util/backoff.js';
import type { HidDeviceFactory } from '../../drivers/common/hidDevice.js';
import { KeyboardReader } from '../../drivers/hidKeyboard/keyboardReader.js';
import type { FingerprintScanner, ScannerInfo } from '../../drivers/scanner.js';
import type { Config } from '../config/schema.js';
import type { EventBus, ScannerState } from '../daemon/bus.js';
import { HealthChanges } from '../daemon/healthChanges.js';
import type { Service, ServiceHealth } from '../daemon/service.js';
import { AgentError, ErrorCode } from '../errors.js';
import { openSocGpio, type GpioAccess } from '../feedback/gpioAccess.js';
import type { Journal } from '../journal/journal.js';
import type { Logger } from '../log.js';
import { withDriverFaults } from './driverFault.js';
import { EmulatorProcess } from './emulatorProcess.js';
import { ModuleIdentity } from './identity.js';
import { KeyboardSupervisor } from './keyboardSupervisor.js';
import { DEFAULT_WAIT_MS, ModuleSupervisor, type IdleWorker, type ModuleUse } from './moduleSupervisor.js';
import { createScannerOpener, hidSelector, openerSettings, type ScannerOpener } from './opener.js';
import { createPowerSwitch, type PowerSwitch } from './power.js';
import type { ScannerSecrets } from './secrets.js';
import { scannerText } from './messages.js';

export type { IdleResume, IdleWorker, ModuleTrust, ModuleUse } from './moduleSupervisor.js';
export type { ScannerState } from '../daemon/bus.js';
export type { ScannerOpener } from './opener.js';

export interface ScannerServiceDeps {
  config: Config;
  journal: Journal;
  bus: EventBus;
  logger: Logger;
  /**
   * Reads (on the daemon's first start: creates) the device secrets. Called in start(), not at
   * construction, so a damaged secrets file degrades this service alone, never the daemon.
   */
  secrets: () => ScannerSecrets;
  /** Injectable for tests: a scanner on an emulator's pty with test timeouts. */
  openScanner?: ScannerOpener | undefined;
  /** Injectable for tests (RecordingGpioLines); default: the Raspberry Pi header when scanner.powerGpio is set. */
  gpio?: GpioAccess | undefined;
  backoff?: BackoffPolicy | undefined;
  /** Injectable for tests: the keyboard-wedge reader's HID device (scanner.driver hid-keyboard). */
  openHid?: HidDeviceFactory | undefined;
}

/**
 * The fingerprint scanner as a service: owns the device for the agent's lifetime, keeps it
 * connected (or reports why not), and lends it to the sign-in loop and, exclusively, to
 * enrollment and maintenance. A missing or failing scanner degrades this service only.
 */
export class ScannerService implements Service {
  readonly name = 'scanner';
  private state_: ScannerState = 'disabled';
  private detail: string | undefined;
  private module: ModuleSupervisor | undefined;
  private keyboard: KeyboardSupervisor | undefined;
  private emulator_: EmulatorProcess | undefined;
  private power: PowerSwitch | undefined;
  private identity_: ModuleIdentity | undefined;
  private worker: IdleWorker | undefined;
  private cardHandler: ((memberNumber: string) => void) | undefined;
  private readonly changes: HealthChanges;

  constructor(private readonly deps: ScannerServiceDeps) {
    this.changes = new HealthChanges(this, deps.bus);
  }

  async start(): Promise<void> {
    const { config, logger } = this.deps;
    const { driver } = config.scanner;
    // Whatever the driver: enrollment's template key lives in the secrets too.
    const secrets = this.deps.secrets();
    if (driver === 'none') {
      this.setState('disabled', 'scanner.driver is none');
      return;
    }
    if (driver === 'hid-keyboard') {
      this.startKeyboard();
      return;
    }
    let emulatorLink: string | undefined;
    if (driver === 'emulator') {
      this.emulator_ = await EmulatorProcess.start(config.device.dataDir, logger);
      emulatorLink = this.emulator_.link;
    }
    const family = driver === 'gt521' ? 'gt521' : 'r30x';
    const open =
      this.deps.openScanner ??
      createScannerOpener(openerSettings(config.scanner, family, emulatorLink), secrets, logger);
    const gpio =
      this.deps.gpio ??
      (config.scanner.powerGpio === undefined
        ? { available: false as const, reason: 'not needed' }
        : await openSocGpio(logger));
    this.power = createPowerSwitch(config.scanner.powerGpio, gpio, logger.child({ module: 'scanner-power' }));
    this.identity_ = new ModuleIdentity({
      journal: this.deps.journal,
      secrets,
      escrowPublicKey: config.county.escrowPublicKey,
      deviceId: config.device.id,
      logger,
      // The emulated module forgets everything when the demo stops: each start is a new module.
      acceptFactoryModules: driver === 'emulator',
    });
    this.module = new ModuleSupervisor({
      open,
      identity: this.identity_,
      power: this.power,
      logger,
      onState: (state, detail) => this.setState(state, detail),
      backoff: this.deps.backoff,
    });
    this.module.setWorker(this.worker);
    this.module.start();
  }

  async stop(): Promise<void> {
    await this.module?.stop();
    await this.keyboard?.stop();
    await this.emulator_?.stop();
    this.power?.close();
    this.module = undefined;
    this.keyboard = undefined;
    this.emulator_ = undefined;
    this.power = undefined;
  }

  health(): ServiceHealth {
    const detail = this.detail === undefined ? this.state_ : `${this.state_}: ${this.detail}`;
    return { state: this.state_ === 'connected' || this.state_ === 'disabled' ? 'ok' : 'degraded', detail };
  }

  state(): ScannerState {
    return this.state_;
  }

  /** scanner.driver: the county tells an emulated room from a real one by it. */
  driver(): string {
    return this.deps.config.scanner.driver;
  }

  /** Why the scanner is in its state (the module's description when connected). */
  stateDetail(): string | undefined {
    return this.detail;
  }

  info(): ScannerInfo | undefined {
    return this.module?.current().info;
  }

  identity(): ModuleIdentity | undefined {
    return this.identity_;
  }

  /** The running no-hardware demo (scanner.driver emulator), if any. */
  emulator(): EmulatorProcess | undefined {
    return this.emulator_;
  }

  /**
   * Exclusive use of the module (enrollment, backup, restore, wipe, confirm): pauses the idle
   * sign-in loop, waits up to waitMs for a connection (DeviceUnavailable otherwise), runs fn,
   * resumes the loop. A module that is not trusted is refused with ModuleMismatch; a DriverError
   * fn lets through becomes an AgentError (ModuleFault or DeviceUnavailable).
   */
  async exclusive<T>(
    purpose: string,
    fn: (scanner: FingerprintScanner, info: ScannerInfo) => Promise<T>,
    waitMs = DEFAULT_WAIT_MS,
    use: Pick<ModuleUse, 'usesFinger' | 'failOnOpenError'> = {},
  ): Promise<T> {
    const module = this.requireModule(purpose);
    return withDriverFaults(purpose, () =>
      module.withModule(purpose, (session) => fn(session.scanner, session.info), waitMs, use),
    );
  }

  /** Binds the attached module in place of the trusted one (`scanner confirm`); returns the module's info. */
  async confirm(operator: string, waitMs = DEFAULT_WAIT_MS): Promise<ScannerInfo> {
    const module = this.requireModule('scanner confirm');
    return withDriverFaults('scanner confirm', () =>
      module.withModule(
        'scanner confirm',
        async (session) => {
          const info = await this.identity_!.confirm(session.scanner, session.info, operator);
          module.markTrusted(session, info);
          return info;
        },
        waitMs,
        { allowRefused: true },
      ),
    );
  }

  /** The sign-in loop, run on the module whenever nobody holds it exclusively. */
  setIdleWorker(worker: IdleWorker | undefined): void {
    this.worker = worker;
    this.module?.setWorker(worker);
  }

  /** Where member numbers typed by a keyboard-wedge reader go (scanner.driver hid-keyboard). */
  onCard(handler: ((memberNumber: string) => void) | undefined): void {
    this.cardHandler = handler;
  }

  private startKeyboard(): void {
    const { config, logger } = this.deps;
    const device = hidSelector(config.scanner.hid);
    this.keyboard = new KeyboardSupervisor({
      open: () =>
        new KeyboardReader({
          device,
          openDevice: this.deps.openHid,
          logger: logger.child({ module: 'keyboard-reader' }),
        }),
      onNumber: (memberNumber) => this.cardHandler?.(memberNumber),
      logger,
      onState: (state, detail) => this.setState(state, detail),
      backoff: this.deps.backoff,
    });
    this.keyboard.start();
  }

  private requireModule(purpose: string): ModuleSupervisor {
    if (this.module !== undefined) return this.module;
    const { driver } = this.deps.config.scanner;
    const message =
      driver === 'none' || driver === 'hid-keyboard'
        ? scannerText('noModuleForDriver', { purpose, driver })
        : scannerText('serviceNotRunning', { purpose });
    throw new AgentError(ErrorCode.ScannerDisabled, message, { driver });
  }

  private setState(state: ScannerState, detail: string | undefined): void {
    this.state_ = state;
    this.detail = detail;
    this.deps.bus.emit('scanner.state', { state, detail });
    this.changes.note();
  }
}
