import { z } from 'zod';
import { requestControl } from '../../app/cliBackend.js';
import { AgentError, ErrorCode, ExitCode } from '../../errors.js';
import { defineMessages } from '../../i18n.js';
import { addResultSchema, removeResultSchema } from '../../members/methods.js';
import { memberRoleSchema, rosterEntrySchema, type RosterEntry } from '../../members/schema.js';
import { parseCommandArgs } from '../args.js';
import type { CliCommand } from '../command.js';
import { configOptions, inspectConfigForCli } from '../configOption.js';
import { requireOperator, singleMemberId } from './memberArgs.js';

const t = defineMessages({
  empty: { zh: '名册为空', en: 'the roster is empty' },
  header: { zh: '编号\t姓名\t角色\t状态\t已录入手指（槽位）', en: 'ID\tNAME\tROLE\tSTATUS\tENROLLED FINGERS (slot)' },
  none: { zh: '无', en: 'none' },
  needName: { zh: 'members add：需要 --name 姓名', en: 'members add: --name NAME is required' },
  badRole: {
    zh: 'members add：--role 只能是 member 或 secretary',
    en: 'members add: --role must be member or secretary',
  },
  added: { zh: '成员 {memberId} 已加入名册', en: 'member {memberId} added to the roster' },
  updated: { zh: '成员 {memberId} 已在名册中，信息已更新', en: 'member {memberId} updated' },
  unchanged: { zh: '成员 {memberId} 已在名册中，信息未变', en: 'member {memberId} is already on the roster as given' },
  removed: {
    zh: '成员 {memberId} 已从名册删除，连同其模板备份（日志 seq {seq}）',
    en: 'member {memberId} was removed with their template backups (journal seq {seq})',
  },
  slotsDeleted: {
    zh: '已从模块删除槽位 {slots} 中的模板',
    en: 'their templates were deleted from module slot(s) {slots}',
  },
  slotsPending: {
    zh: '模块未连接：槽位 {slots} 中的模板将在扫描器重新连接时删除；在此之前这些手指不匹配任何人',
    en: 'the module is not connected: the templates in module slot(s) {slots} will be deleted when the scanner reconnects; until then those fingers match nobody',
  },
});

function rosterText(roster: RosterEntry[]): string {
  if (roster.length === 0) return `${t('empty')}\n`;
  const lines = roster.map((member) => {
    const fingers = member.fingers.map((finger) => `${finger.finger} (${finger.slot})`).join(', ') || t('none');
    return [member.memberId, member.name, member.role, member.status, fingers].join('\t');
  });
  return `${[t('header'), ...lines].join('\n')}\n`;
}

const listCommand: CliCommand = {
  path: ['members', 'list'],
  synopsis: '[--json] [--config FILE] [--data-dir DIR]',
  summary: {
    zh: '列出名册及每位成员已录入的手指（不含模板）',
    en: "list the roster with each member's enrolled fingers (never templates)",
  },
  async run(args) {
    const { values } = parseCommandArgs('members list', args, { ...configOptions, json: { type: 'boolean' } });
    const roster = z
      .array(rosterEntrySchema)
      .parse(await requestControl(inspectConfigForCli(values), 'members.list', {}));
    process.stdout.write(values.json ? `${JSON.stringify(roster, null, 2)}\n` : rosterText(roster));
    return ExitCode.Ok;
  },
};

const addCommand: CliCommand = {
  path: ['members', 'add'],
  synopsis: 'MEMBER_ID --name NAME [--role member|secretary] --operator NAME [--config FILE] [--data-dir DIR]',
  summary: {
    zh: '在现场把成员加入名册（没有联网的活动室）；县中心同步时以中心名册为准',
    en: "add a member to the roster on site (a room without a link); the county's roster sync prevails",
  },
  async run(args) {
    const { values, positionals } = parseCommandArgs(
      'members add',
      args,
      { ...configOptions, name: { type: 'string' }, role: { type: 'string' }, operator: { type: 'string' } },
      true,
    );
    const memberId = singleMemberId('members add', positionals);
    if (values.name === undefined) throw new AgentError(ErrorCode.UsageError, t('needName'));
    const role = memberRoleSchema.safeParse(values.role ?? 'member');
    if (!role.success) throw new AgentError(ErrorCode.UsageError, t('badRole'));
    const params = {
      member: { memberId, name: values.name, role: role.data },
      operator: requireOperator('members add', values.operator),
    };
    const { outcome } = addResultSchema.parse(await requestControl(inspectConfigForCli(values), 'members.add', params));
    process.stdout.write(`${t(outcome, { memberId })}\n`);
    return ExitCode.Ok;
  },
};

const removeCommand: CliCommand = {
  path: ['members', 'remove'],
  synopsis: 'MEMBER_ID --operator NAME [--config FILE] [--data-dir DIR]',
  summary: {
    zh: '删除成员：名册记录、模块中的模板、备份与托管副本，并记入日志',
    en: 'remove a member: roster entry, templates on the module, backups and escrow copies, journaled',
  },
  async run(args) {
    const { values, positionals } = parseCommandArgs(
      'members remove',
      args,
      { ...configOptions, operator: { type: 'string' } },
      true,
    );
    const params = {
      memberId: singleMemberId('members remove', positionals),
      operator: requireOperator('members remove', values.operator),
    };
    const result = removeResultSchema.parse(
      await requestControl(inspectConfigForCli(values), 'members.remove', params),
    );
    process.stdout.write(`${t('removed', { memberId: result.memberId, seq: result.seq })}\n`);
    const deleted = result.slots.filter((slot) => !result.pendingSlots.includes(slot));
    if (deleted.length > 0) process.stdout.write(`${t('slotsDeleted', { slots: deleted.join(', ') })}\n`);
    if (result.pendingSlots.length > 0)
      process.stdout.write(`${t('slotsPending', { slots: result.pendingSlots.join(', ') })}\n`);
    return ExitCode.Ok;
  },
};

export const memberCommands: readonly CliCommand[] = [listCommand, addCommand, removeCommand];
