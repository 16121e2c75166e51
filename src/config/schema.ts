import { createPublicKey } from 'node:crypto';
import { z } from 'zod';
import { defineMessages } from '../i18n.js';

/**
 * The one configuration schema: types are inferred from it, the example file documents it,
 * and config/room-agent.schema.json is generated from it. Every field says its unit and default.
 * Objects are strict: a misspelt key is an error, never silently ignored.
 */
export const CONFIG_VERSION = 1;

/** R30x modules run at 9600×N (N = 1…12); GT-521F rates are a subset of the same set. */
export const BAUD_RATES = [
  9600, 19200, 28800, 38400, 48000, 57600, 67200, 76800, 86400, 96000, 105600, 115200,
] as const;

/** Used in MQTT topics and file names, so no '/', '+', '#', spaces or leading dots. */
const DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Schema messages for problem lines; a pattern's message ends "<value> is not …". Functions, so
 * the language is chosen when a file is checked, not when this module is imported.
 */
const expected = defineMessages({
  deviceId: {
    zh: '合法的设备编号（字母、数字、"."、"_" 或 "-"，以字母或数字开头，最多 64 个字符）',
    en: 'a valid device id (letters, digits, ".", "_" or "-", starting with a letter or digit, at most 64 characters)',
  },
  brokerUrl: { zh: '一个 mqtt://、mqtts://、ws:// 或 wss:// 地址', en: 'an mqtt://, mqtts://, ws:// or wss:// URL' },
  cameraName: {
    zh: '合法的摄像头名称（字母、数字、"_" 或 "-"，最多 32 个字符）',
    en: 'a valid camera name (letters, digits, "_" or "-", at most 32 characters)',
  },
  rtspUrl: { zh: '一个 rtsp:// 地址', en: 'an rtsp:// URL' },
  pushUrl: { zh: '一个 rtmp://、rtmps:// 或 srt:// 地址', en: 'an rtmp://, rtmps:// or srt:// URL' },
  srtPassphrase: {
    zh: 'SRT 的 passphrase 必须为 10 到 79 个字符（SRT 的限制），并与县级流媒体服务器的一致',
    en: "an SRT passphrase must have 10 to 79 characters (SRT's limits), the same as the county media server's",
  },
  topicPrefix: {
    zh: '合法的主题前缀（1–4 级，每级为字母、数字、"_" 或 "-"，用 "/" 分隔，不含 "+"、"#"）',
    en: 'a valid topic prefix (1–4 levels of letters, digits, "_" or "-" separated by "/", no "+" or "#")',
  },
  ed25519Key: {
    zh: '不是 Ed25519 公钥：应为 DER SPKI 的 base64，即 `room-agent center keygen` 打印的那一行；请向县中心索取',
    en: 'not an Ed25519 public key: expected base64 of DER SPKI, the line `room-agent center keygen` prints; ask the county center for it',
  },
  duplicateCamera: { zh: '"{name}" 已被另一个摄像头使用', en: '"{name}" is already used by another camera' },
  unknownPhotoCamera: {
    zh: '"{name}" 不是已配置的摄像头；可选：{names}',
    en: '"{name}" is not a configured camera; configured: {names}',
  },
  noCameras: { zh: '（未配置摄像头）', en: '(no cameras configured)' },
  reconnectOrder: {
    zh: '{min} 大于 county.reconnectMaxMs（{max}）：首次重连等待不能长于最长等待',
    en: '{min} is more than county.reconnectMaxMs ({max}): the first reconnect delay cannot be longer than the longest',
  },
  tlsFilesPlaintext: {
    zh: '已设置 county.{key}，但 county.url 是明文 {scheme}://：TLS 文件只用于 mqtts:// 或 wss://（mqtt.js 遇到客户端证书会改用 TLS 连接明文端口，遇到 CA 则忽略它）。请把 county.url 改为 mqtts://主机:8883（或 wss://），或删除 county.{key}',
    en: 'county.{key} is set but county.url is plaintext {scheme}://: TLS files are used only with mqtts:// or wss:// (mqtt.js would speak TLS to the plaintext port with a client certificate, and ignore a CA). Change county.url to mqtts://HOST:8883 (or wss://), or remove county.{key}',
  },
  plaintextRemote: {
    zh: '拒绝以明文 {scheme}:// 连接本机以外的主机 {host}：密码和签到记录会不加密地经过网络。请改用 mqtts://（或 wss://）并用 county.caFile 指定县级 CA 证书；只有在实验室网络中才可设置 county.allowInsecure: true',
    en: 'plaintext {scheme}:// to {host}, a host other than this machine, is refused: the password and sign-ins would cross the network unencrypted. Use mqtts:// (or wss://) with the county CA in county.caFile, or set county.allowInsecure: true only on a lab network',
  },
});

