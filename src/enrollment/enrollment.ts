import type { KeyObject } from 'node:crypto';
import { DriverErrorCode, isDriverError } from '../../drivers/common/errors.js';
import type { EnrollPrompt, FingerprintScanner, ScannerInfo } from '../../drivers/scanner.js';
import { AgentError, ErrorCode } from '../errors.js';
import type { JsonValue } from '../journal/types.js';
import type { Logger } from '../log.js';
import { fingerAtSlot, fingerOfMember, insertFinger } from '../members/fingerRows.js';
import { membersText } from '../members/messages.js';
import type { FingerName } from '../members/schema.js';
import type { ScannerAccess } from '../members/scannerAccess.js';
import { queueSlotDeletions, type SlotDeletions } from '../members/slotDeletions.js';
import { findMember, type MemberJournal } from '../members/store.js';
import type { Db } from '../store/database.js';
import { sealTemplate } from '../templates/backupCipher.js';
import { insertBackup, insertEscrow } from '../templates/backupRows.js';
import { sealForCounty } from '../escrow/countyEnvelope.js';
import { enrollmentText } from './messages.js';
import { chooseFreeSlot } from './slots.js';

export interface EnrollRequest {
  memberId: string;
  finger: FingerName;
  operator: string;
  /** The member agreed to the collection of their fingerprint; false is refused. */
  consent: boolean;
}

export interface EnrollResult {
  memberId: string;
  finger: FingerName;
  slot: number;
  moduleFamily: string;
  templateSize: number;
  escrowed: boolean;
  seq: number;
}

/** Where escrowed templates go: the county's X25519 key, and this device's id for the envelope header. */
export interface EscrowTarget {
  countyKey: KeyObject;
  deviceId: string;
}

export interface EnrollmentDeps {
  journal: MemberJournal;
  scanner: ScannerAccess;
  deletions: SlotDeletions;
  /** The device's template key (32 bytes), read from the device secrets when needed. */
  templateKey: () => Buffer;
  /** Present only when the county enabled escrow and gave its key; read before the module is touched. */
  escrow: () => EscrowTarget | undefined;
  /** Added to every member.enrolled payload (emulatedMark): an emulated finger is no real enrollment. */
  scannerMark?: Record<string, JsonValue> | undefined;
  logger: Logger;
}

/** How the technician follows an enrollment, and how they cancel it. */
export interface EnrollGuide {
  readonly onPrompt: (prompt: EnrollPrompt) => void;
  /** Aborts when the technician gives up (Ctrl-C, the CLI went away). */
  signal?: AbortSignal | undefined;
}

/** What the module holds after a successful enrollment, before it is committed. */
interface StoredTemplate {
  slot: number;
  family: ScannerInfo['family'];
  template: Buffer;
}

/** How long an enrollment waits for the sign-in loop to hand the module over. */
const SCANNER_WAIT_MS = 10_000;

/**
 * Enrolls one finger of a roster member, guided by prompts: place, lift, place again. The module
 * stores the template; the device keeps an AES-256-GCM backup of it (and, with escrow, a copy
 * sealed to the county), and `member.enrolled` records who enrolled whom and that consent was
 * given, all in one transaction. If anything fails or the technician cancels after the module
 * stored the template, the slot is deleted again, so such an enrollment leaves nothing behind.
 */
export class EnrollmentService {
  constructor(private readonly deps: EnrollmentDeps) {}

  async enroll(request: EnrollRequest, guide: EnrollGuide): Promise<EnrollResult> {
    if (!request.consent)
      throw new AgentError(ErrorCode.ConsentRequired, enrollmentText('consent'), { memberId: request.memberId });
    checkEnrollable(this.deps.journal.db, request);
    const escrow = this.deps.escrow();
    const key = this.deps.templateKey();
    return this.deps.scanner.exclusive(
      'enroll',
      async (module, info) => {
        await this.deps.deletions.deleteWith(module);
        const slot = await this.freeSlot(module, info);
        await this.enrollInto(module, slot, guide);
        try {
          const template = await module.readTemplate(slot);
          // A technician who cancelled never saw the result: nothing is kept.
          if (guide.signal?.aborted) throw cancelled(slot);
          return this.commit(request, { slot, family: info.family, template }, key, escrow);
        } catch (error) {
          await this.discard(module, slot, request.memberId);
          throw error;
        }
      },
      SCANNER_WAIT_MS,
      { usesFinger: true },
    );
  }

  private async freeSlot(module: FingerprintScanner, info: ScannerInfo): Promise<number> {
    const slot = chooseFreeSlot(this.deps.journal.db, await module.enrolledSlots(), info.capacity);
    if (slot === undefined)
      throw new AgentError(ErrorCode.ModuleFull, enrollmentText('full', { capacity: info.capacity }), {
        capacity: info.capacity,
      });
    return slot;
  }

