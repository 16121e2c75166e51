import { isCameraError } from '../../cameras/errors.js';
import { withOneOffProbe } from '../../cameras/ffmpeg/probe.js';
import { cameraAdvice } from '../../cameras/messages.js';
import type { Config } from '../../config/schema.js';
import { ErrorCode, isAgentError } from '../../errors.js';
import { defineMessages } from '../../i18n.js';
import type { UnboundModule } from '../../scanner/firstStartProbe.js';
import { scannerInfoSchema } from '../../scanner/methods.js';
import type { ModuleFamilyDriver } from '../../scanner/opener.js';
import { centerRoundTripSchema } from '../../sync/centerRoundTrip.js';
import type { SyncStatus } from '../../sync/health/syncStatus.js';
import { checkBroker } from '../../sync/link/brokerCheck.js';
import { brokerCheckLine, brokerFailureAdvice } from '../../sync/link/brokerCheckText.js';
import { maskUrl } from '../../util/mask.js';
import { wallTimeText } from '../../util/wallTime.js';
import type { CheckOutcome } from './runner.js';

const t = defineMessages({
  scannerNa: {
    zh: '指纹模块：未使用（scanner.driver 为 {driver}）',
    en: 'fingerprint module: not used (scanner.driver is {driver})',
  },
  scannerOk: {
    zh: '指纹模块 {model}（{family}）：容量 {capacity}，已录入 {enrolled}，{binding}',
    en: 'fingerprint module {model} ({family}): capacity {capacity}, {enrolled} enrolled, {binding}',
  },
  bound: { zh: '已绑定本设备', en: 'bound to this device' },
  unknownCount: { zh: '未知', en: 'unknown' },
  scannerMissing: {
    zh: '指纹模块没有应答（{where}）：{detail}',
    en: 'no fingerprint module answers ({where}): {detail}',
  },
  scannerMissingFix: {
    zh: '检查模块的连线和供电，核对 scanner.path；再运行 room-agent scanner info',
    en: "check the module's cable and power and scanner.path; then run room-agent scanner info",
  },
  scannerUnbound: {
    zh: '指纹模块 {model} 未与本设备绑定（{detail}）',
    en: 'fingerprint module {model} is not bound to this device ({detail})',
  },
  scannerUnboundFix: {
    zh: '确认这是本房间的模块后运行 room-agent scanner confirm',
    en: "once it is this room's module, run room-agent scanner confirm",
  },
  notBound: {
    zh: '尚未绑定（守护进程首次启动时绑定）',
    en: 'not bound yet (the daemon binds it at its first start)',
  },
  noJournal: {
    zh: '指纹模块：守护进程首次启动（建立日志和模块密钥）后才检查',
    en: 'fingerprint module: checked once the daemon has started and created the journal and module secrets',
  },
  scannerError: { zh: '指纹模块无法检查：{error}', en: 'the fingerprint module cannot be checked: {error}' },
  brokerFailed: {
    zh: '无法连接县级服务器 {url}（{kind}：{reason}）',
    en: 'cannot reach the county broker {url} ({kind}: {reason})',
  },
  linkOk: {
    zh: '县级服务器 {url}：守护进程已连接（自 {since}）',
    en: "county broker {url}: the daemon's link is connected (since {since})",
  },
  linkDown: {
    zh: '县级服务器 {url}：守护进程的连接为 {state}{error}',
    en: "county broker {url}: the daemon's link is {state}{error}",
  },
  linkFix: {
    zh: '检查 4G/网络、county.url、用户名和密码；详见 journalctl -u room-agent',
    en: 'check the uplink (4G), county.url, the user name and password; see journalctl -u room-agent',
  },
  centerNa: {
    zh: '县中心往返：需要运行中的守护进程（中心只应答本房间自己的会话，诊断不占用它）',
    en: "the center's round trip: needs the running daemon (the center answers the room's own session only, which the doctor never takes)",
  },
  centerOffline: {
    zh: '县中心往返：未尝试，守护进程的连接为 {state}（见县级服务器一行）',
    en: "the center's round trip: not tried, the daemon's link is {state} (see the county broker line)",
  },
  centerOk: {
    zh: '县中心 {ms} 毫秒内应答；已确认至 seq {seq}（{at}），待确认 {backlog} 条',
    en: 'the center answered in {ms} ms; acknowledged through seq {seq} ({at}), {backlog} waiting',
  },
  centerNever: {
    zh: '县中心 {ms} 毫秒内应答；尚未确认任何记录（待确认 {backlog} 条）',
    en: 'the center answered in {ms} ms; it has acknowledged nothing yet ({backlog} waiting)',
  },
  centerSilent: {
    zh: '县中心 {seconds} 秒内没有应答（待确认 {backlog} 条）{detail}',
    en: 'the center did not answer within {seconds} s ({backlog} waiting){detail}',
  },
  centerSilentFix: {
    zh: '连接正常而中心不应答：请县里检查中心服务是否运行并连上了服务器，以及本房间的设备公钥登记',
    en: "the link is up but the center does not answer: ask the county to check that the center runs and is connected to the broker, and this room's registered key",
  },
  centerLate: {
    zh: '县中心应答但不确认：最早的待确认记录已等待 {age} 秒（{backlog} 条）',
    en: 'the center answers but does not acknowledge: the oldest waiting entry has waited {age} s ({backlog} waiting)',
  },
  centerFix: {
    zh: '连接正常而中心不确认：请县里检查中心服务和本房间的设备公钥登记',
    en: "the link is up but the center does not acknowledge: ask the county to check the center and this room's registered key",
  },
  cameraOk: { zh: '摄像头 {name}：{codec} {width}×{height}', en: 'camera {name}: {codec} {width}×{height}' },
  cameraNoVideo: { zh: '摄像头 {name}（{url}）：没有视频', en: 'camera {name} ({url}): no video' },
  cameraBad: { zh: '摄像头 {name}（{url}）无法读取', en: 'camera {name} ({url}) cannot be read' },
  cameraNa: { zh: '摄像头：未配置', en: 'cameras: none configured' },
  cameraNoVideoFix: {
    zh: '在摄像头的设置中打开视频流（H.264）',
    en: "turn the video stream (H.264) on in the camera's settings",
  },
});