/**
 * libsrt refuses a passphrase shorter than 10 or longer than 79 characters only when ffmpeg sets
 * it, as a push starts: the check says so at once. ffmpeg decodes the value before it sets it.
 */
function srtPassphraseFits(url: string): boolean {
  if (!/^srt:\/\//i.test(url)) return true;
  return [...url.matchAll(/[?&]passphrase=([^&]*)/gi)].every(([, value]) => {
    let length: number;
    try {
      length = decodeURIComponent(value!).length;
    } catch {
      length = value!.length;
    }
    return length >= 10 && length <= 79;
  });
}

const bcmPin = z.number().int().min(0).max(53);

/** Checked when the file is, so a mistyped key stops `config check`, not the first signed command. */
function isEd25519PublicKey(value: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false;
  try {
    return (
      createPublicKey({ key: Buffer.from(value, 'base64'), format: 'der', type: 'spki' }).asymmetricKeyType ===
      'ed25519'
    );
  } catch {
    return false;
  }
}

const deviceSchema = z.strictObject({
  id: z
    .string()
    .regex(DEVICE_ID, { error: () => expected('deviceId') })
    .describe('Unique id of this room agent, assigned by the county (used in MQTT topics). Required.'),
  name: z.string().min(1).max(200).optional().describe('Human name of the room, e.g. the village. Optional.'),
  dataDir: z
    .string()
    .min(1)
    .default('/var/lib/room-agent')
    .describe('Directory for the journal, keys and the remote override file. Default /var/lib/room-agent.'),
  controlSocket: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe('Unix socket the CLI uses to reach the running daemon. Default <dataDir>/control.sock.'),
  configTrialSeconds: z
    .number()
    .int()
    .min(5)
    .max(3600)
    .default(60)
    .describe('Seconds a new remote override must run before it becomes the last good configuration. Default 60.'),
});

const journalSchema = z.strictObject({
  retentionDays: z
    .number()
    .int()
    .min(1)
    .max(3650)
    .default(90)
    .describe(
      'Days to keep events after the center acknowledged them. Unacknowledged events are never pruned. Default 90.',
    ),
  pruneIntervalMinutes: z
    .number()
    .int()
    .min(1)
    .max(10080)
    .default(60)
    .describe('Minutes between prune runs. Default 60.'),
});

/** 64 MiB: a day of meeting photos, and years of sign-ins for the journal. */
const DEFAULT_JOURNAL_RESERVE_BYTES = 64 * 1024 * 1024;

const storageSchema = z.strictObject({
  journalReserveBytes: z
    .number()
    .int()
    .min(0)
    .max(1024 ** 4)
    .default(DEFAULT_JOURNAL_RESERVE_BYTES)
    .describe(
      "Free space kept for the journal on the data directory's storage. Below it the agent stops optional writes (meeting photos first), then prunes acknowledged events before their retention, so that sign-ins can still be recorded. Bytes. Default 67108864 (64 MiB).",
    ),
});

const clockSchema = z.strictObject({
  syncFlagPath: z
    .string()
    .min(1)
    .default('/run/systemd/timesync/synchronized')
    .describe(
      'File whose existence means the system clock is synchronised (systemd-timesyncd). Default /run/systemd/timesync/synchronized.',
    ),
  pollSeconds: z
    .number()
    .int()
    .min(1)
    .max(3600)
    .default(10)
    .describe('Seconds between checks of the clock sync state. Default 10.'),
});

const scannerSchema = z.strictObject({
  driver: z
    .enum(['r30x', 'gt521', 'hid-keyboard', 'emulator', 'none'])
    .default('r30x')
    .describe(
      'Protocol family of the fingerprint module: r30x (ZFM/AS608/R30x/R50x), gt521 (GT-521F/GT-511C3), hid-keyboard (keyboard-wedge reader), emulator (no hardware), none. Default r30x.',
    ),
  transport: z
    .enum(['serial', 'cp2110'])
    .default('serial')
    .describe(
      'How the module is attached: serial (UART or USB-serial adapter) or cp2110 (Silicon Labs HID-to-UART bridge). Default serial.',
    ),
  path: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Device path; prefer /dev/serial/by-id/… or the udev symlink /dev/fingerprint. No default: required when scanner.driver needs a device path.',
    ),
  baudRate: z
    .literal(BAUD_RATES)
    .default(57600)
    .describe('UART speed in baud, 9600×N for N = 1…12. Default 57600 (GT-521F modules always start at 9600).'),
  hid: z
    .strictObject({
      vendorId: z
        .number()
        .int()
        .min(0)
        .max(0xffff)
        .optional()
        .describe('USB vendor id, e.g. 0x10c4 (4292) for a CP2110. Optional.'),
      productId: z
        .number()
        .int()
        .min(0)
        .max(0xffff)
        .optional()
        .describe('USB product id, e.g. 0xea80 (60032) for a CP2110. Optional.'),
      path: z
        .string()
        .min(1)
        .optional()
        .describe('hidraw node, e.g. /dev/fingerprint-hid (udev symlink). Optional; wins over the ids.'),
    })
    .optional()
    .describe(
      'Which USB-HID device to use with transport cp2110 or driver hid-keyboard. Default: the first CP2110/CP2114.',
    ),
  pollIntervalMs: z
    .number()
    .int()
    .min(50)
    .max(5000)
    .default(250)
    .describe('Milliseconds between checks for a finger while idle. Default 250.'),
  signInWindowMinutes: z
    .number()
    .int()
    .min(0)
    .max(1440)
    .default(120)
    .describe(
      'A member signing in again within this many minutes gets "already signed in" and no second record. Minutes, 0 to 1440. Default 120.',
    ),
  powerGpio: bcmPin
    .optional()
    .describe(
      'BCM number of a GPIO line that switches the module power (a relay or MOSFET), used to power-cycle a silent module. Optional.',
    ),
  wakeGpio: bcmPin
    .optional()
    .describe(
      'BCM number of the R503 touch/wake output, so the agent captures only when a finger touches. Optional; without it the agent polls.',
    ),
  escrowTemplates: z
    .boolean()
    .default(false)
    .describe(
      'Send enrolled templates to the county, encrypted to county.escrowPublicKey, so they can be restored onto a compatible module. Default false.',
    ),
});

