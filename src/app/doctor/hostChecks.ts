import { accessSync, constants, existsSync, readdirSync, readFileSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../config/schema.js';
import { defineMessages } from '../../i18n.js';
import { readOnlyMount } from '../../store/storageError.js';
import { readBoard } from '../../sync/health/board.js';
import { CERTIFICATE_WARNING_DAYS, certificateReport } from '../../sync/health/certificates.js';
import { byteText } from '../../util/byteText.js';
import type { CheckOutcome } from './runner.js';

const t = defineMessages({
  storageOk: {
    zh: '数据目录 {dir} 可写：可用 {free}（保留 {reserve}），{inodes} 个 inode',
    en: 'data folder {dir} writable: {free} free (reserve {reserve}), {inodes} inodes free',
  },
  storageMissing: { zh: '数据目录 {dir} 不存在', en: 'the data folder {dir} does not exist' },
  storageMissingFix: {
    zh: '运行 sudo room-agent provision，或核对 device.dataDir',
    en: 'run sudo room-agent provision, or check device.dataDir',
  },
  readOnly: { zh: '数据目录 {dir} 所在存储为只读', en: 'the data folder {dir} is on read-only storage' },
  readOnlyFix: {
    zh: '存储卡多半已损坏（内核将其改为只读）：请更换存储卡，把旧卡交给县里',
    en: 'the card is most likely failing (the kernel made it read-only): replace the card and hand the old one to the county',
  },
  notWritable: { zh: '数据目录 {dir} 不可写（权限）', en: 'the data folder {dir} is not writable (permissions)' },
  notWritableFix: {
    zh: '把数据目录交给服务用户：sudo chown -R room-agent: {dir}',
    en: 'give the data folder to the service user: sudo chown -R room-agent: {dir}',
  },
  full: {
    zh: '数据目录 {dir} 空间不足：可用 {free}，低于保留的 {reserve}',
    en: 'the data folder {dir} is short of space: {free} free, below the {reserve} reserve',
  },
  fullFix: {
    zh: '腾出空间（删除不属于 room-agent 的文件）或换用更大的存储卡',
    en: 'free space (remove files that are not room-agent’s) or use a larger card',
  },
  noInodes: {
    zh: '数据目录 {dir} 的 inode 已用尽（剩 {inodes} 个）',
    en: 'the data folder {dir} is out of inodes ({inodes} left)',
  },
  noInodesFix: {
    zh: '删除大量小文件（不属于 room-agent 的），或重新格式化存储卡',
    en: 'remove the many small files that are not room-agent’s, or reformat the card',
  },
  clockOk: { zh: '时钟已同步{source}', en: 'clock synchronised{source}' },
  clockSource: { zh: '（NTP 服务器 {server}）', en: ' (NTP server {server})' },
  clockUnsynced: {
    zh: '时钟未同步（{flag} 不存在）{source}',
    en: 'clock not synchronised ({flag} absent){source}',
  },
  clockFix: {
    zh: '检查网络能否访问 NTP 服务器：timedatectl timesync-status；必要时在 /etc/systemd/timesyncd.conf 设置 NTP=',
    en: 'check that the NTP server can be reached: timedatectl timesync-status; set NTP= in /etc/systemd/timesyncd.conf if needed',
  },
  boardNa: {
    zh: '供电与降频：本机没有树莓派固件的标志',
    en: 'power and throttling: no Raspberry Pi firmware flags here',
  },
  boardOk: { zh: '供电正常，未降频（get_throttled={hex}）', en: 'power good, no throttling (get_throttled={hex})' },
  boardBad: {
    zh: '供电或温度问题（get_throttled={hex}）：{flags}',
    en: 'power or heat trouble (get_throttled={hex}): {flags}',
  },
  boardFix: {
    zh: '换用 5.1V/3A 的原装电源和短而粗的电源线；降频则改善散热（散热片、风扇、通风）',
    en: 'use the official 5.1 V 3 A supply and a short, thick cable; for throttling improve cooling (heatsink, fan, airflow)',
  },
  now: { zh: '现在', en: 'now' },
  sinceBoot: { zh: '开机以来', en: 'since boot' },
  underVoltage: { zh: '欠压', en: 'under-voltage' },
  freqCapped: { zh: '频率受限', en: 'frequency capped' },
  throttled: { zh: '降频', en: 'throttled' },
  softTemp: { zh: '温度软限制', en: 'soft temperature limit' },
  watchdogNa: { zh: '硬件看门狗：本机没有', en: 'hardware watchdog: none on this machine' },
  watchdogOk: {
    zh: '硬件看门狗 {name}（{identity}）已启用，超时 {timeout} 秒',
    en: 'hardware watchdog {name} ({identity}) active, timeout {timeout} s',
  },
  watchdogIdle: {
    zh: '硬件看门狗 {name}（{identity}）未启用：系统死机时不会自动重启',
    en: 'hardware watchdog {name} ({identity}) inactive: a hung system is not restarted',
  },
  watchdogFix: {
    zh: '在 /etc/systemd/system.conf 设置 RuntimeWatchdogSec=15，然后重启',
    en: 'set RuntimeWatchdogSec=15 in /etc/systemd/system.conf, then reboot',
  },
  gpioNa: {
    zh: 'GPIO：未使用（feedback.gpio 为 false 或未配置引脚）',
    en: 'GPIO: not used (feedback.gpio false or no pins)',
  },
  gpioOk: { zh: 'GPIO 引脚：{pins}', en: 'GPIO lines: {pins}' },
  gpioMissing: {
    zh: 'GPIO 引脚已配置（{pins}），但本机没有 GPIO 控制器（{dev}/gpiochip*）',
    en: 'GPIO lines configured ({pins}) but this machine has no GPIO controller ({dev}/gpiochip*)',
  },
  gpioFix: {
    zh: '在没有 GPIO 的机器上设置 feedback.gpio: false',
    en: 'on a machine without GPIO set feedback.gpio: false',
  },
  certNa: { zh: '客户端证书：未使用（没有 county.certFile）', en: 'client certificate: none (no county.certFile)' },
  certOk: { zh: '客户端证书有效至 {date}', en: 'client certificate valid until {date}' },
  certBad: { zh: '证书问题：{warnings}', en: 'certificate trouble: {warnings}' },
  certFix: {
    zh: '向县里申请新证书，替换 county.certFile / county.keyFile（{days} 天内到期即须更换）',
    en: 'ask the county for a new certificate and replace county.certFile / county.keyFile (due within {days} days)',
  },
});

/** Where the host's facts are read: tests point these at fixtures of their own. */
export interface HostRoots {
  /** sysfs: the board's flags, the watchdogs. Default /sys. */
  sysRoot: string;
  /** Device nodes: the GPIO controllers. Default /dev. */
  devRoot: string;
}

/** The data folder: there, writable, not read-only, space above the journal's reserve, inodes. */
export function storageCheck(config: Config): CheckOutcome {
  const dir = config.device.dataDir;
  const reserve = config.storage.journalReserveBytes;
  if (!existsSync(dir)) return { status: 'fail', text: t('storageMissing', { dir }), fix: t('storageMissingFix') };
  if (readOnlyMount(dir)) return { status: 'fail', text: t('readOnly', { dir }), fix: t('readOnlyFix') };
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    return { status: 'fail', text: t('notWritable', { dir }), fix: t('notWritableFix', { dir }) };
  }
  const stats = statfsSync(dir);
  const free = stats.bavail * stats.bsize;
  const params = { dir, free: byteText(free), reserve: byteText(reserve), inodes: stats.ffree };
  if (free < reserve) return { status: 'fail', text: t('full', params), fix: t('fullFix') };
  // A file system without inode accounting (some report 0 files in all) is not short of them.
  if (stats.files > 0 && stats.ffree < MIN_FREE_INODES)
    return { status: 'fail', text: t('noInodes', params), fix: t('noInodesFix') };
  return { status: 'ok', text: t('storageOk', params) };
}

