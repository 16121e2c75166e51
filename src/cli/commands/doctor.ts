import { runDoctor } from '../../app/doctor/doctor.js';
import { doctorSources } from '../../app/doctor/cliSources.js';
import { isConfigError } from '../../config/configError.js';
import type { InspectedConfig } from '../../config/load.js';
import { ExitCode } from '../../errors.js';
import { defineMessages, setLanguage } from '../../i18n.js';
import { DOCTOR_REPORT_VERSION, type DoctorReport } from '../../sync/protocol/doctorReport.js';
import { parseCommandArgs } from '../args.js';
import type { CliCommand } from '../command.js';
import { configOptions, inspectConfigForCli, type ConfigOptionValues } from '../configOption.js';

const t = defineMessages({
  configBad: { zh: '配置无效：{problems}', en: 'configuration invalid: {problems}' },
  configFix: {
    zh: '按 room-agent config check 列出的问题修改配置文件',
    en: 'correct the configuration file as room-agent config check lists',
  },
  needsConfig: { zh: '其余检查需要有效的配置', en: 'the other checks need a valid configuration' },
  fix: { zh: '处理：', en: 'fix: ' },
  summaryOk: { zh: '全部正常', en: 'all checks passed' },
  summaryFail: { zh: '{count} 项有问题（退出码 {code}）', en: 'checks failed: {count} (exit code {code})' },
  timedOut: { zh: '超时的检查：{names}', en: 'checks that timed out: {names}' },
});

const options = {
  ...configOptions,
  json: { type: 'boolean' },
  'sys-dir': { type: 'string' },
  'dev-dir': { type: 'string' },
} as const;

/** A bare Linux console (TERM=linux) cannot draw Chinese or ✔: it gets English and ASCII marks. */
function bareConsole(env: NodeJS.ProcessEnv): boolean {
  return env.TERM === 'linux';
}

const MARKS = { unicode: { ok: '✔', fail: '✘', na: '–' }, ascii: { ok: '[OK]', fail: '[FAIL]', na: '[--]' } };

/** One line per check: the mark, what was found and, for a failure, what to do. */
export function doctorLines(report: DoctorReport, ascii: boolean): string[] {
  const marks = ascii ? MARKS.ascii : MARKS.unicode;
  const lines = report.checks.map(
    (check) => `${marks[check.status]} ${check.text}${check.fix === undefined ? '' : ` — ${t('fix')}${check.fix}`}`,
  );
  const failed = report.checks.filter((check) => check.status === 'fail');
  const timedOut = report.checks.filter((check) => check.timedOut === true).map((check) => check.id);
  if (timedOut.length > 0) lines.push(t('timedOut', { names: timedOut.join(', ') }));
  lines.push(
    failed.length === 0 ? t('summaryOk') : t('summaryFail', { count: failed.length, code: ExitCode.ChecksFailed }),
  );
  return lines;
}

/** The report for a configuration that does not load: its problems, and nothing else can be checked. */
function invalidConfigReport(problems: readonly string[]): DoctorReport {
  return {
    v: DOCTOR_REPORT_VERSION,
    ok: false,
    checks: [
      { id: 'config', status: 'fail', text: t('configBad', { problems: problems.join('; ') }), fix: t('configFix') },
      { id: 'rest', status: 'na', text: t('needsConfig') },
    ],
  };
}

interface RootValues {
  'sys-dir'?: string | undefined;
  'dev-dir'?: string | undefined;
}

/** The doctor's report on a configuration already loaded: provision's, just written. */
export function doctorReportFor(loaded: InspectedConfig, values: RootValues): Promise<DoctorReport> {
  return runDoctor(
    doctorSources(loaded, { sysRoot: values['sys-dir'] ?? '/sys', devRoot: values['dev-dir'] ?? '/dev' }),
  );
}

/** The doctor's report for the configuration the CLI names. */
async function doctorReport(values: ConfigOptionValues & RootValues): Promise<DoctorReport> {
  let loaded;
  try {
    loaded = inspectConfigForCli(values);
  } catch (error) {
    if (!isConfigError(error)) throw error;
    return invalidConfigReport(error.problems);
  }
  return doctorReportFor(loaded, values);
}

/** Prints a report as lines (or JSON) and gives the doctor's exit code. */
export function printDoctorReport(report: DoctorReport, json: boolean, env: NodeJS.ProcessEnv = process.env): number {
  if (json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(`${doctorLines(report, bareConsole(env)).join('\n')}\n`);
  return report.ok ? ExitCode.Ok : ExitCode.ChecksFailed;
}

/** Before any message is worded: a bare console reads English. */
export function doctorLanguage(env: NodeJS.ProcessEnv = process.env): void {
  if (bareConsole(env)) setLanguage('en');
}

export const doctorCommand: CliCommand = {
  path: ['doctor'],
  synopsis: '[--config FILE] [--data-dir DIR] [--json] [--sys-dir DIR] [--dev-dir DIR]',
  summary: {
    zh: '逐项检查本房间：配置、存储、日志、时钟、供电、看门狗、指纹模块、摄像头、县级连接',
    en: 'check the room item by item: configuration, storage, journal, clock, power, watchdog, scanner, cameras, county link',
  },
  async run(args) {
    const { values } = parseCommandArgs('doctor', args, options);
    doctorLanguage();
    return printDoctorReport(await doctorReport(values), values.json === true);
  },
};
