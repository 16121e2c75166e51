import { existsSync } from 'node:fs';
import { AgentError, ErrorCode } from '../../errors.js';
import { defineMessages } from '../../i18n.js';
import { discoverPorts, type DiscoveryRoots, type PortCandidate } from '../../scanner/discovery.js';
import { probePort, probePorts, type PortProbeResult } from '../../scanner/portProbe.js';
import { loadScannerSecrets, scannerSecretsPath } from '../../scanner/secrets.js';

const t = defineMessages({
  none: { zh: '没有找到可能连接指纹模块的端口', en: 'no port where a fingerprint module could be attached' },
  module: {
    zh: '  {path}：{family} 模块 {model}，容量 {capacity} 枚，{baud} 波特',
    en: '  {path}: {family} module {model}, capacity {capacity}, {baud} baud',
  },
  silent: { zh: '  {path}：没有模块应答（{why}）', en: '  {path}: no module answered ({why})' },
  held: {
    zh: '  {path}：已被其他进程占用（{holders}），跳过',
    en: '  {path}: held by another process ({holders}), skipped',
  },
  console: {
    zh: '  {path}：这是内核串口控制台，模块在此无法工作：请运行 sudo raspi-config → Interface Options → Serial Port，关闭登录 shell、保留串口硬件，然后重启',
    en: '  {path}: the kernel serial console is on this port, so a module here cannot work: turn it off with sudo raspi-config → Interface Options → Serial Port (no login shell, hardware enabled), then reboot',
  },
  alias: { zh: '（也叫 {names}）', en: ' (also {names})' },
  notFound: {
    zh: '{path} 上没有指纹模块应答（{why}）：请检查模块电源和接线，或用 --scanner-driver 指定型号',
    en: 'no fingerprint module answered on {path} ({why}): check its power and wiring, or name its family with --scanner-driver',
  },
  noneFound: {
    zh: '没有找到指纹模块：请检查模块电源和接线，或用 --scanner PATH --scanner-driver r30x|gt521 指定',
    en: 'no fingerprint module found: check its power and wiring, or give --scanner PATH --scanner-driver r30x|gt521',
  },
  several: {
    zh: '找到多个指纹模块（{paths}）：请用 --scanner PATH 指定一个',
    en: 'several fingerprint modules found ({paths}): name one with --scanner PATH',
  },
});

/** The device's module password when it has secrets already (a room set up again): its bound module opens with it. */
function modulePassword(dataDir: string): number | undefined {
  return existsSync(scannerSecretsPath(dataDir))
    ? loadScannerSecrets(dataDir, { create: false }).modulePassword
    : undefined;
}

/** Every port, probed where free: what the technician sees before choosing. */
export async function surveyPorts(roots: DiscoveryRoots, dataDir: string): Promise<PortProbeResult[]> {
  return probePorts(discoverPorts(roots), { modulePassword: modulePassword(dataDir) });
}

export function surveyLines(results: readonly PortProbeResult[]): string[] {
  if (results.length === 0) return [t('none')];
  return results.map(({ candidate, info, failures }) => {
    const path = candidate.path;
    const aliases = candidate.names.length > 1 ? t('alias', { names: candidate.names.slice(1).join(', ') }) : '';
    if (candidate.console) return `${t('console', { path })}${aliases}`;
    if (candidate.heldBy.length > 0) {
      const holders = candidate.heldBy.map((holder) => `${holder.command} pid ${holder.pid}`).join(', ');
      return `${t('held', { path, holders })}${aliases}`;
    }
    if (info === undefined) return `${t('silent', { path, why: failures.join('; ') })}${aliases}`;
    const line = t('module', {
      path,
      family: info.family,
      model: info.model,
      capacity: info.capacity,
      baud: info.baudRate,
    });
    return `${line}${aliases}`;
  });
}

/** The one module the survey found; none or several is the technician's to resolve. */
export function onlyModule(results: readonly PortProbeResult[]): PortProbeResult {
  const found = results.filter((result) => result.info !== undefined);
  if (found.length === 1) return found[0]!;
  if (found.length === 0) throw new AgentError(ErrorCode.ProvisionScannerNotFound, t('noneFound'));
  throw new AgentError(
    ErrorCode.ProvisionAnswerInvalid,
    t('several', { paths: found.map((f) => f.candidate.path).join(', ') }),
  );
}

/** A port named by the technician: from the survey when it is there, else probed by itself. */
export async function probeNamedPort(
  path: string,
  survey: readonly PortProbeResult[],
  dataDir: string,
): Promise<PortProbeResult> {
  const known = survey.find(({ candidate }) => candidate.names.includes(path) || candidate.device === path);
  // A held port or the console would not answer as a module does: what the survey said of it is the reason.
  if (known !== undefined && (known.candidate.heldBy.length > 0 || known.candidate.console))
    throw new AgentError(ErrorCode.ProvisionScannerNotFound, surveyLines([known])[0]!.trim());
  const result =
    known?.info !== undefined
      ? known
      : await probePort(
          known?.candidate ??
            ({
              path,
              names: [path],
              device: path,
              transport: 'serial',
              heldBy: [],
              console: false,
            } satisfies PortCandidate),
          { modulePassword: modulePassword(dataDir) },
        );
  if (result.info === undefined)
    throw new AgentError(ErrorCode.ProvisionScannerNotFound, t('notFound', { path, why: result.failures.join('; ') }));
  return { ...result, candidate: { ...result.candidate, path } };
}
