/**
 * How long each R30x command may take and which ones may be sent again. The numbers are the
 * module's own working time, with room for slow clones; the wire time of the frames at the
 * current speed is added on top, so 9600 baud needs no table of its own.
 */
import type { CommandName } from '../framing/instructions.js';
import { PACKET_OVERHEAD } from '../framing/packet.js';

export interface R30xTimeouts {
  /** Per command: the module's working time in ms, before wire time. */
  readonly commands: Readonly<Record<CommandName, number>>;
  /** Added to the wire time of a whole template transfer (UpChar data). */
  readonly transferMs: number;
  /** One VfyPwd attempt while probing for the module's speed. */
  readonly probeMs: number;
  /** How long open() keeps retrying the first handshake while the module boots (ZFM-20: ~500 ms). */
  readonly powerOnMs: number;
  /**
   * After a timeout, replies are discarded this long: an ack carries no instruction code, so a late
   * answer to the abandoned command would otherwise pass for the answer to the next one.
   */
  readonly lateReplyMs: number;
}

export const DEFAULT_TIMEOUTS: R30xTimeouts = {
  commands: {
    VfyPwd: 500,
    SetPwd: 1000,
    ReadSysPara: 500,
    // Flash writes (baud, security, packet size).
    SetSysPara: 1000,
    // A capture takes 100–500 ms on optical sensors; GenImg answers 02 at once without a finger.
    GenImg: 1000,
    GetImageEx: 1000,
    // Feature extraction.
    Img2Tz: 1500,
    RegModel: 1500,
    Store: 1500,
    LoadChar: 1000,
    // A 1:N search over 1000 slots takes about a second on the slower modules.
    Search: 3000,
    HighSpeedSearch: 3000,
    Match: 1000,
    UpChar: 1000,
    DownChar: 1000,
    DeleteChar: 1500,
    // Erases the whole template flash.
    Empty: 3000,
    TempleteNum: 500,
    ReadIndexTable: 500,
    ReadNotepad: 500,
    WriteNotepad: 1000,
    GetRandomCode: 500,
    AuraLedConfig: 500,
    CheckSensor: 1000,
    SoftRst: 1000,
  },
  transferMs: 1000,
  probeMs: 250,
  powerOnMs: 1000,
  lateReplyMs: 150,
};

export function mergeTimeouts(
  overrides: Partial<Omit<R30xTimeouts, 'commands'>> & {
    commands?: Partial<Record<CommandName, number>>;
  } = {},
): R30xTimeouts {
  return {
    ...DEFAULT_TIMEOUTS,
    ...overrides,
    commands: { ...DEFAULT_TIMEOUTS.commands, ...overrides.commands },
  };
}

export type R30xTimeoutOverrides = Parameters<typeof mergeTimeouts>[0];

/**
 * Commands whose repetition cannot change the outcome: reads, captures into the image buffer,
 * extraction into a feature buffer, LED and sensor checks. Never repeated: anything that writes
 * flash or a password (Store, DeleteChar, Empty, SetPwd, SetSysPara, WriteNotepad: after a lost
 * ack we cannot know whether the first one ran, and a second SetSysPara may already be at the new
 * speed), RegModel (on some modules it overwrites a feature buffer, so a second run combines the
 * model with itself), DownChar (the module may still be waiting for the data packets of the
 * first), SoftRst.
 */
export const RETRYABLE: ReadonlySet<CommandName> = new Set<CommandName>([
  'VfyPwd',
  'ReadSysPara',
  'GenImg',
  'GetImageEx',
  'Img2Tz',
  'LoadChar',
  'Search',
  'HighSpeedSearch',
  'Match',
  'UpChar',
  'TempleteNum',
  'ReadIndexTable',
  'ReadNotepad',
  'GetRandomCode',
  'AuraLedConfig',
  'CheckSensor',
]);

/** Extra attempts after the first, for retryable commands, on a timeout or a receive error (01). */
export const MAX_RETRIES = 2;

/** The largest template we accept from a module; the known ones are 512, 768 and 1536 bytes. */
export const MAX_TEMPLATE_BYTES = 4096;
/** The template size a transfer's timeout is planned for (the largest known). */
const PLANNED_TEMPLATE_BYTES = 1536;

const BITS_PER_BYTE_ON_WIRE = 10; // 8N1: start + 8 data + stop

export function wireMs(bytes: number, baudRate: number): number {
  return Math.ceil((bytes * BITS_PER_BYTE_ON_WIRE * 1000) / baudRate);
}

/** A command's timeout: the module's working time plus both frames' wire time. */
export function commandTimeoutMs(
  timeouts: R30xTimeouts,
  name: CommandName,
  commandBytes: number,
  replyPayloadBytes: number,
  baudRate: number,
): number {
  return timeouts.commands[name] + wireMs(commandBytes + PACKET_OVERHEAD + replyPayloadBytes, baudRate);
}

/** Time for the data packets of one template at this speed and packet size, doubled for slack. */
export function transferTimeoutMs(timeouts: R30xTimeouts, packetSize: number, baudRate: number): number {
  const packets = Math.ceil(PLANNED_TEMPLATE_BYTES / packetSize);
  const bytes = PLANNED_TEMPLATE_BYTES + packets * PACKET_OVERHEAD;
  return timeouts.transferMs + 2 * wireMs(bytes, baudRate);
}
