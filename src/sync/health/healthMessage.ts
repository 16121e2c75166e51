import type { RecordingStorageReport } from '../../cameras/recording/storageReport.js';
import type { RecordingReport } from '../../cameras/recording/types.js';
import type { CameraReport } from '../../cameras/types.js';
import { correctionForBoot } from '../../clock/corrections.js';
import type { ClockReader } from '../../clock/types.js';
import type { Config } from '../../config/schema.js';
import type { Journal } from '../../journal/journal.js';
import { journalVerification, type JournalVerification } from '../../journal/verificationReport.js';
import type { StorageReport } from '../../store/storageMonitor.js';
import type { FileUploadStats } from '../files/uploader.js';
import type { OutboxStats } from '../outbox/eventOutbox.js';
import { MESSAGE_VERSIONS, type HealthMessage, type JournalQuarantined } from '../protocol/messages.js';
import type { BoardReadings } from './board.js';
import { certificateReport } from './certificates.js';

/** Where each part of the health message comes from; read afresh for every message. */
export interface HealthSources {
  deviceId: string;
  version: string;
  clock: ClockReader;
  journal: Pick<Journal, 'head' | 'db' | 'lastVerify' | 'lastVerifyAt'>;
  /** The daemon's background verification; without one, what the journal records. */
  verification?: (() => JournalVerification) | undefined;
  /** Seconds since the agent started. */
  uptimeSeconds(): number;
  /** The scanner service (its state follows the `scanner.state` bus event). */
  scanner: { state(): string; stateDetail(): string | undefined; driver(): string };
  /** Each configured camera's push, English detail. */
  cameras(): CameraReport[];
  /** Each recorded camera's meeting recording, English detail; absent where the room records none. */
  recorders?: (() => RecordingReport[]) | undefined;
  board(): BoardReadings;
  county: Pick<Config['county'], 'caFile' | 'certFile' | 'centerPublicKey'>;
  outbox(): Pick<OutboxStats, 'ackedSeq' | 'backlogEvents' | 'oldestUnsentAgeSeconds'>;
  files(): Pick<FileUploadStats, 'pendingFiles'>;
  /** The storage monitor's latest reading; absent where no monitor runs. */
  storage?: (() => StorageReport) | undefined;
  /** The recordings kept and the alarm of segments deleted before their upload; absent where no pruner runs. */
  recordings?: (() => RecordingStorageReport) | undefined;
  /** The alarm of a quarantined journal (journal/quarantine/record.ts), when there is one. */
  quarantined?: (() => JournalQuarantined | undefined) | undefined;
}

/** Bounds of the wire schema (protocol/messages.ts healthMessageSchema). */
const MAX_DETAIL = 500;
const MAX_CAMERA_ERROR = 300;
const MAX_WARNINGS = 20;
const MAX_WARNING = 300;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A camera's report within the wire's bounds: a long ffmpeg line must not cost the whole message. */
function cameraOnWire(report: CameraReport): CameraReport {
  return {
    ...report,
    ...(report.detail !== undefined && { detail: clip(report.detail, MAX_DETAIL) }),
    ...(report.lastError !== undefined && { lastError: clip(report.lastError, MAX_CAMERA_ERROR) }),
  };
}

function recordingOnWire(report: RecordingReport): RecordingReport {
  return {
    ...report,
    ...(report.detail !== undefined && { detail: clip(report.detail, MAX_DETAIL) }),
    ...(report.lastError !== undefined && { lastError: clip(report.lastError, MAX_CAMERA_ERROR) }),
  };
}

function storageOnWire({ state, freeInodes, reserveBytes, failedWrites }: StorageReport): HealthMessage['storage'] {
  return { state, freeInodes, reserveBytes, failedWrites };
}

/** One health message from the sources' present state. */
export function buildHealthMessage(sources: HealthSources): HealthMessage {
  const reading = sources.clock.read();
  const head = sources.journal.head();
  const outbox = sources.outbox();
  const board = sources.board();
  const certificates = certificateReport(sources.county, reading.wallMs);
  const clockSource = correctionForBoot(sources.journal.db, reading.bootId)?.source;
  const scannerDetail = sources.scanner.stateDetail();
  const quarantined = sources.quarantined?.();
  return {
    v: MESSAGE_VERSIONS.health,
    deviceId: sources.deviceId,
    version: sources.version,
    bootId: reading.bootId,
    wallMs: reading.wallMs,
    uptimeSeconds: Math.round(sources.uptimeSeconds()),
    clock: clockSource === undefined ? { state: reading.state } : { state: reading.state, source: clockSource },
    journal: {
      headSeq: head.seq,
      headHash: head.hash,
      ackedSeq: outbox.ackedSeq,
      verification: sources.verification?.() ?? journalVerification(sources.journal),
      ...(quarantined !== undefined && { quarantined }),
    },
    backlog: {
      events: outbox.backlogEvents,
      oldestUnsentAgeSeconds: outbox.oldestUnsentAgeSeconds,
      files: sources.files().pendingFiles,
    },
    scanner: {
      state: sources.scanner.state(),
      ...(scannerDetail !== undefined && { detail: clip(scannerDetail, MAX_DETAIL) }),
      driver: sources.scanner.driver(),
    },
    cameras: sources.cameras().map(cameraOnWire),
    ...(sources.recorders !== undefined && { recorders: sources.recorders().map(recordingOnWire) }),
    disk: board.disk,
    ...(sources.storage !== undefined && { storage: storageOnWire(sources.storage()) }),
    ...(sources.recordings !== undefined && { recordings: sources.recordings() }),
    board: { cpuTemperatureC: board.cpuTemperatureC, throttled: board.throttled },
    link: {
      certExpiresAt: certificates.certExpiresAt,
      centerKey: sources.county.centerPublicKey === undefined ? 'none' : 'configured',
      warnings: certificates.warnings.slice(0, MAX_WARNINGS).map((warning) => clip(warning, MAX_WARNING)),
    },
  };
}
