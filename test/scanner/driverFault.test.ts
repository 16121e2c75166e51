import { describe, expect, it } from 'vitest';
import { DriverError, DriverErrorCode } from '../../drivers/common/errors.js';
import { exitCodeFor } from '../../src/cli/exitCode.js';
import { AgentError, ErrorCode, ExitCode } from '../../src/errors.js';
import { withDriverFaults } from '../../src/scanner/driverFault.js';

async function failureOf(error: Error): Promise<unknown> {
  return withDriverFaults('restore the module', () => Promise.reject(error)).catch((thrown: unknown) => thrown);
}

/** Which exit a technician gets for a driver failure inside a maintenance command. */
describe('driver failures during exclusive use of the module', () => {
  it('are a data error (65) when the module answered with a condition', async () => {
    const failure = await failureOf(
      new DriverError(DriverErrorCode.BadTemplate, 'the module refused the template', { slot: 3 }),
    );
    expect(failure).toBeInstanceOf(AgentError);
    expect(failure).toMatchObject({
      code: ErrorCode.ModuleFault,
      message: 'restore the module: the fingerprint module failed: the module refused the template',
      context: { slot: 3, driverCode: DriverErrorCode.BadTemplate },
    });
    expect(exitCodeFor((failure as AgentError).code)).toBe(ExitCode.DataError);
  });

  it('are "unavailable, try again" (69) when the link or the conversation failed', async () => {
    for (const code of [DriverErrorCode.Disconnected, DriverErrorCode.Timeout, DriverErrorCode.Aborted]) {
      const failure = (await failureOf(new DriverError(code, 'no reply'))) as AgentError;
      expect(failure.code).toBe(ErrorCode.DeviceUnavailable);
      expect(exitCodeFor(failure.code)).toBe(ExitCode.Unavailable);
    }
  });

  it('leave the agent’s own errors and other faults as they are', async () => {
    const own = new AgentError(ErrorCode.ModuleFull, 'full');
    expect(await failureOf(own)).toBe(own);
    const bug = new TypeError('a bug');
    expect(await failureOf(bug)).toBe(bug);
  });
});
