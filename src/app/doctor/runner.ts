import { DOCTOR_REPORT_VERSION, type DoctorCheckResult, type DoctorReport } from '../../sync/protocol/doctorReport.js';
import { defineMessages } from '../../i18n.js';

const t = defineMessages({
  timedOut: { zh: '{name}：{seconds} 秒内没有结果', en: '{name}: no answer within {seconds} s' },
  timedOutFix: {
    zh: '再运行一次 room-agent doctor；仍然超时请查看 journalctl -u room-agent',
    en: 'run room-agent doctor again; if it still times out, see journalctl -u room-agent',
  },
  threw: { zh: '{name}：检查本身出错（{error}）', en: '{name}: the check itself failed ({error})' },
  threwFix: {
    zh: '把这一行和 room-agent status 的输出报给县里',
    en: 'report this line with the output of room-agent status to the county',
  },
});

/** A check's line; one of several lines (a camera each) names its own id. */
export type CheckOutcome = Omit<DoctorCheckResult, 'id'> & { id?: string };

/** One check: independent of the others, so that all run at once. */
export interface DoctorCheck {
  id: string;
  /** Named in the line of a check that timed out. */
  name: () => string;
  /** Past this the check is reported as timed out; the whole doctor waits no longer. */
  timeoutMs: number;
  /** Holds the event loop while it runs (a chain walk): started after the others have their I/O under way. */
  blocking?: boolean;
  run(signal: AbortSignal): Promise<CheckOutcome | CheckOutcome[]> | CheckOutcome | CheckOutcome[];
}

export const DEFAULT_CHECK_TIMEOUT_MS = 5_000;

async function runOne(check: DoctorCheck): Promise<DoctorCheckResult[]> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), check.timeoutMs);
  });
  try {
    const outcome = await Promise.race([Promise.resolve().then(() => check.run(controller.signal)), timeout]);
    if (outcome === 'timeout') {
      controller.abort();
      return [
        {
          id: check.id,
          status: 'fail',
          text: t('timedOut', { name: check.name(), seconds: check.timeoutMs / 1000 }),
          fix: t('timedOutFix'),
          timedOut: true,
        },
      ];
    }
    return (Array.isArray(outcome) ? outcome : [outcome]).map((one) => ({ id: check.id, ...one }));
  } catch (error) {
    const text = t('threw', { name: check.name(), error: (error as Error).message });
    return [{ id: check.id, status: 'fail', text, fix: t('threwFix') }];
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check at once, each bounded by its own timeout; the lines keep the checks' order. */
export async function runChecks(checks: readonly DoctorCheck[]): Promise<DoctorReport> {
  const started = new Map(checks.filter((check) => check.blocking !== true).map((check) => [check, runOne(check)]));
  await new Promise((resolve) => setImmediate(resolve));
  const results = (await Promise.all(checks.map((check) => started.get(check) ?? runOne(check)))).flat();
  return { v: DOCTOR_REPORT_VERSION, ok: results.every((result) => result.status !== 'fail'), checks: results };
}
