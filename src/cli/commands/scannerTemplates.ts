import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { requestControl, requestStandalone } from '../../app/cliBackend.js';
import { AgentError, ErrorCode, ExitCode, isAgentError } from '../../errors.js';
import { defineMessages } from '../../i18n.js';
import { backupDocumentSchema } from '../../templates/backupFile.js';
import { restoreResultSchema, wipeResultSchema } from '../../templates/methods.js';
import { writeFileAtomic } from '../../util/atomicWrite.js';
import { parseCommandArgs } from '../args.js';
import { fileProblem } from '../../util/fileProblem.js';
import type { CliCommand } from '../command.js';
import { configOptions, inspectConfigForCli } from '../configOption.js';
import { requireOperator } from './memberArgs.js';

const t = defineMessages({
  needOut: { zh: 'scanner backup：需要 --out 文件', en: 'scanner backup: --out FILE is required' },
  wrote: {
    zh: '已将 {count} 个模板备份写入 {file}（权限 0600）。备份以本设备的模板密钥加密，只能在本设备上恢复',
    en: 'Wrote the template backups ({count}) to {file} (mode 0600). They are encrypted with this device’s template key and restore only on this device',
  },
  cantWrite: { zh: 'scanner backup：无法写入 {file}：{reason}', en: 'scanner backup: cannot write {file}: {reason}' },
  cantRead: { zh: 'scanner restore：无法读取 {file}：{reason}', en: 'scanner restore: cannot read {file}: {reason}' },
  notJson: { zh: 'scanner restore：{file} 不是 JSON：{reason}', en: 'scanner restore: {file} is not JSON: {reason}' },
  fileNeedsStandalone: {
    zh: '从文件恢复需要先停止守护进程（systemctl stop room-agent）：守护进程无法读取您的文件。或者不加 --from，从本设备自己的备份恢复',
    en: 'restoring from a file needs the daemon stopped (systemctl stop room-agent): the daemon cannot read your files. Or leave out --from to restore from this device’s own backups',
  },
  restored: {
    zh: '已将 {count} 个模板写回模块（{family}，{size} 字节）并核对无误（日志 seq {seq}）',
    en: 'Restored the backed-up templates ({count}, {family}, {size} bytes each) into the module and checked the count (journal seq {seq})',
  },
  skipped: {
    zh: '跳过槽位 {slot}（成员 {memberId}）：{reason}',
    en: 'skipped slot {slot} (member {memberId}): {reason}',
  },
  'not-on-roster': { zh: '该成员已不在名册中', en: 'the member is no longer on the roster' },
  'slot-taken': { zh: '该槽位现属于另一根手指', en: 'the slot now belongs to another finger' },
  'finger-elsewhere': { zh: '这根手指现录在另一槽位', en: 'this finger is now enrolled in another slot' },
  needYes: {
    zh: 'scanner wipe：会清空模块中的全部模板；确认请加 --yes（备份保留，可用 scanner restore 恢复）',
    en: 'scanner wipe empties every template on the module; add --yes to confirm (the backups are kept for scanner restore)',
  },
  wiped: {
    zh: '模块已清空（原有 {cleared} 个模板）；本设备保留 {backups} 个备份，可用 room-agent scanner restore 恢复（日志 seq {seq}）',
    en: 'The module is empty (templates cleared: {cleared}); the backups ({backups}) stay on this device for room-agent scanner restore (journal seq {seq})',
  },
});

/** Writing many templates into a module takes a while (a few hundred ms each over UART). */
const MODULE_TIMEOUT_MS = 5 * 60_000;

