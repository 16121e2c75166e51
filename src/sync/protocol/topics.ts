/**
 * The topic namespace, one per device (README "County sync (MQTT)"). The room publishes only under
 * `<prefix>/rooms/<deviceId>/out/…` and reads only `<prefix>/rooms/<deviceId>/in/…`, so a broker
 * ACL with one pattern per direction (config/mosquitto.acl.example) confines each room to its own
 * namespace. The center subscribes to `<prefix>/rooms/+/out/#`.
 */
export interface RoomTopics {
  /** `<prefix>/rooms/<deviceId>` */
  readonly base: string;
  /** Retained StateMessage; the Last Will publishes `offline` here. */
  readonly state: string;
  /** Retained HealthMessage. */
  readonly health: string;
  /** EventBatch, deflate-compressed JSON. */
  readonly events: string;
  /** CommandReply, the default response topic (a command may name another under `out/`). */
  readonly replies: string;
  /** Center → room: CenterAck. */
  readonly ack: string;
  /** Center → room: CommandEnvelope. */
  readonly commands: string;
  /** Center → room: FileAck. */
  readonly fileAcks: string;
  /** What the room subscribes to: `in/#`. */
  readonly inbound: string;
  /** `out/files/<fileId>/init` with a FileInit payload. */
  fileInit(fileId: string): string;
  /** `out/files/<fileId>/seg/<offset>` with raw bytes. */
  fileSegment(fileId: string, offset: number): string;
  /** `out/files/<fileId>/fin/<size>/<sha256>`, empty payload. */
  fileFin(fileId: string, size: number, sha256: string): string;
}

export function roomTopics(prefix: string, deviceId: string): RoomTopics {
  const base = `${prefix}/rooms/${deviceId}`;
  return {
    base,
    state: `${base}/out/state`,
    health: `${base}/out/health`,
    events: `${base}/out/events`,
    replies: `${base}/out/replies`,
    ack: `${base}/in/ack`,
    commands: `${base}/in/cmd`,
    fileAcks: `${base}/in/files`,
    inbound: `${base}/in/#`,
    fileInit: (fileId) => `${base}/out/files/${fileId}/init`,
    fileSegment: (fileId, offset) => `${base}/out/files/${fileId}/seg/${offset}`,
    fileFin: (fileId, size, sha256) => `${base}/out/files/${fileId}/fin/${size}/${sha256}`,
  };
}

/** What the center subscribes to: every room's outbound messages. */
export function allRoomsOutbound(prefix: string): string {
  return `${prefix}/rooms/+/out/#`;
}

export type OutboundKind =
  | { kind: 'state' | 'health' | 'events' | 'replies' }
  | { kind: 'file-init'; fileId: string }
  | { kind: 'file-segment'; fileId: string; offset: number }
  | { kind: 'file-fin'; fileId: string; size: number; sha256: string };

const FILE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const DECIMAL = /^(0|[1-9][0-9]{0,14})$/;
const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Parses a topic the center received under `<prefix>/rooms/+/out/#`; undefined for anything
 * else (a topic it does not know is ignored and logged by the caller, never thrown on).
 */
export function parseOutboundTopic(prefix: string, topic: string): ({ deviceId: string } & OutboundKind) | undefined {
  const head = `${prefix}/rooms/`;
  if (!topic.startsWith(head)) return undefined;
  const levels = topic.slice(head.length).split('/');
  const [deviceId, out, kind, fileId, part, a, b] = levels;
  if (deviceId === undefined || deviceId === '' || out !== 'out') return undefined;
  if (levels.length === 3 && (kind === 'state' || kind === 'health' || kind === 'events' || kind === 'replies'))
    return { deviceId, kind };
  if (kind !== 'files' || fileId === undefined || !FILE_ID.test(fileId)) return undefined;
  if (levels.length === 5 && part === 'init') return { deviceId, kind: 'file-init', fileId };
  if (levels.length === 6 && part === 'seg' && a !== undefined && DECIMAL.test(a))
    return { deviceId, kind: 'file-segment', fileId, offset: Number(a) };
  if (
    levels.length === 7 &&
    part === 'fin' &&
    a !== undefined &&
    DECIMAL.test(a) &&
    b !== undefined &&
    SHA256.test(b)
  ) {
    return { deviceId, kind: 'file-fin', fileId, size: Number(a), sha256: b };
  }
  return undefined;
}

export { FILE_ID as FILE_ID_PATTERN };
