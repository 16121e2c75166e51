import { userInfo } from 'node:os';
import { requestControl } from '../../app/cliBackend.js';
import { noteResultSchema } from '../../journal/methods.js';
import { AgentError, ErrorCode, ExitCode } from '../../errors.js';
import { defineMessages } from '../../i18n.js';
import { parseCommandArgs } from '../args.js';
import type { CliCommand } from '../command.js';
import { configOptions, inspectConfigForCli } from '../configOption.js';

const t = defineMessages({
  needText: {
    zh: 'note: 需要备注内容，例如 room-agent note "更换了指纹模块"',
    en: 'note: the note text is required, e.g. room-agent note "replaced the fingerprint module"',
  },
  recorded: { zh: '备注已记入日志（seq {seq}）', en: 'Note recorded in the journal (seq {seq})' },
});

/** Under sudo the technician's own name, not root's. */
function defaultOperator(): string {
  return process.env.SUDO_USER || userInfo().username;
}

export const noteCommand: CliCommand = {
  path: ['note'],
  synopsis: '"TEXT" [--operator NAME]',
  summary: { zh: '在日志中记一条技术员备注', en: "record a technician's note in the journal" },
  async run(args) {
    const { values, positionals } = parseCommandArgs(
      'note',
      args,
      { ...configOptions, operator: { type: 'string' } },
      true,
    );
    // Words typed without quotes are still one note.
    const text = positionals.join(' ');
    if (text.trim() === '') throw new AgentError(ErrorCode.UsageError, t('needText'));
    const params = { text, operator: values.operator ?? defaultOperator() };
    const { seq } = noteResultSchema.parse(await requestControl(inspectConfigForCli(values), 'journal.note', params));
    process.stdout.write(`${t('recorded', { seq })}\n`);
    return ExitCode.Ok;
  },
};
