/**
 * Typed R30x instructions: each builder returns the command's bytes after the instruction code,
 * how long a successful reply is, and how to decode it. Pure; the protocol layer puts them on
 * the wire.
 */
import { encodePacket, PacketId } from './packet.js';
import {
  decodeIndexPage,
  decodeNotepadPage,
  decodeSearchHit,
  decodeSystemParameters,
  decodeU16,
  decodeU32,
  INDEX_PAGE_SLOTS,
  NOTEPAD_PAGE_BYTES,
  NOTEPAD_PAGES,
  SYSTEM_PARAMETERS_LENGTH,
  type SearchHit,
  type SystemParameters,
} from './replies.js';

export const Instruction = {
  GenImg: 0x01,
  Img2Tz: 0x02,
  Match: 0x03,
  Search: 0x04,
  RegModel: 0x05,
  Store: 0x06,
  LoadChar: 0x07,
  UpChar: 0x08,
  DownChar: 0x09,
  DeleteChar: 0x0c,
  Empty: 0x0d,
  SetSysPara: 0x0e,
  ReadSysPara: 0x0f,
  SetPwd: 0x12,
  VfyPwd: 0x13,
  GetRandomCode: 0x14,
  WriteNotepad: 0x18,
  ReadNotepad: 0x19,
  HighSpeedSearch: 0x1b,
  TempleteNum: 0x1d,
  ReadIndexTable: 0x1f,
  GetImageEx: 0x28,
  AuraLedConfig: 0x35,
  CheckSensor: 0x36,
  SoftRst: 0x3d,
} as const;

export type CommandName = keyof typeof Instruction;

export interface R30xCommand<R = void> {
  readonly name: CommandName;
  /** The bytes after the instruction code. May hold a password: never log them. */
  readonly params: Buffer;
  /** Bytes after the confirmation code in a successful reply. */
  readonly replyLength: number;
  decode(reply: Buffer): R;
}

/** The module's two feature buffers ("CharBuffer1/2"). */
export type CharBuffer = 1 | 2;

export const SystemRegister = { BaudMultiplier: 4, SecurityLevel: 5, PacketSizeCode: 6 } as const;
export type SystemRegister = (typeof SystemRegister)[keyof typeof SystemRegister];

export const AuraControl = {
  Breathing: 1,
  Flashing: 2,
  On: 3,
  Off: 4,
  GraduallyOn: 5,
  GraduallyOff: 6,
} as const;
export type AuraControl = (typeof AuraControl)[keyof typeof AuraControl];

/** The colours every R503 ring has; later firmware adds more, which we do not rely on. */
export const AuraColor = { Red: 1, Blue: 2, Purple: 3 } as const;
export type AuraColor = (typeof AuraColor)[keyof typeof AuraColor];

export interface AuraLight {
  readonly control: AuraControl;
  /** 0–255: the breathing / flashing cycle time. */
  readonly speed: number;
  readonly color: AuraColor;
  /** Number of cycles; 0 repeats forever. */
  readonly times: number;
}

const noReply = (): void => undefined;

function command<R>(
  name: CommandName,
  params: number[] | Buffer,
  replyLength: number,
  decode: (reply: Buffer) => R,
): R30xCommand<R> {
  return { name, params: Buffer.from(params), replyLength, decode };
}

function simple(name: CommandName, params: number[] | Buffer = []): R30xCommand {
  return command(name, params, 0, noReply);
}

export function encodeCommand(address: number, cmd: R30xCommand<unknown>): Buffer {
  return encodePacket({
    address,
    pid: PacketId.Command,
    payload: Buffer.concat([Buffer.of(Instruction[cmd.name]), cmd.params]),
  });
}

export const vfyPwd = (password: number): R30xCommand => simple('VfyPwd', u32(password, 'password'));
export const setPwd = (password: number): R30xCommand => simple('SetPwd', u32(password, 'password'));
export const readSysPara = (): R30xCommand<SystemParameters> =>
  command('ReadSysPara', [], SYSTEM_PARAMETERS_LENGTH, decodeSystemParameters);
