/** Room for `<fileId>-` (≤ 65 bytes) in the 255-byte NAME_MAX of Linux file systems, with margin. */
const MAX_NAME_BYTES = 150;
/** An extension longer than this is not kept apart when a long name is cut. */
const MAX_EXTENSION_CHARS = 16;

/** Cuts `text` to at most `bytes` UTF-8 bytes without splitting a character. */
function cutToBytes(text: string, bytes: number): string {
  let length = 0;
  let cut = '';
  for (const char of text) {
    length += Buffer.byteLength(char);
    if (length > bytes) break;
    cut += char;
  }
  return cut;
}

/**
 * The name a received file is stored under (after its file id), from the name the room gave.
 * The room's name is untrusted: only letters (any script: 会议照片 stays readable), digits, dot,
 * dash and underscore survive, runs of anything else become one `_`, and leading dots and
 * underscores go, so neither a path separator, `..`, a hidden file nor a control character can
 * come through. A long name keeps its extension. Never empty.
 */
export function safeFileName(name: string): string {
  const cleaned = name
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '_')
    .replace(/^[._]+/, '');
  if (Buffer.byteLength(cleaned) <= MAX_NAME_BYTES) return cleaned === '' ? 'file' : cleaned;
  const dot = cleaned.lastIndexOf('.');
  const extension = dot > 0 && cleaned.length - dot <= MAX_EXTENSION_CHARS ? cleaned.slice(dot) : '';
  return (
    cutToBytes(cleaned.slice(0, cleaned.length - extension.length), MAX_NAME_BYTES - Buffer.byteLength(extension)) +
    extension
  );
}
