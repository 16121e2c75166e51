import { defineMessages } from '../i18n.js';

/**
 * Scanner errors a technician reads in the CLI or the status output; driver names, paths, finger
 * names and config keys stay as they are in both languages.
 */
export const scannerText = defineMessages({
  noModuleForDriver: {
    zh: '{purpose}：scanner.driver 为 {driver}，没有可用的指纹模块',
    en: '{purpose}: scanner.driver is {driver}: there is no fingerprint module to use',
  },
  serviceNotRunning: { zh: '{purpose}：扫描仪服务未运行', en: '{purpose}: the scanner service is not running' },
  emulatorNeedsDriver: {
    zh: 'scanner.driver 为 {driver}：模拟器命令需要 scanner.driver emulator',
    en: 'scanner.driver is {driver}: the emulator commands need scanner.driver emulator',
  },
  emulatorNeedsDaemon: {
    zh: '没有运行中的守护进程：模拟模块在守护进程内；请用 room-agent run 启动',
    en: 'no daemon is running: the emulated module lives in the daemon; start it with room-agent run',
  },
  emulatorNotRunning: { zh: '模拟器未运行（见守护进程日志）', en: 'the emulator is not running (see the daemon log)' },
  emulatorNotInstalled: {
    zh: 'scanner.driver：emulator 需要指纹模块模拟器，但本机未安装：它属于 {package} 软件包（sudo apt install {package}）；活动室设备请把 scanner.driver 设为模块的驱动（r30x、gt521 或 hid-keyboard）',
    en: "scanner.driver: emulator needs the fingerprint module emulator, which is not installed on this machine: it is in the {package} package (sudo apt install {package}); a room device sets scanner.driver to its module's driver (r30x, gt521 or hid-keyboard)",
  },
  emulatorNoPython: {
    zh: 'scanner.driver emulator 需要 python3，但它未安装（apt install python3）',
    en: 'scanner.driver emulator needs python3, which is not installed (apt install python3)',
  },
  emulatorNotReady: {
    zh: '模拟器在 {seconds} 秒内没有报告就绪',
    en: 'the emulator did not report ready within {seconds} s',
  },
  emulatorExited: { zh: '模拟器已退出（代码 {code}）', en: 'the emulator exited (code {code})' },
  emulatorCannotStart: { zh: '无法启动模拟器：{reason}', en: 'cannot start the emulator: {reason}' },
  emulatorRefused: { zh: '模拟器拒绝了请求：{reason}', en: 'the emulator refused the request: {reason}' },
  noReason: { zh: '未说明原因', en: 'no reason given' },
  emulatorStopped: { zh: '模拟器未运行', en: 'the emulator is not running' },
  emulatorSilent: {
    zh: '模拟器在 {seconds} 秒内没有回应 {command}',
    en: 'the emulator did not answer {command} within {seconds} s',
  },
  secretsUnreadable: { zh: '无法读取 {file}：{reason}', en: 'cannot read {file}: {reason}' },
  secretsMissing: {
    zh: '{file} 处还没有扫描仪密钥；room-agent run 首次启动时会创建它们',
    en: 'there are no scanner secrets at {file} yet; room-agent run creates them on its first start',
  },
  secretsNotJson: { zh: '{file} 不是 JSON；请从备份恢复', en: '{file} is not JSON; restore it from the backup' },
  secretsDamaged: {
    zh: '{file} 已损坏（字段 {fields} 有误）；请从备份恢复',
    en: '{file} is damaged (bad {fields}); restore it from the backup',
  },
  wholeFile: { zh: '（整个文件）', en: '(the whole file)' },
});
