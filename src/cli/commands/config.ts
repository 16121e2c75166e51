import type { CliCommand } from '../command.js';

export const configCommands: CliCommand[] = [];
