import { z } from 'zod';
import { defineCommand } from '../definition.js';

/**
 * agent.restart {reason?}: answered `done` first, then the daemon stops and systemd starts it
 * again. Recorded before the reply, so a repeat after the restart gets the reply, not a restart.
 */
export const agentRestart = defineCommand({
  type: 'agent.restart',
  mode: 'task',
  params: z.strictObject({ reason: z.string().trim().min(1).max(200).default('requested by the county center') }),
  run: ({ reason }, { deps, afterReply }) => {
    afterReply(() => deps.requestRestart(reason));
    return { restarting: true };
  },
});
