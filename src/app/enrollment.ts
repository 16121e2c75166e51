import type { Config } from '../config/schema.js';
import type { ControlRegistry } from '../control/registry.js';
import { EnrollmentService, type EscrowTarget } from '../enrollment/enrollment.js';
import { registerEnrollMethod } from '../enrollment/methods.js';
import type { Journal } from '../journal/journal.js';
import type { Logger } from '../log.js';
import { registerMemberMethods } from '../members/methods.js';
import { MemberRemoval } from '../members/removal.js';
import type { ScannerAccess } from '../members/scannerAccess.js';
import { SlotDeletions } from '../members/slotDeletions.js';
import { MemberStore } from '../members/store.js';
import { emulatedMark } from '../scanner/emulated.js';
import { loadScannerSecrets } from '../scanner/secrets.js';
import { countyPublicKey } from '../escrow/countyEnvelope.js';
import { registerTemplateMethods } from '../templates/methods.js';
import { ModuleRestore } from '../templates/restore.js';

export interface EnrollmentFeatureDeps {
  config: Config;
  journal: Journal;
  /** The daemon's scanner service, or the one a standalone CLI opens on demand. */
  scanner: ScannerAccess;
  logger: Logger;
}

/** The roster and enrollment services behind the control methods, which center commands use too. */
export interface EnrollmentFeature {
  /** The removed members' slot queue, for the daemon's SlotDeletionService. */
  deletions: SlotDeletions;
  members: MemberStore;
  removal: MemberRemoval;
  enrollment: EnrollmentService;
  restore: ModuleRestore;
  readonly templateKey: () => Buffer;
}

/**
 * The roster, enrollment and template maintenance over the control socket: `members.*`,
 * `enroll`, `scanner.backup|restore|wipe`. The daemon and a standalone CLI register the same
 * methods.
 */
export function registerEnrollmentMethods(
  registry: ControlRegistry,
  { config, journal, scanner, logger }: EnrollmentFeatureDeps,
): EnrollmentFeature {
  const deletions = new SlotDeletions(journal, scanner, logger.child({ module: 'slot-deletions' }));
  // Read when needed: the scanner service creates the secrets on the daemon's first start.
  const templateKey = (): Buffer => loadScannerSecrets(config.device.dataDir, { create: false }).templateKey;
  const members = new MemberStore(journal);
  const removal = new MemberRemoval(journal, deletions);
  registerMemberMethods(registry, members, removal);
  const enrollment = new EnrollmentService({
    journal,
    scanner,
    deletions,
    templateKey,
    escrow: () => escrowTarget(config, logger),
    scannerMark: emulatedMark(config.scanner.driver),
    logger: logger.child({ module: 'enrollment' }),
  });
  registerEnrollMethod(registry, enrollment);
  const restore = new ModuleRestore({ journal, scanner, templateKey, logger: logger.child({ module: 'restore' }) });
  registerTemplateMethods(registry, {
    journal,
    scanner,
    restore,
    deviceId: config.device.id,
    logger: logger.child({ module: 'templates' }),
  });
  return { deletions, members, removal, enrollment, restore, templateKey };
}

/** Templates leave the device only when the county enabled escrow and gave its key. */
function escrowTarget(config: Config, logger: Logger): EscrowTarget | undefined {
  if (!config.scanner.escrowTemplates) return undefined;
  const key = config.county.escrowPublicKey;
  if (key === undefined) {
    logger.warn(
      'scanner.escrowTemplates is on but county.escrowPublicKey is not set: enrolled templates stay on this device',
    );
    return undefined;
  }
  return { countyKey: countyPublicKey(key), deviceId: config.device.id };
}
