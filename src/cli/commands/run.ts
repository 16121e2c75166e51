import type { CliCommand } from '../command.js';

export const runCommand: CliCommand = {
  path: ['run'],
  synopsis: '[--config FILE]',
  summary: { zh: '运行守护进程', en: 'run the daemon' },
  run: async () => 1,
};
