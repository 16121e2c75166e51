import type { RevertRecord } from '../daemon/bus.js';
import { defineMessages } from '../i18n.js';

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

/** `problems`: one line per service that did not start, as the supervisor reports it (English). */
export function overrideBrokeService(problems: readonly string[]): Reverted {
  return {
    code: 'override-broke-service',
    problems: [...problems],
    reason: reasonText('brokeService', { problems: problems.join('; ') }),
  };
}
