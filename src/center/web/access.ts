import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { AgentError, ErrorCode } from '../../errors.js';
import { webText } from './messages.js';

/** Where the board listens: `--http HOST:PORT`. */
export interface HttpAddress {
  host: string;
  port: number;
}

/** The cookie a county screen keeps the token in (set by the login page's script, never by the server). */
export const TOKEN_COOKIE = 'room_agent_board';
/** A token shorter than this could be guessed over the network. */
export const MIN_TOKEN_LENGTH = 16;

/** `127.0.0.1:8080`, `[::1]:8080`, `0.0.0.0:8080`, `localhost:8080`. */
export function parseHttpAddress(text: string): HttpAddress {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (host === undefined || !Number.isInteger(port) || port > 65535 || (match?.[1] !== undefined && isIP(host) !== 6))
    throw new AgentError(ErrorCode.UsageError, webText('badAddress', { address: text }), { address: text });
  return { host, port };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/**
 * Loopback needs nothing (a token given is still required); any other address needs the explicit --http-public and a token, so a
 * county screen on the network is never open to whoever finds the port.
 */
export function checkExposure(address: HttpAddress, publicBind: boolean, token: string | undefined): void {
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH)
    throw new AgentError(ErrorCode.CenterHttpUnsafe, webText('shortToken', { min: MIN_TOKEN_LENGTH }));
  if (isLoopback(address.host)) return;
  if (!publicBind)
    throw new AgentError(ErrorCode.CenterHttpUnsafe, webText('needsPublic', { host: address.host }), {
      host: address.host,
    });
  if (token === undefined)
    throw new AgentError(ErrorCode.CenterHttpUnsafe, webText('needsToken', { host: address.host }), {
      host: address.host,
    });
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The token a request carries: `Authorization: Bearer …` or the board cookie. Never the URL. */
function presentedToken(request: IncomingMessage): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization);
    return bearer?.[1];
  }
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0 || part.slice(0, separator).trim() !== TOKEN_COOKIE) continue;
    try {
      return decodeURIComponent(part.slice(separator + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Decides each request: the token when one is set, and on loopback the Host a local browser sends. */
export class AccessCheck {
  private readonly expected: Buffer | undefined;
  private readonly localHosts: Set<string> | undefined;

  constructor(token: string | undefined, address: HttpAddress & { boundPort: number }) {
    this.expected = token === undefined ? undefined : digest(token);
    // A page on another site can reach a loopback port by DNS rebinding: its requests then carry
    // that site's name as Host, which a local browser never sends.
    this.localHosts = isLoopback(address.host)
      ? new Set(
          ['127.0.0.1', 'localhost', '[::1]', address.host.includes(':') ? `[${address.host}]` : address.host].map(
            (host) => `${host}:${address.boundPort}`,
          ),
        )
      : undefined;
  }

  hostAllowed(request: IncomingMessage): boolean {
    return this.localHosts === undefined || this.localHosts.has((request.headers.host ?? '').toLowerCase());
  }

  /** Constant time over digests: neither the token's length nor its prefix leaks through timing. */
  authorized(request: IncomingMessage): boolean {
    if (this.expected === undefined) return true;
    const presented = presentedToken(request);
    return presented !== undefined && timingSafeEqual(digest(presented), this.expected);
  }
}
