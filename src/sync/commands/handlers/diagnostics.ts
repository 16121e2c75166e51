import { z } from 'zod';
import { isConfigError } from '../../../config/configError.js';
import { evaluateOverride } from '../../../config/resolve.js';
import { withLanguage } from '../../../i18n.js';
import { defineCommand } from '../definition.js';
import type { ConfigTarget } from '../dependencies.js';
import { currentOverride } from '../overrideFile.js';

/** The configuration files as they are now: they may have been edited since the daemon started. */
function configCheck(target: ConfigTarget): {
  path: string;
  overrideActive: boolean;
  overrideFile: boolean;
  valid: boolean;
  problems: readonly string[];
} {
  const facts = { path: target.path, overrideActive: target.overrideActive };
  try {
    const current = currentOverride(target);
    const evaluation =
      current.text === undefined
        ? undefined
        : evaluateOverride(current.base, current.file, current.text, target.options);
    const problems = evaluation === undefined || evaluation.ok ? [] : evaluation.problems;
    return { ...facts, overrideFile: current.text !== undefined, valid: problems.length === 0, problems };
  } catch (error) {
    if (!isConfigError(error)) throw error;
    return { ...facts, overrideFile: false, valid: false, problems: error.problems };
  }
}

/**
 * agent.diagnostics {}: the agent's own checks as JSON: the configuration files (valid now?), a
 * full verification of the journal's chain, the scanner, the link and free disk, and the report of
 * `room-agent doctor` (`doctor`, versioned by its own `v`).
 */
export const agentDiagnostics = defineCommand({
  type: 'agent.diagnostics',
  mode: 'task',
  params: z.strictObject({}),
  run: async (_params, { deps, link }) => {
    const { journal, scanner, disk, doctor } = deps.diagnostics;
    const session = link.session;
    const report = await withLanguage('en', doctor);
    return {
      config: configCheck(deps.config),
      journal: journal.verify('full'),
      scanner: { state: scanner.state(), detail: scanner.stateDetail() ?? null },
      link: {
        state: link.state,
        inflight: link.inflight,
        session:
          session === undefined
            ? null
            : { connectionId: session.connectionId, window: session.window, sessionPresent: session.sessionPresent },
      },
      disk: disk(),
      doctor: report,
    };
  },
});
