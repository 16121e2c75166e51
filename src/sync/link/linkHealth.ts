import type { ServiceHealth } from '../../daemon/service.js';
import type { LinkState } from './types.js';

/** The link's part of the daemon health and of `room-agent status`. */
export interface LinkHealth extends ServiceHealth {
  /** Wall time (ISO) the current connection came up. */
  connectedSince?: string | undefined;
  /** Why the last connection attempt failed, or the last connection ended. */
  lastConnectError?: string | undefined;
  /** Failed attempts since the last connection that stayed up. */
  attempts: number;
  /** CONNACK of the current connection: the broker still had this room's session. */
  sessionPresent?: boolean | undefined;
  /** In-flight window of the current connection. */
  window?: number | undefined;
}

export interface LinkFacts {
  started: boolean;
  state: LinkState;
  /** county.url without credentials. */
  url: string;
  attempts: number;
  lastConnectError: string | undefined;
  /** ms until the next attempt while waiting for it. */
  nextAttemptInMs: number | undefined;
  /** Set while connected but the broker refused a subscription (commands cannot arrive). */
  warning: string | undefined;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

/** "connecting to mqtts://host:8883 (attempt 4, next in 7.9 s): connect ECONNREFUSED …" */
export function linkHealthState(facts: LinkFacts): ServiceHealth {
  const { state, url, attempts, lastConnectError, nextAttemptInMs, warning } = facts;
  if (!facts.started && state !== 'stopped') return { state: 'starting', detail: `not started (${url})` };
  switch (state) {
    case 'connected':
      return warning === undefined
        ? { state: 'ok', detail: `connected to ${url}` }
        : { state: 'degraded', detail: `connected to ${url}, but ${warning}` };
    case 'stopped':
      return { state: 'stopped', detail: `stopped (${url})` };
    case 'connecting':
      return {
        state: 'degraded',
        detail: `connecting to ${url} (attempt ${attempts + 1})${lastConnectError === undefined ? '' : `; last error: ${lastConnectError}`}`,
      };
    case 'disconnected': {
      const next = nextAttemptInMs === undefined ? '' : `, next in ${seconds(nextAttemptInMs)} s`;
      return {
        state: 'degraded',
        detail: `connecting to ${url} (attempt ${attempts}${next})${lastConnectError === undefined ? '' : `: ${lastConnectError}`}`,
      };
    }
  }
}
