import type { ServerResponse } from 'node:http';
import { AgentError, ErrorCode } from '../../errors.js';
import type { Logger } from '../../log.js';
import { webText } from './messages.js';

/** Where a room camera's live HLS playlist is on the county's media server. */
export type LivePlaylists = (deviceId: string, camera: string) => URL;

/** The placeholders a --live-hls template names a room's camera with. */
const ROOM = '{room}';
const CAMERA = '{camera}';

/**
 * `http://media.county:8080/hls/{room}-{camera}/index.m3u8`: the media server's playlist of the
 * stream a room pushes for one camera. The names are URL-encoded into it, so a room cannot steer
 * the center to another path or host.
 */
export function livePlaylists(template: string): LivePlaylists {
  let parsed: URL | undefined;
  try {
    parsed = new URL(template.replaceAll(ROOM, 'room').replaceAll(CAMERA, 'camera'));
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || !['http:', 'https:'].includes(parsed.protocol) || !template.includes(ROOM))
    throw new AgentError(ErrorCode.UsageError, webText('badLiveTemplate', { template }), { template });
  return (deviceId, camera) =>
    new URL(template.replaceAll(ROOM, encodeURIComponent(deviceId)).replaceAll(CAMERA, encodeURIComponent(camera)));
}

/** What the board relays: the playlist, and the fragments it lists beside it (nginx-rtmp's `N.ts`, SRS's `NAME-N.ts`). */
export const LIVE_PLAYLIST = 'live.m3u8';
const FRAGMENT = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}\.ts$/;
/** A media server that has not answered by then will not help a live picture. */
const FETCH_TIMEOUT_MS = 5_000;
/** A fragment of a room's sub-stream is tens of kilobytes; anything far larger is not one. */
const MAX_BYTES = 16 * 1024 * 1024;

/** The media server's URL for `file` of the stream at `playlist`; undefined for a name the board does not relay. */
export function liveFileUrl(playlist: URL, file: string): URL | undefined {
  if (file === LIVE_PLAYLIST) return playlist;
  return FRAGMENT.test(file) ? new URL(file, playlist) : undefined;
}

/**
 * Relays one file of a live stream from the media server to the page, so the page plays it from
 * its own origin, behind the board's token, whatever address the media server has. Playlists
 * change every fragment and are never cached; fragments never change.
 */
export async function relayLive(response: ServerResponse, source: URL, logger: Logger): Promise<void> {
  const playlist = source.pathname.endsWith('.m3u8');
  try {
    const upstream = await fetch(source, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error' });
    const size = Number(upstream.headers.get('content-length') ?? 0);
    if (!upstream.ok || size > MAX_BYTES) {
      await upstream.body?.cancel();
      return end(response, upstream.status === 404 ? 404 : 502);
    }
    const body = Buffer.from(await upstream.arrayBuffer());
    response.writeHead(200, {
      'Content-Type': playlist ? 'application/vnd.apple.mpegurl' : 'video/mp2t',
      'Cache-Control': playlist ? 'no-store' : 'private, max-age=60',
    });
    response.end(body);
  } catch (error) {
    logger.debug({ err: error, host: source.host }, 'the media server did not answer for a live picture');
    end(response, 502);
  }
}

function end(response: ServerResponse, status: number): void {
  if (response.headersSent) return void response.destroy();
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end(status === 404 ? 'no live picture' : 'media server unavailable');
}
