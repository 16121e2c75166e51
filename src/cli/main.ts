#!/usr/bin/env node
import { isConfigError } from '../config/configError.js';
import { isDriverError } from '../../drivers/common/errors.js';
import { AgentError, ErrorCode, ExitCode, isAgentError } from '../errors.js';
import { agentErrorFromDriver } from '../scanner/driverFault.js';
import { defineMessages, language, setLanguage } from '../i18n.js';
import type { CliCommand } from './command.js';
import { exitCodeFor } from './exitCode.js';
import { centerPackageCommand } from './optionalCommands.js';
import { activityCommands } from './commands/activity.js';
import { centerHeads, demoHead } from './commands/centerHeads.js';
import { configCommands } from './commands/config.js';
import { doctorCommand } from './commands/doctor.js';
import { enrollCommand } from './commands/enroll.js';
import { fileCommands } from './commands/files.js';
import { journalCommands } from './commands/journal.js';
import { memberCommands } from './commands/members.js';
import { noteCommand } from './commands/note.js';
import { provisionCommand } from './commands/provision.js';
import { runCommand } from './commands/run.js';
import { scannerCommands } from './commands/scanner.js';
import { scannerTemplateCommands } from './commands/scannerTemplates.js';
import { signInCommands } from './commands/signin.js';
import { statusCommand } from './commands/status.js';

/** The center's commands, from the room-agent-center package: loaded only when one runs. */
const centerCommand = (name: keyof typeof centerHeads): CliCommand =>
  centerPackageCommand(centerHeads[name], async () => (await import('./commands/center.js')).centerCommands[name]);

const COMMANDS: readonly CliCommand[] = [
  runCommand,
  provisionCommand,
  centerPackageCommand(demoHead, async () => (await import('./commands/demo.js')).demoCommand),
  statusCommand,
  doctorCommand,
  ...configCommands,
  ...journalCommands,
  ...activityCommands,
  noteCommand,
  ...memberCommands,
  enrollCommand,
  ...scannerTemplateCommands,
  ...scannerCommands,
  ...signInCommands,
  ...fileCommands,
  centerCommand('center'),
  centerCommand('send'),
  centerCommand('recordings'),
  centerCommand('keygen'),
];

const t = defineMessages({
  usage: { zh: '用法', en: 'Usage' },
  commands: { zh: '命令', en: 'Commands' },
  unknown: {
    zh: '未知命令 "{name}"。运行 room-agent help 查看全部命令。',
    en: 'unknown command "{name}". Run room-agent help for the list.',
  },
  langFlag: { zh: '--lang 只能是 zh 或 en', en: '--lang must be zh or en' },
  internal: { zh: '内部错误', en: 'internal error' },
});

function findCommand(argv: string[]): { command: CliCommand; rest: string[] } | undefined {
  const byLength = [...COMMANDS].sort((a, b) => b.path.length - a.path.length);
  for (const command of byLength) {
    if (command.path.every((word, index) => argv[index] === word)) {
      return { command, rest: argv.slice(command.path.length) };
    }
  }
  return undefined;
}

function helpText(): string {
  const lines = [`${t('usage')}: room-agent [--lang zh|en] <command> …`, '', `${t('commands')}:`];
  for (const command of COMMANDS) {
    lines.push(`  room-agent ${command.path.join(' ')} ${command.synopsis}`.trimEnd());
    lines.push(`      ${command.summary[language()]}`);
  }
  return lines.join('\n');
}

/** Pulls the global --lang flag out of argv wherever it stands. */
function extractLanguage(argv: string[]): string[] {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = arg === '--lang' ? argv[++i] : arg.startsWith('--lang=') ? arg.slice('--lang='.length) : undefined;
    if (value === undefined && arg !== '--lang') {
      rest.push(arg);
      continue;
    }
    if (value !== 'zh' && value !== 'en') throw new AgentError(ErrorCode.UsageError, t('langFlag'));
    setLanguage(value);
  }
  return rest;
}

export async function main(rawArgv: string[]): Promise<number> {
  let argv = rawArgv;
  try {
    argv = extractLanguage(rawArgv);
    if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
      process.stdout.write(`${helpText()}\n`);
      return argv.length === 0 ? ExitCode.Usage : ExitCode.Ok;
    }
    const found = findCommand(argv);
    if (found === undefined) {
      process.stderr.write(`room-agent: ${t('unknown', { name: argv.join(' ') })}\n`);
      return ExitCode.Usage;
    }
    return await found.command.run(found.rest);
  } catch (error) {
    // Exactly one line per problem, nothing around them: technicians and tests read these lines.
    if (isConfigError(error)) {
      process.stderr.write(error.problems.map((problem) => `${problem}\n`).join(''));
      return ExitCode.Config;
    }
    if (isAgentError(error, ErrorCode.UsageError)) {
      process.stderr.write(`room-agent: ${error.message}\n`);
      return ExitCode.Usage;
    }
    if (isAgentError(error)) {
      process.stderr.write(`room-agent: ${error.message}\n`);
      return exitCodeFor(error.code);
    }
    // A module fault is the technician's to handle, not a bug: never shown as an internal error.
    if (isDriverError(error)) {
      const failure = agentErrorFromDriver(argv[0] ?? 'room-agent', error);
      process.stderr.write(`room-agent: ${failure.message}\n`);
      return exitCodeFor(failure.code);
    }
    process.stderr.write(`room-agent: ${t('internal')}: ${(error as Error)?.stack ?? String(error)}\n`);
    return ExitCode.InternalFault;
  }
}

const exitCode = await main(process.argv.slice(2));
// `run` resolves only once the daemon has stopped, so exiting here never cuts work short.
process.exitCode = exitCode;
