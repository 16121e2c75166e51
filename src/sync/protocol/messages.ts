import { z } from 'zod';
import { STORAGE_STATES } from '../../store/storageGuard.js';
import { CAMERA_PROBLEMS, CAMERA_STATES, type CameraReport } from '../../cameras/types.js';
import type { RecordingStorageReport } from '../../cameras/recording/storageReport.js';
import { RECORDING_STATES, type RecordingReport } from '../../cameras/recording/types.js';
import { FULL_VERIFY_TRIGGERS } from '../../journal/backgroundVerify.js';
import { MAX_BROKEN_REASON, type JournalVerification } from '../../journal/verificationReport.js';
import { added, messageVersion, tolerant } from './versions.js';

export { MESSAGE_VERSIONS, type Received } from './versions.js';

/**
 * One zod schema per MQTT payload (the wire protocol: src/sync/protocol/README.md), exactly as it
 * is sent; the center reads what rooms send with the `received…` derivations at the end (see
 * versions.ts). Every payload carries `v`, its format's version (versions.ts MESSAGE_VERSIONS).
 * Sizes are bounded so a hostile payload cannot exhaust memory.
 */

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits');
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');
const deviceId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a device id');
const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const jsonValue: z.ZodType<unknown> = z.json();

/** A device key as the journal's device_keys table holds it (see journal/keyChain.ts). */
export const deviceKeySchema = z.strictObject({
  keyId: z.string().min(1).max(128),
  publicKey: base64.max(200),
  firstSeq: seq,
  previousKeyId: z.string().max(128).nullable(),
  endorsement: base64.max(200).nullable(),
});

/** Retained on `out/state`. `offline` comes from the Last Will (reason `link-lost`) or a clean stop. */
export const stateMessageSchema = z.strictObject({
  v: messageVersion('state'),
  deviceId,
  state: z.enum(['online', 'offline']),
  /** Offline only: `link-lost` (the Will), `shutdown`, `restart`. */
  reason: z.string().max(200).optional(),
  version: z.string().max(64),
  bootId: z.string().max(64),
  /** Device wall time when the message was built; only as good as the device clock. */
  wallMs: z.number().int().min(0),
  /** The device's signing keys, oldest first: the center trusts the first on first use. */
  keys: z.array(deviceKeySchema).max(64),
  /**
   * Where the device's journal starts: seq 1 after GENESIS, or the entry after its prune
   * checkpoint. The center's prefix starts here, never at the first batch it happened to see
   * (batches sent before the center subscribed are lost at the broker, and must be asked for).
   */
  journalStart: z.strictObject({ seq: seq.min(1), prevHash: hex64 }),
  /**
   * The highest `in/ack` version the room reads; absent from rooms of releases before version 2
   * of the ack, which read only version 1. A center sends each room the version it reads.
   */
  ackVersion: z.number().int().min(1).max(1000).optional(),
});
export type StateMessage = z.infer<typeof stateMessageSchema>;

/**
 * One journal entry on the wire: journal/types.ts JournalEntry without `seq`, `prevHash` and
 * `hash`, which its batch carries implicitly (eventBatch.ts rebuilds them: the reader numbers the
 * entries from fromSeq, links each to the one before and recomputes every hash). The signature
 * covers that recomputed hash, so an entry changed, dropped or moved within a batch fails it.
 */
export const wireEntrySchema = z.strictObject({
  id: z.string().min(1).max(64),
  type: z.string().min(1).max(100),
  payload: jsonValue,
  wallMs: z.number().int(),
  bootId: z.string().max(64),
  monoMs: z.number().int(),
  clock: z.enum(['synced', 'unsynced']),
  keyId: z.string().max(128),
  signature: base64.max(200),
});
export type WireEntry = z.infer<typeof wireEntrySchema>;

/**
 * On `out/events`: consecutive entries fromSeq..toSeq, the chain implicit (see wireEntrySchema):
 * `prevHash` is the hash of the entry before fromSeq (GENESIS for seq 1), the first entry's
 * prevHash. `live` batches carry events appended while connected and may run ahead of a backfill;
 * the center stores both and acknowledges only the contiguous prefix. Encoded by eventBatch.ts
 * (deflate; content type in the properties), which also gives the decoded shape, EventBatch.
 */
export const eventBatchSchema = z
  .strictObject({
    v: messageVersion('events'),
    deviceId,
    lane: z.enum(['live', 'backfill']),
    fromSeq: seq.min(1),
    toSeq: seq.min(1),
    prevHash: hex64,
    entries: z.array(wireEntrySchema).min(1).max(10_000),
  })
  .refine((batch) => batch.toSeq === batch.fromSeq + batch.entries.length - 1, {
    message: 'toSeq must be fromSeq + the number of entries - 1 (entries are consecutive seqs)',
  });
