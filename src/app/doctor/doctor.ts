import type { InspectedConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { defineMessages } from '../../i18n.js';
import type { SyncStatus } from '../../sync/health/syncStatus.js';
import type { UnboundModule } from '../../scanner/firstStartProbe.js';
import type { ModuleFamilyDriver } from '../../scanner/opener.js';
import { CENTER_ROUND_TRIP_TIMEOUT_MS } from '../../sync/centerRoundTrip.js';
import { BROKER_CHECK_TIMEOUT_MS } from '../../sync/link/brokerCheck.js';
import type { DoctorReport } from '../../sync/protocol/doctorReport.js';
import {
  boardCheck,
  certificateCheck,
  clockCheck,
  gpioCheck,
  storageCheck,
  watchdogCheck,
  type HostRoots,
} from './hostChecks.js';
import { DEFAULT_CHECK_TIMEOUT_MS, runChecks, type CheckOutcome, type DoctorCheck } from './runner.js';
import { cameraChecks, centerCheck, countyCheck, scannerCheck } from './serviceChecks.js';
import { ntpServer, unitCheck, type CommandRunner } from './systemdChecks.js';

const t = defineMessages({
  configOk: { zh: '配置有效：{path}{override}', en: 'configuration valid: {path}{override}' },
  override: { zh: '（远程覆盖生效中）', en: ' (remote override active)' },
  config: { zh: '配置', en: 'configuration' },
  storage: { zh: '数据目录', en: 'data folder' },
  journal: { zh: '日志', en: 'journal' },
  clock: { zh: '时钟', en: 'clock' },
  board: { zh: '供电与降频', en: 'power and throttling' },
  watchdog: { zh: '硬件看门狗', en: 'hardware watchdog' },
  scanner: { zh: '指纹模块', en: 'fingerprint module' },
  gpio: { zh: 'GPIO', en: 'GPIO' },
  cameras: { zh: '摄像头', en: 'cameras' },
  county: { zh: '县级服务器', en: 'county broker' },
  certificate: { zh: '客户端证书', en: 'client certificate' },
  center: { zh: '县中心往返', en: "the center's round trip" },
  unit: { zh: 'systemd 单元', en: 'systemd unit' },
});

type CheckName =
  | 'config'
  | 'storage'
  | 'journal'
  | 'clock'
  | 'board'
  | 'watchdog'
  | 'scanner'
  | 'gpio'
  | 'cameras'
  | 'county'
  | 'certificate'
  | 'center'
  | 'unit';

/** A camera probe may take media.probeTimeoutSeconds; the check allows a little more for ffprobe to start. */
const PROBE_GRACE_MS = 2_000;
/** Every check is bounded so that the doctor as a whole answers within 20 s. */
export const DOCTOR_BUDGET_MS = 20_000;
/**
 * The checks that bound their own work (the broker check gives up after 10 s, scanner.info waits
 * its own time) get what is left of the budget as their outer bound: on a loaded board loading the
 * code (mqtt.js alone ~1.8 s) and asking for the daemon come on top, and a check cut off by its
 * outer bound says only "no answer", where its own bound names the cause.
 */
const SELF_BOUNDED_MS = DOCTOR_BUDGET_MS - 2_000;
const COMMAND_TIMEOUT_MS = 3_000;

export interface DoctorSources {
  config: Config;
  /** The configuration's own check: valid, or its problems (config check's lines). */
  configCheck: () => CheckOutcome;
  /** The journal's check: the daemon's open journal, or the file opened read-only. */
  journalCheck: () => CheckOutcome;
  /** scanner.info from the daemon that owns the port, or a brief standalone open of it. */
  scannerInfo: () => Promise<unknown>;
  /** The module read as a new one where scanner.info finds no journal yet (the CLI without a daemon). */
  unboundModule?: ((family: ModuleFamilyDriver) => Promise<UnboundModule>) | undefined;
  /** The sync status of the running daemon; undefined when none runs (the doctor then connects itself). */
  sync: () => Promise<SyncStatus | undefined>;
  /** The running daemon's round trip to the center (sync.roundTrip); asked only when a daemon runs. */
  centerRoundTrip: () => Promise<unknown>;
  roots: HostRoots;
  run: CommandRunner;
  now?: () => number;
}

/** All the checks at once, each within its timeout, in the order a technician reads them. */
export function doctorChecks(sources: DoctorSources): DoctorCheck[] {
  const { config, roots, run } = sources;
  const sync = sources.sync();
  // Not awaited until a check needs it: the daemon's answer should not hold up the host's checks.
  sync.catch(() => undefined);
  const probeMs = config.media.probeTimeoutSeconds * 1000 + PROBE_GRACE_MS;
  const check = (
    id: CheckName,
    timeoutMs: number,
    work: (signal: AbortSignal) => Promise<CheckOutcome | CheckOutcome[]> | CheckOutcome | CheckOutcome[],
  ): DoctorCheck => ({ id, name: () => t(id), timeoutMs, run: work });
  return [
    check('config', DEFAULT_CHECK_TIMEOUT_MS, () => sources.configCheck()),
    check('storage', DEFAULT_CHECK_TIMEOUT_MS, () => storageCheck(config)),
    { ...check('journal', DOCTOR_BUDGET_MS - 2_000, () => sources.journalCheck()), blocking: true },
    check('clock', DEFAULT_CHECK_TIMEOUT_MS, async () =>
      clockCheck(config.clock.syncFlagPath, await ntpServer(run, COMMAND_TIMEOUT_MS)),
    ),
    check('board', DEFAULT_CHECK_TIMEOUT_MS, () => boardCheck(config, roots)),
    check('watchdog', DEFAULT_CHECK_TIMEOUT_MS, () => watchdogCheck(roots)),
    check('scanner', SELF_BOUNDED_MS, () => scannerCheck(config, sources.scannerInfo, sources.unboundModule)),
    check('gpio', DEFAULT_CHECK_TIMEOUT_MS, () => gpioCheck(config, roots)),
    check('cameras', Math.min(probeMs, DOCTOR_BUDGET_MS - 2_000), (signal) => cameraChecks(config, signal)),
    check('county', SELF_BOUNDED_MS, async () => countyCheck(config, await sync, BROKER_CHECK_TIMEOUT_MS)),
    check('certificate', DEFAULT_CHECK_TIMEOUT_MS, () => certificateCheck(config, (sources.now ?? Date.now)())),
    check('center', CENTER_ROUND_TRIP_TIMEOUT_MS + 3_000, async () => centerCheck(await sync, sources.centerRoundTrip)),
    check('unit', DEFAULT_CHECK_TIMEOUT_MS, () => unitCheck(run, COMMAND_TIMEOUT_MS)),
  ];
}

/** A configuration that loaded is valid: the line says which file, and whether an override is in it. */
export function loadedConfigCheck(loaded: Pick<InspectedConfig, 'path' | 'overrideActive'>): CheckOutcome {
  return {
    status: 'ok',
    text: t('configOk', { path: loaded.path, override: loaded.overrideActive ? t('override') : '' }),
  };
}

export function runDoctor(sources: DoctorSources): Promise<DoctorReport> {
  return runChecks(doctorChecks(sources));
}