const feedbackSchema = z.strictObject({
  gpio: z
    .boolean()
    .default(true)
    .describe(
      'Drive LEDs and buzzer over GPIO. Without GPIO (a PC) the module LED and the log give feedback. Default true.',
    ),
  greenLed: bcmPin.optional().describe('BCM number of the green LED. Optional.'),
  redLed: bcmPin.optional().describe('BCM number of the red LED. Optional.'),
  buzzer: bcmPin.optional().describe('BCM number of the buzzer. Optional.'),
  enrollButton: bcmPin.optional().describe('BCM number of the enrollment button. Optional.'),
});

/** localhost, 127.0.0.0/8 and ::1 (as URL prints them): traffic that never leaves this machine. */
const LOOPBACK_HOST =
  /^(localhost\.?|127(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}|\[::1\]|\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\])$/i;

/**
 * The scheme and host of a plaintext broker URL that leaves this machine; undefined for TLS,
 * loopback, or a URL the pattern check already refuses. A URL that does not parse counts as
 * remote: refusing is the safe side.
 */
function plaintextScheme(url: string): string | undefined {
  return /^(mqtt|ws):\/\//.exec(url)?.[1];
}

function plaintextRemoteHost(url: string): { scheme: string; host: string } | undefined {
  const scheme = plaintextScheme(url);
  if (scheme === undefined) return undefined;
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return { scheme, host: url.slice(scheme.length + 3).split(/[/:]/)[0] ?? '' };
  }
  return LOOPBACK_HOST.test(host) ? undefined : { scheme, host };
}