export type WireEventBatch = z.infer<typeof eventBatchSchema>;

/**
 * Center → room on `in/ack`: the highest contiguous seq the center has stored, and the hash it
 * verified there. Version 2 adds what lets a room behind or beside the center continue above
 * everything the center holds (a journal restored from an older copy): `heldSeq` and `broken`.
 */
export const centerAckSchema = z.strictObject({
  v: messageVersion('ack'),
  seq: seq.min(1),
  hash: hex64,
  /** The center's wall clock, ms since epoch: a time source where NTP is blocked. */
  centerTimeMs: z.number().int().min(0),
  /** Added in version 2: the highest seq the center stores for the room, verified or not (0: not said). */
  heldSeq: added(seq, 0),
  /** Where the center found the room's chain broken, and why; absent while it is not. */
  broken: z.strictObject({ seq: seq.min(1), reason: z.string().max(500) }).optional(),
});
export type CenterAck = z.infer<typeof centerAckSchema>;
/** An ack of version 1: what a room of a release before version 2 of the ack reads. */
const centerAckV1Schema = centerAckSchema
  .pick({ seq: true, hash: true, centerTimeMs: true })
  .extend({ v: z.literal(1) });
export type CenterAckV1 = z.infer<typeof centerAckV1Schema>;

/**
 * What a room reads on `in/ack`, strictly like every reader of the room: the current version, or
 * version 1 from a center of the release before, whose missing heldSeq is read as 0 (nothing said).
 */
export const roomAckSchema = z.union([
  centerAckSchema,
  centerAckV1Schema.transform((ack): CenterAck | (CenterAckV1 & { heldSeq: 0 }) => ({ ...ack, heldSeq: 0 })),
]);
export type RoomAck = z.output<typeof roomAckSchema>;

/**
 * The MQTT 5 message expiry the center gives every ack. A room's persistent session keeps what
 * the broker holds for it while it is offline, so without an expiry an ack from days ago would
 * arrive at the next connect and its centerTimeMs would set an unsynced clock days back. With it,
 * the broker drops an ack older than this, and the remaining expiry it delivers tells the room how
 * long the ack waited (CENTER_ACK_EXPIRY_SECONDS − remaining). A room takes the center's time only
 * from an ack that carries this expiry (sync/outbox/centerAck.ts).
 */
export const CENTER_ACK_EXPIRY_SECONDS = 60;

/**
 * One camera of health's `cameras` (cameras/types.ts CameraReport). No field can hold a URL or a
 * credential; `detail` is English on the wire, `lastError` an ffmpeg line already masked.
 */
export const cameraReportSchema = z.strictObject({
  name: z.string().min(1).max(32),
  state: z.enum(CAMERA_STATES),
  problem: z.enum(CAMERA_PROBLEMS).optional(),
  detail: z.string().max(500).optional(),
  lastError: z.string().max(300).optional(),
  video: z
    .strictObject({
      codec: z.string().max(32),
      width: z.number().int().min(0).max(16_384),
      height: z.number().int().min(0).max(16_384),
      fps: z.number().min(0).max(1000).nullable(),
    })
    .optional(),
  audio: z.strictObject({ codec: z.string().max(32), pushedAs: z.enum(['copy', 'aac', 'none']) }).optional(),
  bitrateKbps: z.number().min(0).max(1_000_000).optional(),
  /** Added in version 2: a camera entry of a version 1 room (name and state only) counts none. */
  restartsLastMinute: added(z.number().int().min(0).max(10_000), 0),
}) satisfies z.ZodType<CameraReport>;

/**
 * One camera of health's `recorders` (cameras/recording/types.ts RecordingReport): the meeting
 * recording of a camera with `record: true`. No field can hold a URL or a credential.
 */
export const recordingReportSchema = z.strictObject({
  camera: z.string().min(1).max(32),
  state: z.enum(RECORDING_STATES),
  activityId: z.string().max(64).optional(),
  segments: z.number().int().min(0),
  problem: z.enum(CAMERA_PROBLEMS).optional(),
  detail: z.string().max(500).optional(),
  lastError: z.string().max(300).optional(),
}) satisfies z.ZodType<RecordingReport>;

const checkedRangeShape = {
  wallMs: z.number().int().min(0),
  checkedFrom: seq,
  checkedTo: seq,
  broken: z.strictObject({ seq, reason: z.string().max(MAX_BROKEN_REASON) }).nullable(),
};

/**
 * health's `journal.verification` (journal/verificationReport.ts), also shown by `status`: what the
 * room verified of its chain and when, the last check at open, the last full walk, one under way.
 */
