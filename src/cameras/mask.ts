/**
 * Masks credentials in text that may reach a log, health, status, the journal or the kept
 * stderr lines: ffmpeg prints its input and output URLs, and camera and media-server URLs carry
 * passwords in their userinfo (rtsp://admin:…@) and keys in their query (SRT's passphrase, a
 * CDN's auth_key or txSecret, a key inside an SRT streamid).
 */
export const MASK = '***';

/** `scheme://userinfo@`: everything up to the last `@` of the authority is userinfo. */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#'"]*@/gi;

/**
 * `name=value` where the name speaks of a secret, after a separator of a query (`?`, `&`), an
 * SRT streamid (`,`, `#!::`) or an option list (`:`, `;`, whitespace); the value runs to the next
 * such separator or quote.
 */
const SECRET_PARAMETER = /([?&,;:\s]|^)([\w.-]*(?:pass|pwd|key|token|secret|auth|sign)[\w.-]*)=[^&,;:\s'"]*/gi;

/** Masks URL userinfo, secret parameters and every literal in `secrets` (raw and percent-encoded). */
export function maskSecrets(text: string, secrets: readonly string[] = []): string {
  let masked = text;
  for (const literal of secretForms(secrets)) masked = masked.split(literal).join(MASK);
  return masked
    .replace(USERINFO, (_whole, scheme: string) => `${scheme}${MASK}@`)
    .replace(SECRET_PARAMETER, (_whole, separator: string, name: string) => `${separator}${name}=${MASK}`);
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

/** The password in a URL's userinfo, decoded, for masking wherever it may appear; none when the URL has none. */
export function urlSecrets(text: string): string[] {
  try {
    const password = new URL(text).password;
    return password === '' ? [] : [decodeURIComponent(password)];
  } catch {
    return [];
  }
}