const backupCommand: CliCommand = {
  path: ['scanner', 'backup'],
  synopsis: '--out FILE [--config FILE] [--data-dir DIR]',
  summary: {
    zh: '把本设备的加密模板备份写入文件（只能在本设备上恢复）',
    en: "write this device's encrypted template backups to a file (restores only on this device)",
  },
  async run(args) {
    const { values } = parseCommandArgs('scanner backup', args, { ...configOptions, out: { type: 'string' } });
    if (values.out === undefined) throw new AgentError(ErrorCode.UsageError, t('needOut'));
    const document = backupDocumentSchema.parse(
      await requestControl(inspectConfigForCli(values), 'scanner.backup', {}),
    );
    try {
      writeFileAtomic(values.out, `${JSON.stringify(document, null, 2)}\n`, 0o600);
    } catch (error) {
      if (!isAgentError(error, ErrorCode.StorageWrite)) throw error;
      process.stderr.write(
        `room-agent: ${t('cantWrite', { file: values.out, reason: fileProblem(error, 'create') })}\n`,
      );
      return ExitCode.CantCreate;
    }
    process.stdout.write(`${t('wrote', { count: document.entries.length, file: values.out })}\n`);
    return ExitCode.Ok;
  },
};

/** The backup file as the CLI read it; the daemon could not (its sandbox hides home directories). */
function readBackupFile(file: string): { file: string; document: unknown } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new AgentError(
      ErrorCode.InputUnreadable,
      t('cantRead', { file, reason: fileProblem(error, 'read') }),
      { file },
      { cause: error },
    );
  }
  try {
    return { file, document: JSON.parse(text) as unknown };
  } catch (error) {
    throw new AgentError(ErrorCode.BackupUnreadable, t('notJson', { file, reason: (error as Error).message }), {
      file,
    });
  }
}

const restoreCommand: CliCommand = {
  path: ['scanner', 'restore'],
  synopsis: '[--from FILE] --operator NAME [--config FILE] [--data-dir DIR]',
  summary: {
    zh: '把备份的模板写入空模块（新模块或清空后的模块）并核对数量',
    en: 'write the backed-up templates into an empty module (a new one, or after a wipe) and check the count',
  },
  async run(args) {
    const { values } = parseCommandArgs('scanner restore', args, {
      ...configOptions,
      from: { type: 'string' },
      operator: { type: 'string' },
    });
    const operator = requireOperator('scanner restore', values.operator);
    const loaded = inspectConfigForCli(values);
    const options = { timeoutMs: MODULE_TIMEOUT_MS };
    const from = values.from;
    const answer =
      from === undefined
        ? await requestControl(loaded, 'scanner.restore', { operator }, options)
        : await requestStandalone(
            loaded,
            'scanner.restore',
            () => ({ operator, backup: readBackupFile(resolve(from)) }),
            t('fileNeedsStandalone'),
            options,
          );
    const result = restoreResultSchema.parse(answer);
    for (const entry of result.skipped) {
      const reason = t(entry.reason);
      process.stdout.write(`${t('skipped', { slot: entry.slot, memberId: entry.memberId, reason })}\n`);
    }
    process.stdout.write(
      `${t('restored', { count: result.slots.length, family: result.moduleFamily, size: result.templateSize, seq: result.seq })}\n`,
    );
    return ExitCode.Ok;
  },
};

const wipeCommand: CliCommand = {
  path: ['scanner', 'wipe'],
  synopsis: '--operator NAME --yes [--config FILE] [--data-dir DIR]',
  summary: {
    zh: '清空模块中的全部模板（保留备份，以便恢复）',
    en: 'empty every template on the module (the backups are kept for a restore)',
  },
  async run(args) {
    const { values } = parseCommandArgs('scanner wipe', args, {
      ...configOptions,
      operator: { type: 'string' },
      yes: { type: 'boolean' },
    });
    const operator = requireOperator('scanner wipe', values.operator);
    if (values.yes !== true) throw new AgentError(ErrorCode.UsageError, t('needYes'));
    const result = wipeResultSchema.parse(
      await requestControl(inspectConfigForCli(values), 'scanner.wipe', { operator }, { timeoutMs: MODULE_TIMEOUT_MS }),
    );
    process.stdout.write(`${t('wiped', { cleared: result.cleared, backups: result.backups, seq: result.seq })}\n`);
    return ExitCode.Ok;
  },
};

export const scannerTemplateCommands: readonly CliCommand[] = [backupCommand, restoreCommand, wipeCommand];