  private async enrollInto(module: FingerprintScanner, slot: number, { onPrompt, signal }: EnrollGuide): Promise<void> {
    try {
      await module.enroll({ slot, prompt: onPrompt, signal });
    } catch (error) {
      if (isDriverError(error, DriverErrorCode.DuplicateFinger))
        throw duplicateError(this.deps.journal.db, Number(error.context['slot']), error);
      if (isDriverError(error, DriverErrorCode.Aborted)) throw cancelled(slot);
      if (isDriverError(error))
        throw new AgentError(
          ErrorCode.EnrollmentFailed,
          enrollmentText('failed', { reason: error.message }),
          { slot, driverCode: error.code },
          { cause: error },
        );
      throw error;
    }
  }

  private commit(
    request: EnrollRequest,
    { slot, family, template }: StoredTemplate,
    key: Buffer,
    escrow: EscrowTarget | undefined,
  ): EnrollResult {
    const { memberId, finger, operator } = request;
    const templateSize = template.length;
    const sealed = sealTemplate(key, template, { slot, moduleFamily: family, templateSize });
    const envelope =
      escrow === undefined
        ? undefined
        : sealForCounty(
            escrow.countyKey,
            'template-escrow',
            { deviceId: escrow.deviceId, memberId, finger, slot, moduleFamily: family, templateSize },
            template,
          );
    const seq = this.deps.journal.transaction((tx) => {
      // The roster may have changed while the member had their finger on the sensor.
      checkEnrollable(tx.db, request);
      const entry = tx.append('member.enrolled', {
        memberId,
        finger,
        slot,
        moduleFamily: family,
        templateSize,
        operator,
        consent: true,
        escrowed: envelope !== undefined,
        ...this.deps.scannerMark,
      });
      insertFinger(tx.db, { memberId, finger, slot, moduleFamily: family, templateSize, enrolledSeq: entry.seq });
      insertBackup(tx.db, slot, sealed);
      if (envelope !== undefined)
        insertEscrow(tx.db, { slot, memberId, moduleFamily: family, templateSize, envelope, createdSeq: entry.seq });
      return entry.seq;
    });
    this.deps.logger.info(
      { memberId, finger, slot, moduleFamily: family, templateSize, operator, escrowed: envelope !== undefined },
      'enrolled a finger',
    );
    return { memberId, finger, slot, moduleFamily: family, templateSize, escrowed: envelope !== undefined, seq };
  }

  /**
   * The module may already hold the template when a later step fails (the cable pulled during the
   * read-back): delete it now, or queue it like a removed member's slot so it is deleted when the
   * module reconnects. Left behind, it would make this finger a "duplicate" of nobody.
   */
  private async discard(module: FingerprintScanner, slot: number, memberId: string): Promise<void> {
    try {
      await module.deleteSlots(slot);
    } catch (error) {
      this.deps.journal.transaction((tx) => {
        const orphan = tx.append('scanner.slot_orphaned', {
          slot,
          memberId,
          reason: 'enrollment failed after the module stored the template',
        });
        queueSlotDeletions(tx, memberId, [slot], orphan.seq);
      });
      this.deps.logger.warn(
        { err: error, slot },
        'could not delete the template of a failed enrollment from the module; it is deleted when the module reconnects',
      );
    }
  }
}

function cancelled(slot: number): AgentError {
  return new AgentError(ErrorCode.EnrollmentFailed, enrollmentText('cancelled'), { slot, cancelled: true });
}

function checkEnrollable(db: Db, { memberId, finger }: EnrollRequest): void {
  if (findMember(db, memberId) === undefined)
    throw new AgentError(ErrorCode.MemberNotFound, membersText('notFound', { memberId }), { memberId });
  const taken = fingerOfMember(db, memberId, finger);
  if (taken !== undefined) {
    throw new AgentError(
      ErrorCode.FingerAlreadyEnrolled,
      enrollmentText('fingerTaken', { memberId, finger, slot: taken.slot }),
      { memberId, finger, slot: taken.slot },
    );
  }
}

/** Names the member the finger already belongs to, so the technician knows who it is. */
function duplicateError(db: Db, slot: number, cause: Error): AgentError {
  const owner = Number.isInteger(slot) ? fingerAtSlot(db, slot) : undefined;
  if (owner === undefined)
    return new AgentError(
      ErrorCode.DuplicateFinger,
      enrollmentText('duplicateUnassigned', { slot }),
      { slot },
      { cause },
    );
  const name = findMember(db, owner.memberId)?.name ?? '';
  return new AgentError(
    ErrorCode.DuplicateFinger,
    enrollmentText('duplicate', { memberId: owner.memberId, name, finger: owner.finger, slot }),
    { slot, memberId: owner.memberId, finger: owner.finger },
    { cause },
  );
}