export const journalVerificationSchema = z.strictObject({
  lastCheck: z.strictObject({ ...checkedRangeShape, mode: z.enum(['incremental', 'full']) }).nullable(),
  lastFull: z
    .strictObject({
      ...checkedRangeShape,
      trigger: z.enum(FULL_VERIFY_TRIGGERS),
      startedWallMs: z.number().int().min(0),
    })
    .nullable(),
  running: z
    .strictObject({ trigger: z.enum(FULL_VERIFY_TRIGGERS), startedWallMs: z.number().int().min(0), checkedTo: seq })
    .nullable(),
}) satisfies z.ZodType<JournalVerification>;

/** What the center takes for a room of an earlier release, which does not report its verification. */
export const UNREPORTED_VERIFICATION: JournalVerification = { lastCheck: null, lastFull: null, running: null };
/**
 * The alarm of a damaged journal that was set aside (`<dataDir>/quarantine/`) and replaced by a new
 * one continuing it: when, the damaged file's name in that folder, and what was found (English).
 */
export const journalQuarantinedSchema = z.strictObject({
  at: z.number().int().min(0),
  file: z.string().min(1).max(200),
  reason: z.string().max(300),
});
export type JournalQuarantined = z.infer<typeof journalQuarantinedSchema>;

/**
 * health's `recordings` (cameras/recording/storageReport.ts), also shown by `status`: the meeting
 * recordings kept on the room's card, and the alarm of segments deleted before they were uploaded
 * (the latest of the last 24 h).
 */
export const recordingStorageSchema = z.strictObject({
  storedBytes: z.number().int().min(0),
  segments: z.number().int().min(0),
  notUploaded: z.number().int().min(0),
  quotaBytes: z.number().int().min(0),
  lost: z
    .strictObject({
      count: z.number().int().min(1),
      at: z.number().int().min(0),
      activityId: z.string().max(64),
      camera: z.string().max(32),
      index: z.number().int().min(1),
      reason: z.string().max(32),
      journaled: z.boolean(),
    })
    .nullable(),
}) satisfies z.ZodType<RecordingStorageReport>;

/** Retained on `out/health`, every county.healthIntervalSeconds and on a state change. */
export const healthMessageSchema = z.strictObject({
  v: messageVersion('health'),
  deviceId,
  version: z.string().max(64),
  bootId: z.string().max(64),
  wallMs: z.number().int().min(0),
  uptimeSeconds: z.number().min(0),
  clock: z.strictObject({ state: z.enum(['synced', 'unsynced']), source: z.string().max(64).optional() }),
  journal: z.strictObject({
    headSeq: seq,
    headHash: hex64,
    ackedSeq: seq,
    /** Added without a version bump: the center before ignores it, this one reads a room before as unreported. */
    verification: added(journalVerificationSchema, UNREPORTED_VERIFICATION),
    /** Present while a quarantined journal waits in the room's quarantine folder; rooms before it never send it. */
    quarantined: journalQuarantinedSchema.optional(),
  }),
  backlog: z.strictObject({
    events: seq,
    oldestUnsentAgeSeconds: z.number().min(0).nullable(),
    files: z.number().int().min(0),
  }),
  /** driver: scanner.driver; optional because rooms of earlier versions do not send it. */
  scanner: z.strictObject({
    state: z.string().max(64),
    detail: z.string().max(500).optional(),
    driver: z.string().max(32).optional(),
  }),
  cameras: z.array(cameraReportSchema).max(8),
  /** Added without a version bump: rooms before recordings do not send it, a center before ignores it. */
  recorders: z.array(recordingReportSchema).max(8).optional(),
  disk: z.strictObject({ freeBytes: z.number().min(0), totalBytes: z.number().min(0) }).nullable(),
  /**
   * The data directory's storage as the room names it (store/storageGuard.ts). Optional: rooms of
   * earlier releases do not send it, and a center that does not know it ignores it.
   */
  storage: z
    .strictObject({
      state: z.enum(STORAGE_STATES),
      freeInodes: z.number().int().min(0).nullable(),
      reserveBytes: z.number().int().min(0),
      failedWrites: z.number().int().min(0),
    })
    .optional(),
  /** The room's meeting recordings; optional: rooms of earlier releases do not send it. */
  recordings: recordingStorageSchema.optional(),
  board: z.strictObject({
    cpuTemperatureC: z.number().nullable(),
    /** Raspberry Pi `vcgencmd get_throttled` bits; null where the board does not report them. */
    throttled: z.number().int().nullable(),
  }),
  link: z.strictObject({
    /** Client certificate expiry (ISO), when mutual TLS is configured. */
    certExpiresAt: z.string().max(40).nullable(),
    centerKey: z.enum(['configured', 'none']),
    warnings: z.array(z.string().max(300)).max(20),
  }),
});
export type HealthMessage = z.infer<typeof healthMessageSchema>;

