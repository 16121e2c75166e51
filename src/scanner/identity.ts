import type { FingerprintScanner, ScannerFamily, ScannerInfo } from '../../drivers/scanner.js';
import { AgentError, ErrorCode } from '../errors.js';
import type { Journal } from '../journal/journal.js';
import type { JournalTransaction } from '../journal/types.js';
import type { Logger } from '../log.js';
import { countyPublicKey, sealForCounty } from '../escrow/countyEnvelope.js';
import { readBinding, tokenHash, writeBinding, type ModuleBinding } from './binding.js';
import type { ScannerSecrets } from './secrets.js';

/**
 * Why a module is not trusted. password: it rejects this device's password (and the factory one);
 * factory-module: a new or reset module where a bound one was; token/serial: another device's
 * module; family: the configured protocol family changed.
 */
export type MismatchReason = 'password' | 'factory-module' | 'token' | 'serial' | 'family';

export interface Refusal {
  trusted: false;
  reason: MismatchReason;
  message: string;
}

/** A trusted module comes with its info as it is now (binding changes the R30x credential). */
export type Trust = { trusted: true; info: ScannerInfo } | Refusal;

export interface IdentityDeps {
  journal: Pick<Journal, 'transaction' | 'db'>;
  secrets: ScannerSecrets;
  /** county.escrowPublicKey: the R30x password is sealed to it when a module is bound. */
  escrowPublicKey: string | undefined;
  deviceId: string;
  logger: Logger;
  /** Bind a factory-new module even where another was bound (the emulator demo: every start is a new module). */
  acceptFactoryModules?: boolean | undefined;
}

const MISMATCH_TEXT: Record<MismatchReason, string> = {
  password: "the module rejects this device's password: it belongs to another device",
  'factory-module': 'a new or reset module is attached where this device had bound another',
  token: "the module carries another device's binding token",
  serial: 'the module has another serial number than the one this device bound',
  family: 'the module is of another family than the one this device bound',
};

/**
 * Module identity: a swapped module could answer "match" for anyone, so the device trusts only the
 * module it bound. The first module ever is bound automatically; after that, a different one
 * raises `scanner.module_mismatch` and is refused until a technician confirms it.
 */
export class ModuleIdentity {
  /** The last alarm journaled by this process: a module that stays refused is not re-reported at every reconnect. */
  private lastAlarm: string | undefined;

  constructor(private readonly deps: IdentityDeps) {}

  binding(): ModuleBinding | undefined {
    return readBinding(this.deps.journal.db);
  }

  async check(scanner: FingerprintScanner, info: ScannerInfo): Promise<Trust> {
    const binding = this.binding();
    if (binding !== undefined && binding.family !== info.family)
      return this.mismatch(info.family, 'family', binding, undefined);
    if (info.family === 'r30x') return this.checkR30x(scanner, info, binding);
    const serial = info.serialNumber ?? (await scanner.readBindingToken());
    if (serial === undefined) return this.mismatch(info.family, 'serial', binding, undefined);
    if (binding === undefined) this.record(info, serial, 'scanner.bound', {});
    else if (binding.token !== serial) return this.mismatch(info.family, 'serial', binding, serial);
    return this.trusted(info);
  }

  /** The R30x open failed with WrongPassword: nothing more can be read from the module. */
  wrongPassword(family: ScannerFamily): Refusal {
    return this.mismatch(family, 'password', this.binding(), undefined);
  }

  /** A technician accepts the attached module: it is bound in place of the old one. Returns its info now. */
  async confirm(scanner: FingerprintScanner, info: ScannerInfo, operator: string): Promise<ScannerInfo> {
    const bound = await this.bindModule(scanner, info);
    this.record(bound.info, bound.token, 'scanner.module_confirmed', { operator });
    this.lastAlarm = undefined;
    return bound.info;
  }

  private async checkR30x(
    scanner: FingerprintScanner,
    info: ScannerInfo,
    binding: ModuleBinding | undefined,
  ): Promise<Trust> {
    const ours = this.deps.secrets.bindingToken;
    if (info.credential === 'factory') {
      if (binding !== undefined && this.deps.acceptFactoryModules !== true)
        return this.mismatch('r30x', 'factory-module', binding, undefined);
      const bound = await this.bindModule(scanner, info);
      this.record(bound.info, bound.token, 'scanner.bound', {});
      return this.trusted(bound.info);
    }
    const found = await scanner.readBindingToken();
    if (found !== ours) return this.mismatch('r30x', 'token', binding, found);
    // Our password and token but no row: the binding was written to the module and the process
    // stopped before the journal committed it.
    if (binding === undefined) this.record(info, ours, 'scanner.bound', {});
    return this.trusted(info);
  }

