import type { CommandDefinition } from './definition.js';
import { activityEnd, activityStart, plansAdd, plansCancel } from './handlers/activities.js';
import { cameraPhoto, cameraStream } from './handlers/cameras.js';
import { configSet } from './handlers/config.js';
import { agentDiagnostics } from './handlers/diagnostics.js';
import { enrollmentStart } from './handlers/enrollment.js';
import { membersRemove, membersUpsert } from './handlers/members.js';
import { recordingUpload } from './handlers/recordings.js';
import { journalReplay } from './handlers/replay.js';
import { agentRestart } from './handlers/restart.js';
import { templatesRestore } from './handlers/templates.js';

/** Every command the agent carries out; the center learns the list from an `unknown-command` reply. */
export const CENTER_COMMANDS: readonly CommandDefinition[] = [
  membersUpsert,
  membersRemove,
  templatesRestore,
  enrollmentStart,
  activityStart,
  activityEnd,
  plansAdd,
  plansCancel,
  cameraStream,
  cameraPhoto,
  recordingUpload,
  journalReplay,
  configSet,
  agentRestart,
  agentDiagnostics,
];