const countyFields = z.strictObject({
  url: z
    .string()
    .regex(/^(mqtts?|wss?):\/\/[^\s]+$/, { error: () => expected('brokerUrl') })
    .describe('URL of the county MQTT broker, e.g. mqtts://mqtt.county.example:8883. Required.'),
  allowInsecure: z
    .boolean()
    .default(false)
    .describe(
      'Allow plaintext mqtt:// or ws:// to a host other than this machine. Never on a real uplink: passwords and sign-ins would cross the network unencrypted. Default false.',
    ),
  username: z.string().min(1).optional().describe('MQTT user name. Default device.id.'),
  password: z
    .string()
    .min(1)
    .optional()
    .describe('MQTT password. Keep it out of this file: set ROOM_AGENT_COUNTY_PASSWORD in the environment file.'),
  caFile: z
    .string()
    .min(1)
    .optional()
    .describe('PEM file of the county CA that signed the broker certificate. Default the system CAs.'),
  certFile: z
    .string()
    .min(1)
    .optional()
    .describe('PEM client certificate for mutual TLS. Optional; needs county.keyFile.'),
  keyFile: z
    .string()
    .min(1)
    .optional()
    .describe('PEM private key of the client certificate. Optional; needs county.certFile.'),
  topicPrefix: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}(\/[A-Za-z0-9][A-Za-z0-9_-]{0,31}){0,3}$/, {
      error: () => expected('topicPrefix'),
    })
    .default('county')
    .describe('First topic levels; this room publishes under <topicPrefix>/rooms/<device.id>/. Default county.'),
  centerPublicKey: z
    .string()
    .refine(isEd25519PublicKey, { error: () => expected('ed25519Key') })
    .optional()
    .describe(
      "The center's Ed25519 public key (base64 DER SPKI). When set, every command must carry its signature. Without it any client the broker lets publish to this room's command topic can change members. Optional, strongly advised.",
    ),
  escrowPublicKey: z
    .string()
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64 of a DER (SPKI) X25519 public key')
    .optional()
    .describe(
      "The county's X25519 public key (base64 DER SPKI): module passwords and, with scanner.escrowTemplates, templates are encrypted to it before they leave the device. Optional.",
    ),
  keepaliveSeconds: z
    .number()
    .int()
    .min(2)
    .max(1200)
    .default(60)
    .describe('MQTT keepalive, seconds. A dead 4G link is noticed after about 1.5 times this. Default 60.'),
  reconnectMinMs: z
    .number()
    .int()
    .min(100)
    .max(600_000)
    .default(1000)
    .describe('First reconnect delay, ms; it doubles up to county.reconnectMaxMs, with random jitter. Default 1000.'),
  reconnectMaxMs: z
    .number()
    .int()
    .min(100)
    .max(3_600_000)
    .default(120_000)
    .describe('Longest reconnect delay, ms. Default 120000.'),
  sessionExpirySeconds: z
    .number()
    .int()
    .min(0)
    .max(4_294_967_295)
    .default(604_800)
    .describe(
      "How long the broker keeps this room's session and queued commands while it is offline, seconds. Default 604800 (7 days).",
    ),
  healthIntervalSeconds: z
    .number()
    .int()
    .min(5)
    .max(86_400)
    .default(300)
    .describe('Seconds between health messages. Default 300.'),
  batchMaxEvents: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(500)
    .describe('Most events in one published batch. Default 500.'),
  batchMaxBytes: z
    .number()
    .int()
    .min(1024)
    .max(1_048_576)
    .default(65_536)
    .describe('Most bytes of events (JSON, before compression) in one batch. Default 65536.'),
  maxInflight: z
    .number()
    .int()
    .min(1)
    .max(65_535)
    .default(20)
    .describe("Most unacknowledged publishes at once; the broker's Receive Maximum lowers it further. Default 20."),
  backfillBytesPerSecond: z
    .number()
    .int()
    .min(0)
    .default(65_536)
    .describe(
      'Byte rate cap for backlog and file uploads together (live sign-ins are not held back), bytes/s; 0 = no cap. Default 65536.',
    ),
  uplinkBytesPerSecond: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe(
      "The uplink's capacity, bytes/s (a 1 Mbit/s 4G link: 125000). While a camera push is live, backlog and file uploads take only what the push leaves of it (within county.backfillBytesPerSecond). 0 = unknown: the cap alone holds. Default 0.",
    ),
  backfillFloorBytesPerSecond: z
    .number()
    .int()
    .min(1)
    .default(4096)
    .describe(
      'Byte rate backlog and file uploads keep while a push takes the uplink (never above county.backfillBytesPerSecond), bytes/s, at least 1. Default 4096.',
    ),
  ackTimeoutSeconds: z
    .number()
    .int()
    .min(1)
    .max(3600)
    .default(60)
    .describe(
      'Seconds without the center acknowledging what was sent before it is sent again from the sync cursor. Default 60.',
    ),
  fileSegmentBytes: z
    .number()
    .int()
    .min(1024)
    .max(1_048_576)
    .default(65_536)
    .describe('Bytes per file upload segment. Default 65536.'),
});