  /** R30x: writes our token and password into the module; GT: its serial number is the token. */
  private async bindModule(
    scanner: FingerprintScanner,
    info: ScannerInfo,
  ): Promise<{ token: string; info: ScannerInfo }> {
    if (info.family === 'r30x') {
      await scanner.bind!(this.deps.secrets.bindingToken, this.deps.secrets.modulePassword);
      return { token: this.deps.secrets.bindingToken, info: { ...info, credential: 'device' } };
    }
    const serial = info.serialNumber ?? (await scanner.readBindingToken());
    if (serial === undefined)
      throw new AgentError(
        ErrorCode.ModuleMismatch,
        'the GT-521F module reported no serial number, so it cannot be bound',
      );
    return { token: serial, info };
  }

  private record(
    info: ScannerInfo,
    token: string,
    type: 'scanner.bound' | 'scanner.module_confirmed',
    extra: { operator?: string },
  ): void {
    const escrow = info.family === 'r30x' ? this.passwordEscrow() : undefined;
    this.deps.journal.transaction((tx) => {
      const entry = tx.append(type, {
        ...extra,
        family: info.family,
        model: info.model,
        capacity: info.capacity,
        tokenHash: tokenHash(token),
      });
      writeBinding(tx.db, { family: info.family, token, boundSeq: entry.seq });
      if (escrow !== undefined) escrow(tx);
    });
    this.deps.logger.info(
      { family: info.family, model: info.model, event: type },
      'fingerprint module bound to this device',
    );
  }

  /**
   * The sealed password entry, or undefined (with a warning) when the county gave no usable key:
   * the password alone unlocks the module, so a device that loses it bricks its module.
   */
  private passwordEscrow(): ((tx: JournalTransaction) => void) | undefined {
    const { escrowPublicKey, secrets, deviceId, logger } = this.deps;
    if (escrowPublicKey === undefined) {
      logger.warn(
        { file: 'keys/scanner.json' },
        'no county.escrowPublicKey: the module password is kept only on this device; losing keys/scanner.json makes the module unusable',
      );
      return undefined;
    }
    let countyKey;
    try {
      countyKey = countyPublicKey(escrowPublicKey);
    } catch (error) {
      logger.error({ err: error }, 'the module password was not escrowed: county.escrowPublicKey is unusable');
      return undefined;
    }
    const password = Buffer.alloc(4);
    password.writeUInt32BE(secrets.modulePassword);
    const envelope = sealForCounty(countyKey, 'module-password', { deviceId, family: 'r30x' }, password);
    return (tx) => tx.append('scanner.password_escrowed', { family: 'r30x', envelope: { ...envelope } });
  }

  private trusted(info: ScannerInfo): Trust {
    this.lastAlarm = undefined;
    return { trusted: true, info };
  }

  private mismatch(
    family: ScannerFamily,
    reason: MismatchReason,
    binding: ModuleBinding | undefined,
    found: string | undefined,
  ): Refusal {
    const payload = {
      family,
      reason,
      expectedTokenHash: binding === undefined ? null : tokenHash(binding.token),
      foundTokenHash: found === undefined ? null : tokenHash(found),
    };
    const key = JSON.stringify(payload);
    if (key !== this.lastAlarm) {
      this.deps.journal.transaction((tx) => tx.append('scanner.module_mismatch', payload));
      this.lastAlarm = key;
      this.deps.logger.error(
        payload,
        `fingerprint module mismatch: ${MISMATCH_TEXT[reason]}; sign-ins are refused until a technician runs room-agent scanner confirm`,
      );
    }
    const remedy =
      reason === 'password'
        ? "fit this device's own module, or have the center recover the module's password from escrow"
        : "fit this device's own module, or run room-agent scanner confirm --operator NAME to accept this one";
    return { trusted: false, reason, message: `${MISMATCH_TEXT[reason]}; sign-ins are refused: ${remedy}` };
  }
}