/**
 * scanner.info as the daemon (or, without one, a brief standalone open of the port) answers it.
 * Before the daemon's first start there is no journal and no module secret for scanner.info:
 * `unbound` then reads the module as a new one (the CLI's doctor; never while a daemon runs).
 */
export async function scannerCheck(
  config: Config,
  info: () => Promise<unknown>,
  unbound?: (family: ModuleFamilyDriver) => Promise<UnboundModule>,
): Promise<CheckOutcome> {
  const { driver } = config.scanner;
  if (driver === 'none' || driver === 'hid-keyboard') return { status: 'na', text: t('scannerNa', { driver }) };
  const where = config.scanner.path ?? config.scanner.hid?.path ?? driver;
  let answer;
  try {
    answer = scannerInfoSchema.parse(await info());
  } catch (error) {
    if (!isAgentError(error)) throw error;
    // Right after provisioning no daemon has made the journal and module secrets the standalone scanner.info needs.
    if (error.code === ErrorCode.JournalMissing || error.code === ErrorCode.ScannerSecrets)
      return unbound === undefined || driver === 'emulator'
        ? { status: 'na', text: t('noJournal') }
        : unboundCheck(() => unbound(driver), where);
    return { status: 'fail', text: t('scannerError', { error: error.message }), fix: t('scannerMissingFix') };
  }
  const module = answer.module;
  if (module === null || answer.state === 'disconnected' || answer.state === 'connecting')
    return {
      status: 'fail',
      text: t('scannerMissing', { where, detail: answer.detail || answer.state }),
      fix: t('scannerMissingFix'),
    };
  if (answer.binding === null || answer.state === 'refused')
    return {
      status: 'fail',
      text: t('scannerUnbound', { model: module.model, detail: answer.detail || answer.state }),
      fix: t('scannerUnboundFix'),
    };
  return {
    status: 'ok',
    text: t('scannerOk', {
      model: module.model,
      family: module.family,
      capacity: module.capacity,
      enrolled: answer.enrolled ?? t('unknownCount'),
      binding: t('bound'),
    }),
  };
}

/** The module read as a new one, before the daemon's first start: what it is and holds, or why it does not answer. */
async function unboundCheck(probe: () => Promise<UnboundModule>, where: string): Promise<CheckOutcome> {
  let found;
  try {
    found = await probe();
  } catch (error) {
    return {
      status: 'fail',
      text: t('scannerMissing', { where, detail: (error as Error).message }),
      fix: t('scannerMissingFix'),
    };
  }
  const { model, family, capacity } = found.info;
  return {
    status: 'ok',
    text: t('scannerOk', { model, family, capacity, enrolled: found.enrolled, binding: t('notBound') }),
  };
}