/**
 * Plaintext to anything but this machine is refused at config check, before any connection is
 * tried (a password sent once in clear is lost); so are TLS files with a plaintext URL, which
 * mqtt.js would either ignore (a CA) or answer by speaking TLS to the plaintext port (a client
 * certificate), and a reconnect minimum above the maximum. Checked even when other county keys are wrong
 * (`when`), so every problem is reported at once; the section is then unvalidated, hence the
 * defensive reads.
 */
const countySchema = countyFields.superRefine(
  (county, context) => {
    const { url, allowInsecure } = county as { url?: unknown; allowInsecure?: unknown };
    const remote = typeof url === 'string' && allowInsecure !== true ? plaintextRemoteHost(url) : undefined;
    if (remote !== undefined)
      context.addIssue({ code: 'custom', path: ['url'], message: expected('plaintextRemote', remote) });
    const scheme = typeof url === 'string' ? plaintextScheme(url) : undefined;
    if (scheme !== undefined)
      for (const key of ['caFile', 'certFile', 'keyFile'] as const)
        if ((county as Record<string, unknown>)[key] !== undefined)
          context.addIssue({ code: 'custom', path: [key], message: expected('tlsFilesPlaintext', { key, scheme }) });
    // The backoff starts at the minimum and doubles up to the maximum; a minimum above it would
    // leave the cap meaningless and every reconnect as slow as the minimum.
    const { reconnectMinMs: min, reconnectMaxMs: max } = county as {
      reconnectMinMs?: unknown;
      reconnectMaxMs?: unknown;
    };
    if (typeof min === 'number' && typeof max === 'number' && min > max)
      context.addIssue({ code: 'custom', path: ['reconnectMinMs'], message: expected('reconnectOrder', { min, max }) });
  },
  { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
);

const rtspUrl = z.string().regex(/^rtsp:\/\/[^\s]+$/, { error: () => expected('rtspUrl') });

const cameraSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, { error: () => expected('cameraName') })
    .describe('Short camera name, unique in this room. Required.'),
  url: rtspUrl.describe(
    "RTSP URL of the camera's main stream (full quality), with user and password if it needs them; meeting photos are taken from it. Required.",
  ),
  subUrl: rtspUrl
    .optional()
    .describe(
      "RTSP URL of the camera's sub-stream (low bitrate): the live push uses it when set, which suits a 4G uplink. Optional; unset means the push uses url.",
    ),
  transcode: z
    .enum(['off', 'libx264', 'h264_v4l2m2m'])
    .default('off')
    .describe(
      "Re-encode the pushed video: off (copy the camera's H.264 as it is), libx264 (software, a large share of a Raspberry Pi's CPU), h264_v4l2m2m (a Raspberry Pi 4's hardware encoder; a Pi 5 has none). Default off.",
    ),
  stallTimeoutSeconds: z
    .number()
    .int()
    .min(5)
    .max(300)
    .default(20)
    .describe('Seconds without a new frame after which a running push is restarted. Default 20.'),
  maxRestartsPerMinute: z
    .number()
    .int()
    .min(1)
    .max(60)
    .default(6)
    .describe('Most push starts in any minute; further restarts wait. Default 6.'),
  record: z
    .boolean()
    .default(true)
    .describe('Record the main stream during activities that ask for a recording. Default true.'),
  push: z
    .strictObject({
      url: z
        .string()
        .regex(/^(rtmps?|srt):\/\/[^\s]+$/, { error: () => expected('pushUrl') })
        .refine(srtPassphraseFits, { error: () => expected('srtPassphrase') })
        .describe('Where the stream is pushed. Required.'),
      mode: z
        .enum(['activity', 'always', 'on-demand'])
        .default('activity')
        .describe('When the stream is pushed: during activities, always, or when the center asks. Default activity.'),
      onDemandMinutes: z
        .number()
        .int()
        .min(1)
        .max(1440)
        .default(30)
        .describe(
          'Minutes after which a push the center started (camera.stream) stops by itself, so a forgotten one does not use the uplink for ever. Default 30.',
        ),
    })
    .optional()
    .describe('Live push to the county media server. Optional.'),
});