export const setSysPara = (register: SystemRegister, value: number): R30xCommand =>
  simple('SetSysPara', [register, u8(value, 'register value')]);

export const genImg = (): R30xCommand => simple('GenImg');
/** R503's capture, which also grades the image (07 on a poor one). */
export const getImageEx = (): R30xCommand => simple('GetImageEx');
export const img2Tz = (buffer: CharBuffer): R30xCommand => simple('Img2Tz', [buffer]);
export const regModel = (): R30xCommand => simple('RegModel');
export const match = (): R30xCommand<number> => command('Match', [], 2, decodeU16);

export const search = (buffer: CharBuffer, start: number, count: number): R30xCommand<SearchHit> =>
  command('Search', [buffer, ...u16(start, 'start page'), ...u16(count, 'page count')], 4, decodeSearchHit);
export const highSpeedSearch = (buffer: CharBuffer, start: number, count: number): R30xCommand<SearchHit> =>
  command('HighSpeedSearch', [buffer, ...u16(start, 'start page'), ...u16(count, 'page count')], 4, decodeSearchHit);

export const store = (buffer: CharBuffer, page: number): R30xCommand => simple('Store', [buffer, ...u16(page, 'page')]);
export const loadChar = (buffer: CharBuffer, page: number): R30xCommand =>
  simple('LoadChar', [buffer, ...u16(page, 'page')]);
/** Module → host; the ack is followed by data packets. */
export const upChar = (buffer: CharBuffer): R30xCommand => simple('UpChar', [buffer]);
/** Host → module; after the ack the host sends the data packets. */
export const downChar = (buffer: CharBuffer): R30xCommand => simple('DownChar', [buffer]);
export const deleteChar = (page: number, count: number): R30xCommand =>
  simple('DeleteChar', [...u16(page, 'page'), ...u16(count, 'count')]);
export const empty = (): R30xCommand => simple('Empty');
export const templeteNum = (): R30xCommand<number> => command('TempleteNum', [], 2, decodeU16);

export const readIndexTable = (page: number): R30xCommand<number[]> => {
  const indexPage = u8(page, 'index page');
  return command('ReadIndexTable', [indexPage], INDEX_PAGE_SLOTS / 8, (bitmap) => decodeIndexPage(indexPage, bitmap));
};

export const readNotepad = (page: number): R30xCommand<Buffer> =>
  command('ReadNotepad', [notepadPage(page)], NOTEPAD_PAGE_BYTES, decodeNotepadPage);
export const writeNotepad = (page: number, data: Buffer): R30xCommand => {
  if (data.length !== NOTEPAD_PAGE_BYTES) {
    throw new RangeError(`a notepad page holds exactly ${NOTEPAD_PAGE_BYTES} bytes, got ${data.length}`);
  }
  return simple('WriteNotepad', Buffer.concat([Buffer.of(notepadPage(page)), data]));
};

export const getRandomCode = (): R30xCommand<number> => command('GetRandomCode', [], 4, decodeU32);
export const auraLedConfig = (light: AuraLight): R30xCommand =>
  simple('AuraLedConfig', [light.control, u8(light.speed, 'speed'), light.color, u8(light.times, 'times')]);
export const checkSensor = (): R30xCommand => simple('CheckSensor');
export const softRst = (): R30xCommand => simple('SoftRst');

function notepadPage(page: number): number {
  if (!Number.isInteger(page) || page < 0 || page >= NOTEPAD_PAGES) {
    throw new RangeError(`notepad page must be 0–${NOTEPAD_PAGES - 1}, got ${page}`);
  }
  return page;
}

function u8(value: number, what: string): number {
  return checkRange(value, 0xff, what);
}

function u16(value: number, what: string): [number, number] {
  const checked = checkRange(value, 0xffff, what);
  return [checked >> 8, checked & 0xff];
}

function u32(value: number, what: string): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(checkRange(value, 0xffffffff, what));
  return bytes;
}

function checkRange(value: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${what} must be an integer 0–${max}, got ${value}`);
  }
  return value;
}
