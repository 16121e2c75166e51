import { isDriverError, type DriverError } from '../../drivers/common/errors.js';
import { AgentError, ErrorCode } from '../errors.js';

/** Codes 1300–1499: the module answered, but with a condition (no finger, bad template, wrong password…). */
function moduleAnswered(error: DriverError): boolean {
  return error.code >= 1300 && error.code < 1500;
}

/**
 * A driver failure during a maintenance operation, as the agent's error: CLI users get one clear
 * line and an exit code that says whether to check the module (a condition it reported) or to try
 * again once it is reachable (a transport or protocol fault), never "internal error" with a stack.
 */
export function agentErrorFromDriver(purpose: string, error: DriverError): AgentError {
  const code = moduleAnswered(error) ? ErrorCode.ModuleFault : ErrorCode.DeviceUnavailable;
  return new AgentError(
    code,
    `${purpose}: the fingerprint module failed: ${error.message}`,
    { ...error.context, purpose, driverCode: error.code },
    { cause: error },
  );
}

/** Rethrows what fn throws, with DriverErrors turned into AgentErrors (see agentErrorFromDriver). */
export async function withDriverFaults<T>(purpose: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw isDriverError(error) ? agentErrorFromDriver(purpose, error) : error;
  }
}