/** Camera-wide media settings; which camera takes the photos is checked against the cameras at the top level. */
const mediaSchema = z.strictObject({
  photoCamera: z
    .string()
    .min(1)
    .optional()
    .describe('Name of the camera that takes the meeting photos (from its main stream). Default the first camera.'),
  photoIntervalMinutes: z
    .number()
    .int()
    .min(1)
    .max(240)
    .default(20)
    .describe(
      'Minutes between meeting photos of an activity without a planned duration (one at the start, then one every interval, the last at the end). Default 20.',
    ),
  probeTimeoutSeconds: z
    .number()
    .int()
    .min(2)
    .max(120)
    .default(10)
    .describe("Seconds ffprobe may take to read a camera's codecs before the attempt counts as failed. Default 10."),
  ffmpegPath: z
    .string()
    .min(1)
    .default('ffmpeg')
    .describe('The ffmpeg program: a name looked up in PATH, or an absolute path. Default ffmpeg.'),
  ffprobePath: z
    .string()
    .min(1)
    .default('ffprobe')
    .describe('The ffprobe program: a name looked up in PATH, or an absolute path. Default ffprobe.'),
  recordingSegmentSeconds: z
    .number()
    .int()
    .min(2)
    .max(3600)
    .default(60)
    .describe(
      'Seconds per segment of a meeting recording: a power cut loses no closed segment, and at most the end of the open one. Default 60.',
    ),
  recordingQuotaBytes: z
    .number()
    .int()
    .min(0)
    .max(1024 ** 5)
    .default(4 * 1024 ** 3)
    .describe(
      'Most bytes of meeting recordings kept on the data directory; above it the oldest uploaded segments are deleted first. Bytes, 0 = no quota. Default 4294967296 (4 GiB).',
    ),
  minFreeBytes: z
    .number()
    .int()
    .min(4 * 1024 * 1024)
    .max(1024 ** 4)
    .default(256 * 1024 * 1024)
    .describe(
      "Free space media leave on the data directory's storage beyond storage.journalReserveBytes: below the two together, uploaded segments are deleted and then recording stops. At least 4194304 (4 MiB: the seconds a recording writes before it is stopped). Bytes. Default 268435456 (256 MiB).",
    ),
});

