/**
 * The binding token in notepad page 0: a length byte, the token, zero padding. The length prefix
 * makes a token with trailing zero bytes read back exactly, and tells our token apart from
 * whatever else a module's previous owner wrote there.
 */
import { NOTEPAD_PAGE_BYTES } from '../framing/replies.js';

export const BINDING_NOTEPAD_PAGE = 0;
export const MAX_TOKEN_BYTES = NOTEPAD_PAGE_BYTES - 1;

const HEX = /^(?:[0-9a-f]{2})+$/i;

export function encodeBindingToken(token: string): Buffer {
  if (!HEX.test(token) || token.length / 2 > MAX_TOKEN_BYTES) {
    throw new RangeError(
      `a binding token is 1–${MAX_TOKEN_BYTES} bytes written as hex (2–${MAX_TOKEN_BYTES * 2} hex digits), got ` +
        `${token.length} characters`,
    );
  }
  const bytes = Buffer.from(token, 'hex');
  const page = Buffer.alloc(NOTEPAD_PAGE_BYTES);
  page[0] = bytes.length;
  bytes.copy(page, 1);
  return page;
}

/**
 * The token as lower-case hex; undefined for a blank page (a new module holds all 00 or all FF);
 * anything not in our format comes back as the whole page in hex, which matches no token of ours.
 */
export function decodeBindingToken(page: Buffer): string | undefined {
  if (page.every((byte) => byte === 0x00) || page.every((byte) => byte === 0xff)) return undefined;
  const length = page[0] ?? 0;
  const padding = page.subarray(1 + length);
  if (length >= 1 && length <= MAX_TOKEN_BYTES && padding.every((byte) => byte === 0)) {
    return page.subarray(1, 1 + length).toString('hex');
  }
  return page.toString('hex');
}
