import type { RevertRecord } from '../daemon/bus.js';
import { defineMessages } from '../i18n.js';
import { maskSecrets } from '../util/mask.js';

/** A revert as the daemon reports it: the journal's record, and `reason` in the reader's language. */
export interface Reverted extends RevertRecord {
  reason: string;
}

const reasonText = defineMessages({
  didNotStart: { zh: '远程覆盖配置未能成功启动', en: 'the remote override did not start successfully' },
  brokeService: {
    zh: '远程覆盖配置使服务无法启动：{problems}',
    en: 'the remote override kept services from starting: {problems}',
  },
});

/** `problems` in the reader's language for `reason`; `englishProblems` the same lines for the journal. */
export function overrideInvalid(problems: readonly string[], englishProblems: readonly string[]): Reverted {
  return { code: 'override-invalid', problems: [...englishProblems], reason: problems.join('; ') };
}

export function overrideDidNotStart(): Reverted {
  return { code: 'override-did-not-start', problems: [], reason: reasonText('didNotStart') };
}

/**
 * `services`: one line per service that did not start, as the supervisor reports it (English).
 * A service's detail may quote a device's error, and a camera's names its URL: masked, since the
 * lines are journaled and sent to the county.
 */
export function overrideBrokeService(services: readonly string[]): Reverted {
  const problems = services.map(maskSecrets);
  return {
    code: 'override-broke-service',
    problems,
    reason: reasonText('brokeService', { problems: problems.join('; ') }),
  };
}
