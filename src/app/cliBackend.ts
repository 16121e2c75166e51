import type { InspectedConfig } from '../config/load.js';
import { callDaemon, type CallOptions } from '../control/client.js';
import { ErrorCode, isAgentError } from '../errors.js';
import { createSilentLogger } from '../log.js';
import { controlSocketPath, openCore, registerStatus } from './core.js';

/**
 * Runs a control method for a CLI command: through the running daemon (it owns the journal and
 * the devices), or, when no daemon listens, in this process against the journal directly, with
 * the same validation and the same result.
 */
export async function requestControl(loaded: InspectedConfig, method: string, params: unknown, options: CallOptions = {}): Promise<unknown> {
  try {
    return await callDaemon(controlSocketPath(loaded.config), method, params, options);
  } catch (error) {
    if (!isAgentError(error, ErrorCode.ControlUnavailable)) throw error;
  }
  const core = openCore(loaded.config, createSilentLogger());
  try {
    registerStatus(core, loaded);
    return await core.registry.dispatch(method, params, { progress: (data) => options.onProgress?.(data) });
  } finally {
    core.journal.close();
  }
}