/** A day of photos and segments needs a few hundred files; fewer free than this is a card about to refuse. */
const MIN_FREE_INODES = 1000;

/** timesyncd's flag, and the NTP server it talks to when `timedatectl` can say. */
export function clockCheck(flagPath: string, ntpServer: string | undefined): CheckOutcome {
  const source = ntpServer === undefined ? '' : t('clockSource', { server: ntpServer });
  if (existsSync(flagPath)) return { status: 'ok', text: t('clockOk', { source }) };
  return { status: 'fail', text: t('clockUnsynced', { flag: flagPath, source }), fix: t('clockFix') };
}

/** get_throttled bits: 0–3 the state now, 16–19 the same conditions since boot. */
const THROTTLE_BITS = [
  { bit: 0x1, name: 'underVoltage' },
  { bit: 0x2, name: 'freqCapped' },
  { bit: 0x4, name: 'throttled' },
  { bit: 0x8, name: 'softTemp' },
] as const;

/** The words for get_throttled's bits: each condition now, then since boot. */
export function throttleFlags(value: number): string[] {
  const flags: string[] = [];
  for (const [shift, when] of [
    [0, 'now'],
    [16, 'sinceBoot'],
  ] as const)
    for (const { bit, name } of THROTTLE_BITS)
      if ((value & (bit << shift)) !== 0) flags.push(`${t(name)} (${t(when)})`);
  return flags;
}