const logSchema = z.strictObject({
  level: z
    .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
    .default('info')
    .describe('Lowest level written. Default info.'),
  format: z
    .enum(['auto', 'json', 'pretty'])
    .default('auto')
    .describe('auto: pretty on a terminal, JSON lines for journald otherwise. Default auto.'),
});

/**
 * Camera names key stream state and MQTT topics, so two cameras must not share one. Checked even
 * when other camera keys are wrong (`when`), so every problem is reported at once; the entries
 * are then unvalidated, hence the defensive reads.
 */
const camerasSchema = z
  .array(cameraSchema)
  .max(8)
  .superRefine(
    (cameras, context) => {
      const names = cameras.map((camera) => (camera as { name?: unknown } | null)?.name);
      names.forEach((name, index) => {
        if (typeof name === 'string' && names.indexOf(name) < index) {
          context.addIssue({ code: 'custom', path: [index, 'name'], message: expected('duplicateCamera', { name }) });
        }
      });
    },
    { when: (payload) => Array.isArray(payload.value) },
  );

/**
 * media.photoCamera must name a camera of the list. Checked even when other keys are wrong
 * (`when`), so every problem is reported at once; the sections are then unvalidated, hence the
 * defensive reads.
 */
function checkPhotoCamera(config: unknown, context: z.core.$RefinementCtx): void {
  const { media, cameras } = config as { media?: unknown; cameras?: unknown };
  const name = (media as { photoCamera?: unknown } | null | undefined)?.photoCamera;
  if (typeof name !== 'string' || !Array.isArray(cameras)) return;
  const names = cameras.map((camera) => (camera as { name?: unknown } | null)?.name);
  if (names.includes(name)) return;
  const listed = names.filter((known): known is string => typeof known === 'string');
  context.addIssue({
    code: 'custom',
    path: ['media', 'photoCamera'],
    message: expected('unknownPhotoCamera', {
      name,
      names: listed.length === 0 ? expected('noCameras') : listed.join(', '),
    }),
  });
}

export const configSchema = z
  .strictObject({
    version: z.literal(CONFIG_VERSION).describe(`Configuration format version. Current: ${CONFIG_VERSION}. Required.`),
    device: deviceSchema.describe('This room agent.'),
    journal: journalSchema.default(() => journalSchema.parse({})).describe('The local event journal.'),
    storage: storageSchema
      .default(() => storageSchema.parse({}))
      .describe('The storage (SD card) under the data directory.'),
    clock: clockSchema
      .default(() => clockSchema.parse({}))
      .describe('How the agent learns that the system clock is right.'),
    scanner: scannerSchema.default(() => scannerSchema.parse({})).describe('The fingerprint scanner.'),
    feedback: feedbackSchema.default(() => feedbackSchema.parse({})).describe('Light and sound for sign-in results.'),
    county: countySchema.describe('The county center (MQTT broker).'),
    cameras: camerasSchema.default([]).describe('IP cameras of the room, at most 8. Default none.'),
    media: mediaSchema
      .default(() => mediaSchema.parse({}))
      .describe('Meeting photos, and the ffmpeg programs every camera uses.'),
    log: logSchema.default(() => logSchema.parse({})).describe('Logging.'),
  })
  .superRefine(checkPhotoCamera, {
    when: (payload) => typeof payload.value === 'object' && payload.value !== null,
  })
  .describe('room-agent configuration');

export type Config = z.infer<typeof configSchema>;
export type CameraConfig = Config['cameras'][number];
export type ConfigInput = z.input<typeof configSchema>;

/** The camera that takes the meeting photos: media.photoCamera, else the first camera; none without cameras. */
export function photoCameraOf(config: Pick<Config, 'cameras' | 'media'>): CameraConfig | undefined {
  const { photoCamera } = config.media;
  return photoCamera === undefined ? config.cameras[0] : config.cameras.find((camera) => camera.name === photoCamera);
}
