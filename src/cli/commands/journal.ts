import type { CliCommand } from '../command.js';

export const journalCommands: CliCommand[] = [];