/** The county link: the daemon's own connection when it runs, else one connection as `<device.id>-doctor`. */
export async function countyCheck(
  config: Config,
  sync: SyncStatus | undefined,
  timeoutMs: number,
): Promise<CheckOutcome> {
  if (sync !== undefined && sync.link.state !== 'not-running') {
    const { state, broker, connectedSince, lastError } = sync.link;
    if (state === 'connected')
      return { status: 'ok', text: t('linkOk', { url: broker, since: connectedSince ?? '?' }) };
    return {
      status: 'fail',
      text: t('linkDown', { url: broker, state, error: lastError === undefined ? '' : `: ${lastError}` }),
      fix: t('linkFix'),
    };
  }
  const result = await checkBroker({ county: config.county, deviceId: config.device.id, timeoutMs, purpose: 'doctor' });
  if (result.ok) return { status: 'ok', text: brokerCheckLine(result) };
  return {
    status: 'fail',
    text: t('brokerFailed', { url: result.url, kind: result.kind, reason: result.reason }),
    fix: brokerFailureAdvice(result.kind),
  };
}

/** A backlog older than this while the center answers means it does not acknowledge what it gets. */
const CENTER_SILENT_SECONDS = 600;

/**
 * The center answering a round trip over the room's own session, which only the running daemon
 * holds: it publishes its online state again and times the center's acknowledgement. Without a
 * daemon the doctor's own session (clean, no subscriptions) could not receive an answer, and a
 * second session under the room's id would take the room's over.
 */
export async function centerCheck(
  sync: SyncStatus | undefined,
  roundTrip: () => Promise<unknown>,
): Promise<CheckOutcome> {
  if (sync === undefined || sync.link.state === 'not-running') return { status: 'na', text: t('centerNa') };
  const trip = centerRoundTripSchema.parse(await roundTrip());
  const backlog = sync.backlog.events;
  if (trip.outcome === 'offline') return { status: 'na', text: t('centerOffline', { state: trip.state }) };
  if (trip.outcome === 'silent') {
    const detail = trip.detail === undefined ? '' : `: ${trip.detail}`;
    return {
      status: 'fail',
      text: t('centerSilent', { seconds: trip.timeoutMs / 1000, backlog, detail }),
      fix: t('centerSilentFix'),
    };
  }
  const age = sync.backlog.oldestAgeSeconds;
  if (age !== null && age > CENTER_SILENT_SECONDS)
    return { status: 'fail', text: t('centerLate', { age: Math.round(age), backlog }), fix: t('centerFix') };
  if (sync.cursor === null) return { status: 'ok', text: t('centerNever', { ms: trip.ms, backlog }) };
  const at = sync.lastSync === null ? '?' : wallTimeText(Date.parse(sync.lastSync));
  return { status: 'ok', text: t('centerOk', { ms: trip.ms, seq: sync.cursor.seq, at, backlog }) };
}

/** Every camera read once with ffprobe: codec and size, or the problem and its fix; the URL without its password. */
export async function cameraChecks(config: Config, signal: AbortSignal): Promise<CheckOutcome[]> {
  if (config.cameras.length === 0) return [{ status: 'na', text: t('cameraNa') }];
  return withOneOffProbe(config.media, 'room-agent-doctor-', (probe) =>
    Promise.all(
      config.cameras.map(async (camera): Promise<CheckOutcome> => {
        const id = `camera:${camera.name}`;
        const url = maskUrl(camera.subUrl ?? camera.url);
        try {
          const { video } = await probe(camera.subUrl ?? camera.url, signal);
          if (video === null)
            return {
              id,
              status: 'fail',
              text: t('cameraNoVideo', { name: camera.name, url }),
              fix: t('cameraNoVideoFix'),
            };
          return {
            id,
            status: 'ok',
            text: t('cameraOk', { name: camera.name, codec: video.codec, width: video.width, height: video.height }),
          };
        } catch (error) {
          if (!isCameraError(error)) throw error;
          return {
            id,
            status: 'fail',
            text: t('cameraBad', { name: camera.name, url }),
            fix: cameraAdvice(error.problem),
          };
        }
      }),
    ),
  );
}
