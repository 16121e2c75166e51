import { requestControl } from '../../app/cliBackend.js';
import { AgentError, ErrorCode, ExitCode } from '../../errors.js';
import { defineMessages } from '../../i18n.js';
import { confirmResultSchema, scannerInfoSchema } from '../../scanner/methods.js';
import { parseCommandArgs } from '../args.js';
import type { CliCommand } from '../command.js';
import { configOptions, inspectConfigForCli } from '../configOption.js';
import { requireOperator } from './memberArgs.js';

const t = defineMessages({
  state: { zh: '扫描仪：{state}（驱动 {driver}）{detail}', en: 'scanner: {state} (driver {driver}){detail}' },
  module: {
    zh: '模块：{model}，{capacity} 个槽位，{baud} 波特，已存 {enrolled} 个模板',
    en: 'module: {model}, {capacity} slots, {baud} baud, {enrolled} templates stored',
  },
  disabled: { zh: '已停用', en: 'disabled' },
  connecting: { zh: '正在连接', en: 'connecting' },
  connected: { zh: '已连接', en: 'connected' },
  disconnected: { zh: '已断开', en: 'disconnected' },
  refused: { zh: '已拒绝（模块未获信任）', en: 'refused' },
  noModule: { zh: '模块：未连接', en: 'module: not connected' },
  unknownCount: { zh: '（未知）', en: '(unknown)' },
  fingers: { zh: '名册登记的手指：{count}', en: 'fingers on the roster: {count}' },
  binding: {
    zh: '绑定：{family} 模块，令牌指纹 {hash}（日志 seq {seq}）',
    en: 'bound to: {family} module, token hash {hash} (journal seq {seq})',
  },
  noBinding: {
    zh: '绑定：尚无（首个连接的模块将自动绑定）',
    en: 'bound to: nothing yet (the first module connected is bound automatically)',
  },
  confirmed: {
    zh: '已确认并绑定新模块：{model}，{capacity} 个槽位（令牌指纹 {hash}）。',
    en: 'Confirmed and bound the new module: {model}, {capacity} slots (token hash {hash}).',
  },
  reenroll: {
    zh: '名册中有 {count} 根手指的模板在旧模块上，新模块不认识它们：请重新录入这些成员（room-agent enroll），或用 room-agent scanner restore 把备份写入新模块。',
    en: 'The roster has {count} fingers whose templates were on the old module and do not match on the new one: re-enroll those members (room-agent enroll) or write the backups into the new module with room-agent scanner restore.',
  },
  emulateUsage: {
    zh: '用法：room-agent scanner emulate place 手指名 | lift',
    en: 'usage: room-agent scanner emulate place FINGER | lift',
  },
  placed: { zh: '已在模拟传感器上放置手指 {finger}', en: 'placed finger {finger} on the emulated sensor' },
  lifted: { zh: '已从模拟传感器上抬起手指', en: 'lifted the finger from the emulated sensor' },
});

/** Confirming waits for the module to be connected and written: longer than an ordinary request. */
const CONFIRM_TIMEOUT_MS = 60_000;

const infoCommand: CliCommand = {
  path: ['scanner', 'info'],
  synopsis: '[--json] [--config FILE] [--data-dir DIR]',
  summary: {
    zh: '显示指纹模块的状态、型号、容量、已存模板数与绑定',
    en: 'show the fingerprint module: state, model, capacity, stored templates and binding',
  },
  async run(args) {
    const { values } = parseCommandArgs('scanner info', args, { ...configOptions, json: { type: 'boolean' } });
    const info = scannerInfoSchema.parse(
      await requestControl(inspectConfigForCli(values), 'scanner.info', {}, { timeoutMs: 30_000 }),
    );
    if (values.json) {
      process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
      return ExitCode.Ok;
    }
    // A disabled scanner's detail only repeats the driver the line already names.
    const quiet = info.detail === '' || info.state === 'connected' || info.state === 'disabled';
    const lines = [t('state', { state: t(info.state), driver: info.driver, detail: quiet ? '' : ` — ${info.detail}` })];
    const { module } = info;
    lines.push(
      module === null
        ? t('noModule')
        : t('module', {
            model: module.model,
            capacity: module.capacity,
            baud: module.baudRate,
            enrolled: info.enrolled ?? t('unknownCount'),
          }),
    );
    lines.push(t('fingers', { count: info.fingersRecorded }));
    const { binding } = info;
    lines.push(
      binding === null
        ? t('noBinding')
        : t('binding', { family: binding.family, hash: binding.tokenHash, seq: binding.boundSeq }),
    );
    process.stdout.write(`${lines.join('\n')}\n`);
    return ExitCode.Ok;
  },
};

const confirmCommand: CliCommand = {
  path: ['scanner', 'confirm'],
  synopsis: '--operator NAME [--config FILE] [--data-dir DIR]',
  summary: {
    zh: '技术员确认更换后的指纹模块：绑定新模块，恢复签到',
    en: 'a technician accepts a replaced fingerprint module: binds it and lets sign-ins resume',
  },
  async run(args) {
    const { values } = parseCommandArgs('scanner confirm', args, { ...configOptions, operator: { type: 'string' } });
    const operator = requireOperator('scanner confirm', values.operator);
    const result = confirmResultSchema.parse(
      await requestControl(
        inspectConfigForCli(values),
        'scanner.confirm',
        { operator },
        { timeoutMs: CONFIRM_TIMEOUT_MS },
      ),
    );
    process.stdout.write(
      `${t('confirmed', { model: result.model, capacity: result.capacity, hash: result.tokenHash })}\n`,
    );
    if (result.fingersRecorded > 0) process.stdout.write(`${t('reenroll', { count: result.fingersRecorded })}\n`);
    return ExitCode.Ok;
  },
};

const emulateCommand: CliCommand = {
  path: ['scanner', 'emulate'],
  synopsis: 'place FINGER | lift [--config FILE] [--data-dir DIR]',
  summary: {
    zh: '无硬件演示（scanner.driver emulator）：在模拟传感器上放置或抬起手指',
    en: 'no-hardware demo (scanner.driver emulator): place a finger on the emulated sensor, or lift it',
  },
  async run(args) {
    const { values, positionals } = parseCommandArgs('scanner emulate', args, configOptions, true);
    const [action, finger, ...extra] = positionals;
    const placing = action === 'place' && finger !== undefined && extra.length === 0;
    const lifting = action === 'lift' && finger === undefined;
    if (!placing && !lifting) throw new AgentError(ErrorCode.UsageError, t('emulateUsage'));
    const loaded = inspectConfigForCli(values);
    await requestControl(loaded, placing ? 'emulator.place' : 'emulator.lift', placing ? { finger } : {});
    process.stdout.write(`${placing ? t('placed', { finger: finger }) : t('lifted')}\n`);
    return ExitCode.Ok;
  },
};

export const scannerCommands: readonly CliCommand[] = [infoCommand, confirmCommand, emulateCommand];
