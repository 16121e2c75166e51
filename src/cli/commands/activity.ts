import type { CliCommand } from '../command.js';

export const activityCommands: CliCommand[] = [];
