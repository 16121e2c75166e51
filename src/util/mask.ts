/**
 * Credentials out of anything a person or the county may read: camera URLs carry the camera's
 * password (rtsp://admin:secret@…) and push URLs may carry the media server's key or an SRT
 * passphrase in their query. The password is replaced, the user name kept (a wrong user is a
 * common mistake a technician must be able to see), and so are the host and the path.
 */

export const MASK = '***';

/**
 * Query parameters that authenticate a publisher: SRT's passphrase and streamid (SRS and others
 * put a secret in it), media servers' key, token, auth and sign parameters (txSecret, auth_key,
 * …), and anything named like a password. A value runs to the next parameter or the end of
 * the URL: an SRT streamid starts with "#!::", and a password may hold any other character.
 */
const SECRET_PARAMETER = /([?&;][^=&#;\s]*(?:pass|pwd|secret|token|key|auth|sign|streamid)[^=&#;\s]*=)[^&\s]*/gi;

/** A scheme (`rtsp://`), possibly after the quotes or brackets a log line puts around a URL. */
const SCHEME = /^[^A-Za-z]*[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * One URL, or one value that should have been a URL (a scheme forgotten, a space in the password:
 * exactly the values a configuration check echoes). The user information ends at the last "@"
 * before the query, so a password holding an unescaped "@" or "/" is masked whole; a path with an
 * "@" in it is masked too, which only costs a little of the shown URL.
 */
export function maskUrl(value: string): string {
  const start = SCHEME.exec(value)?.[0].length ?? 0;
  const queryAt = value.slice(start).search(/[?#]/);
  const end = queryAt < 0 ? value.length : start + queryAt;
  const at = value.lastIndexOf('@', end - 1);
  let masked = value;
  if (at >= start) {
    const colon = value.indexOf(':', start);
    if (colon >= 0 && colon < at) masked = `${value.slice(0, colon + 1)}${MASK}${value.slice(at)}`;
  }
  return masked.replace(SECRET_PARAMETER, `$1${MASK}`);
}

/** The values of a URL's secret parameters (see SECRET_PARAMETER) as written: an SRT passphrase and streamid, a stream key. */
export function secretParameterValues(url: string): string[] {
  return [...url.matchAll(SECRET_PARAMETER)]
    .map(([parameter, name]) => parameter.slice(name!.length))
    .filter((value) => value !== '');
}

/** Free text (a log line, an error message, ffmpeg's stderr): every URL in it masked. */
export function maskSecrets(text: string): string {
  return text.replace(/\S+/g, maskUrl);
}
