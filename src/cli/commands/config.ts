import { ConfigError } from '../../config/configError.js';
import { configJsonSchemaText } from '../../config/jsonSchema.js';
import { AgentError, ErrorCode, ExitCode } from '../../errors.js';
import { defineMessages } from '../../i18n.js';
import { emulatorNotInstalledText, installedEmulatorScript } from '../../scanner/emulatorProcess.js';
import { parseCommandArgs } from '../args.js';
import type { CliCommand } from '../command.js';
import { configOptions, inspectConfigForCli } from '../configOption.js';

const t = defineMessages({
  ok: { zh: '配置正确：{file}', en: 'configuration OK: {file}' },
  willRevert: {
    zh: '下次启动时将撤销远程覆盖配置：{reason}',
    en: 'the next start reverts the remote override: {reason}',
  },
  willMigrate: {
    zh: '{file} 是第 {from} 版格式；room-agent run 会把它迁移到第 {to} 版并保留备份',
    en: '{file} is format version {from}; room-agent run migrates it to version {to} and keeps a backup',
  },
  twoFiles: {
    zh: 'config check：文件只能用 FILE 或 --config 之一给出',
    en: 'config check: give the file as FILE or --config, not both',
  },
});

/**
 * Checks a configuration exactly as `run` would load it, without starting anything or changing
 * any file: the same problem lines on stderr and exit 78 (printed by main.ts), or one OK line.
 */
const checkCommand: CliCommand = {
  path: ['config', 'check'],
  synopsis: '[FILE | --config FILE] [--data-dir DIR]',
  summary: { zh: '检查配置文件，不启动守护进程', en: 'check a configuration file without starting the daemon' },
  run(args) {
    const { values, positionals } = parseCommandArgs('config check', args, configOptions, true);
    if (positionals.length > 1 || (positionals.length === 1 && values.config !== undefined)) {
      throw new AgentError(ErrorCode.UsageError, t('twoFiles'));
    }
    const inspected = inspectConfigForCli({ ...values, config: positionals[0] ?? values.config });
    // Valid anywhere, but on a room's device (no room-agent-center) the daemon could never start.
    if (inspected.config.scanner.driver === 'emulator' && installedEmulatorScript() === undefined) {
      throw new ConfigError(ErrorCode.ConfigInvalid, [emulatorNotInstalledText()]);
    }
    const lines = [t('ok', { file: inspected.path })];
    if (inspected.migrated) lines.push(t('willMigrate', { file: inspected.path, ...inspected.migrated }));
    if (inspected.reverted) lines.push(t('willRevert', { reason: inspected.reverted.reason }));
    process.stdout.write(`${lines.join('\n')}\n`);
    return ExitCode.Ok;
  },
};

const schemaCommand: CliCommand = {
  path: ['config', 'schema'],
  synopsis: '',
  summary: {
    zh: '输出配置文件的 JSON Schema（供编辑器使用）',
    en: 'print the JSON Schema of the configuration file (for editors)',
  },
  run(args) {
    parseCommandArgs('config schema', args, {});
    process.stdout.write(configJsonSchemaText());
    return ExitCode.Ok;
  },
};

export const configCommands: CliCommand[] = [checkCommand, schemaCommand];
