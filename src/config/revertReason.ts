import { defineMessages } from '../i18n.js';

/**
 * Why a remote override was reverted. The journal (and through it the county) gets the code and
 * English problem lines, never text in the daemon's locale: under systemd there is no LANG, so
 * localized text would be Chinese on one device and English on another. `reason` is the same in
 * the reader's language, for display only.
 * - override-invalid: it does not validate on top of the main file;
 * - override-did-not-start: a start on it ended (crash, hang, watchdog) before it was confirmed;
 * - override-broke-service: the trial window ended with a service that could not start on it.
 */
export type RevertCode = 'override-invalid' | 'override-did-not-start' | 'override-broke-service';

/** What the config.reverted journal event carries. */
export interface RevertRecord {
  code: RevertCode;
  problems: string[];
}

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