export function boardCheck(config: Config, roots: HostRoots): CheckOutcome {
  const value = readBoard({ dataDir: config.device.dataDir, sysRoot: roots.sysRoot }).throttled;
  if (value === null) return { status: 'na', text: t('boardNa') };
  const hex = `0x${value.toString(16)}`;
  const flags = throttleFlags(value);
  if (flags.length === 0) return { status: 'ok', text: t('boardOk', { hex }) };
  return { status: 'fail', text: t('boardBad', { hex, flags: flags.join(', ') }), fix: t('boardFix') };
}

function readSys(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * The hardware watchdogs as sysfs describes them. /dev/watchdog is never opened: opening it arms
 * the watchdog, and a doctor that exits without the magic close would reboot the room.
 */
export function watchdogCheck(roots: HostRoots): CheckOutcome[] {
  const dir = join(roots.sysRoot, 'class/watchdog');
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    names = [];
  }
  if (names.length === 0) return [{ status: 'na', text: t('watchdogNa') }];
  return names.map((name) => {
    const params = {
      name,
      identity: readSys(join(dir, name, 'identity')) ?? '?',
      timeout: readSys(join(dir, name, 'timeout')) ?? '?',
    };
    return readSys(join(dir, name, 'state')) === 'active'
      ? { id: `watchdog:${name}`, status: 'ok' as const, text: t('watchdogOk', params) }
      : { id: `watchdog:${name}`, status: 'fail' as const, text: t('watchdogIdle', params), fix: t('watchdogFix') };
  });
}

/** The feedback pins the configuration names, and whether the machine has a GPIO controller for them. */
export function gpioCheck(config: Config, roots: HostRoots): CheckOutcome {
  const { gpio, greenLed, redLed, buzzer, enrollButton } = config.feedback;
  const named = Object.entries({ greenLed, redLed, buzzer, enrollButton }).filter(([, pin]) => pin !== undefined);
  if (!gpio || named.length === 0) return { status: 'na', text: t('gpioNa') };
  const pins = named.map(([name, pin]) => `${name}=${pin}`).join(', ');
  let chips: string[];
  try {
    chips = readdirSync(roots.devRoot).filter((name) => name.startsWith('gpiochip'));
  } catch {
    chips = [];
  }
  if (chips.length === 0)
    return { status: 'fail', text: t('gpioMissing', { pins, dev: roots.devRoot }), fix: t('gpioFix') };
  return { status: 'ok', text: t('gpioOk', { pins }) };
}

/** The client certificate's expiry, and any CA about to expire: ✘ within 30 days. */
export function certificateCheck(config: Config, nowMs: number): CheckOutcome {
  const { caFile, certFile } = config.county;
  if (certFile === undefined && caFile === undefined) return { status: 'na', text: t('certNa') };
  const report = certificateReport({ caFile, certFile }, nowMs);
  if (report.warnings.length > 0)
    return {
      status: 'fail',
      text: t('certBad', { warnings: report.warnings.join('; ') }),
      fix: t('certFix', { days: CERTIFICATE_WARNING_DAYS }),
    };
  if (report.certExpiresAt === null) return { status: 'na', text: t('certNa') };
  return { status: 'ok', text: t('certOk', { date: report.certExpiresAt.slice(0, 10) }) };
}