/** Largest command payload accepted; a bigger one is answered `too-large` without being parsed. */
export const MAX_COMMAND_BYTES = 256 * 1024;

/**
 * Deepest nesting of arrays and objects in a command (the envelope is level 1); a deeper one is
 * answered `malformed` before its schema is checked. The deepest command the room knows nests a
 * handful of levels.
 */
export const MAX_COMMAND_DEPTH = 32;

/**
 * How far a command's id may lie ahead of the center's time as the room learned it from acks.
 * The center's ids are its clock in ms (src/center/commandLog.ts), so an id an hour ahead is no
 * id the center issued: it is refused `id-too-far`, and one already recorded is left out of the
 * replay watermark. The hour covers a center clock stepped forward since the room's last ack.
 */
export const COMMAND_ID_MAX_LEAD_MS = 60 * 60_000;

/**
 * Center → room on `in/cmd`. `id` grows with every command the center issues to this room.
 * `signature`: base64 Ed25519 by the center key over the canonical JSON (journal/canonical.ts)
 * of the envelope without `signature`. `expiresAt` is center time (ms), judged against the
 * center time learned from acknowledgements, never against the device's wall clock.
 */
export const commandEnvelopeSchema = z.strictObject({
  v: messageVersion('command'),
  id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  deviceId,
  type: z.string().regex(/^[a-z][a-z0-9]*(\.[a-z][a-z0-9-]*)+$/, 'a command type such as "members.upsert"'),
  params: z.record(z.string(), jsonValue).default({}),
  expiresAt: z.number().int().min(0).optional(),
  signature: base64.max(200).optional(),
});
export type CommandEnvelope = z.infer<typeof commandEnvelopeSchema>;

/** Every way a command is refused; the reply's `error.code`. */
export const COMMAND_ERROR_CODES = [
  'malformed',
  'too-large',
  'wrong-device',
  'unsigned',
  'bad-signature',
  'expired',
  'stale-id',
  'id-too-far',
  'id-reused',
  'unknown-command',
  'invalid-params',
  'failed',
  'unavailable',
] as const;
export type CommandErrorCode = (typeof COMMAND_ERROR_CODES)[number];

/** Room → center on the command's response topic, with its correlation data. */
export const commandReplySchema = z.strictObject({
  v: messageVersion('reply'),
  deviceId,
  /** Null when the command was too malformed to carry a readable id. */
  commandId: z.number().int().min(1).nullable(),
  status: z.enum(['done', 'error']),
  result: jsonValue.optional(),
  error: z.strictObject({ code: z.enum(COMMAND_ERROR_CODES), message: z.string().max(2000) }).optional(),
});
export type CommandReply = z.infer<typeof commandReplySchema>;

/** Room → center on `out/files/<fileId>/init` (after EMQX's file transfer init). */
export const fileInitSchema = z.strictObject({
  v: messageVersion('fileInit'),
  name: z.string().min(1).max(255),
  size: z.number().int().min(0),
  sha256: hex64,
  segmentBytes: z.number().int().min(1),
  /** photo, recording, backup… */
  kind: z.string().max(32),
  meta: z.record(z.string(), jsonValue).default({}),
});
export type FileInit = z.infer<typeof fileInitSchema>;

/**
 * Center → room on `in/files`: how far the center holds the file contiguously. `complete`
 * after a fin whose size and checksum matched; `failed` (with error) makes the room start over.
 */
export const fileAckSchema = z.strictObject({
  v: messageVersion('fileAck'),
  fileId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  nextOffset: z.number().int().min(0),
  state: z.enum(['receiving', 'complete', 'failed']),
  error: z.string().max(500).optional(),
});
export type FileAck = z.infer<typeof fileAckSchema>;

/*
 * What the center reads from rooms: the schemas above, tolerant of the previous version and of
 * fields a later release adds (versions.ts). The center sends with the strict ones.
 */
export const receivedStateSchema = tolerant(stateMessageSchema);
export const receivedEventBatchSchema = tolerant(eventBatchSchema);
export type ReceivedEventBatch = z.output<typeof receivedEventBatchSchema>;
export const receivedHealthSchema = tolerant(healthMessageSchema);
export type ReceivedHealth = z.output<typeof receivedHealthSchema>;
export const receivedCommandReplySchema = tolerant(commandReplySchema);
export type ReceivedCommandReply = z.output<typeof receivedCommandReplySchema>;
export const receivedFileInitSchema = tolerant(fileInitSchema);

export type ReceivedFileInit = z.output<typeof receivedFileInitSchema>;
