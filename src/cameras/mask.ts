import { MASK, maskSecrets, secretParameterValues } from '../util/mask.js';

/**
 * ffmpeg's lines as the runner keeps them: every URL masked (src/util/mask.ts), and besides, the
 * secrets known to the caller wherever they appear, as they are and percent-encoded (ffmpeg
 * prints a URL as it was given, and a password can surface outside one, in an option or an
 * error message).
 */
export function maskCameraText(text: string, secrets: readonly string[] = []): string {
  let masked = text;
  for (const literal of secretForms(secrets)) masked = masked.split(literal).join(MASK);
  return maskSecrets(masked);
}

/**
 * A line with every URL cut to its scheme, for what leaves the runner (health, status, the county
 * board, logs): a push URL's path is often the stream key itself, which no masking of userinfo or
 * query parameters would catch.
 */
export function withoutUrls(line: string): string {
  return line.replace(/\b([a-z][a-z0-9+.-]*):\/\/[^\s'"]*[^\s'":,.]/gi, '$1://…');
}

/**
 * The secrets of a URL, for masking wherever they may appear: the password of its userinfo,
 * decoded, and the values of its secret parameters (an SRT passphrase or streamid, a stream key)
 * as written and decoded (ffmpeg decodes an SRT passphrase and streamid before libsrt sees them).
 * None when the URL has none.
 */
export function urlSecrets(text: string): string[] {
  const secrets = new Set(secretParameterValues(text).flatMap((value) => [value, decoded(value) ?? value]));
  try {
    const password = new URL(text).password;
    if (password !== '') secrets.add(decodeURIComponent(password));
  } catch {
    // No URL, or a password that is no valid percent-encoding: the URL masking still cuts it out.
  }
  return [...secrets];
}

function decoded(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** Each secret as it may be written: raw, percent-encoded in upper and lower case; longest first. */
function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret === '') continue;
    const encoded = encodeURIComponent(secret);
    forms
      .add(secret)
      .add(encoded)
      .add(encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()));
  }
  return [...forms].sort((a, b) => b.length - a.length);
}
