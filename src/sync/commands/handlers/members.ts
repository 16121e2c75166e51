import { z } from 'zod';
import { memberIdSchema, memberSchema } from '../../../members/schema.js';
import { defineCommand } from '../definition.js';
import { centerOperatorSchema } from './operator.js';

/**
 * members.upsert {members: Member[], operator?}: the county's roster sync, one `member.upserted`
 * per member that changed, committed with the command's record. Templates travel separately
 * (templates.restore): loading them needs the module, and a roster change must not wait on it.
 */
export const membersUpsert = defineCommand({
  type: 'members.upsert',
  mode: 'atomic',
  params: z.strictObject({ members: z.array(memberSchema).min(1).max(2000), operator: centerOperatorSchema }),
  run: ({ members, operator }, { deps }) => ({ changes: deps.members.upsertMembers(members, 'center', operator) }),
});

/**
 * members.remove {memberId, operator?}: the member matches nobody from the commit on; their
 * templates are deleted from the module after the reply (or when it next connects).
 */
export const membersRemove = defineCommand({
  type: 'members.remove',
  mode: 'atomic',
  params: z.strictObject({ memberId: memberIdSchema, operator: centerOperatorSchema }),
  run: ({ memberId, operator }, { deps, afterReply }) => {
    const removed = deps.removal.removeFromRoster(memberId, operator);
    afterReply(() => deps.removal.deleteQueuedSlots());
    return removed;
  },
});
