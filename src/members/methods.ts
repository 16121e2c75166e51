import { z } from 'zod';
import type { ControlRegistry } from '../control/registry.js';
import { memberIdSchema, memberSchema } from './schema.js';
import type { MemberRemoval } from './removal.js';
import type { MemberStore } from './store.js';

const operatorSchema = z.string().trim().min(1).max(64);

export const memberMethodParams = {
  list: z.strictObject({}),
  add: z.strictObject({ member: memberSchema, operator: operatorSchema }),
  remove: z.strictObject({ memberId: memberIdSchema, operator: operatorSchema }),
};

export const addResultSchema = z.strictObject({ outcome: z.enum(['added', 'updated', 'unchanged']) });

export const removeResultSchema = z.strictObject({
  memberId: z.string(),
  slots: z.array(z.number().int()),
  pendingSlots: z.array(z.number().int()),
  seq: z.number().int(),
});

/** The roster over the control socket: `members list|add|remove`. */
export function registerMemberMethods(registry: ControlRegistry, members: MemberStore, removal: MemberRemoval): void {
  registry.register('members.list', memberMethodParams.list, () => members.list());
  registry.register('members.add', memberMethodParams.add, ({ member, operator }) => ({
    outcome: members.upsertMembers([member], 'cli', operator)[0]?.kind ?? 'unchanged',
  }));
  registry.register('members.remove', memberMethodParams.remove, ({ memberId, operator }) =>
    removal.remove(memberId, operator),
  );
}
