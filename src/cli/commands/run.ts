import { parseCommandArgs } from '../args.js';
import type { CliCommand } from '../command.js';
import { configOptions, loadConfigForCli } from '../configOption.js';

export const runCommand: CliCommand = {
  path: ['run'],
  synopsis: '[--config FILE] [--data-dir DIR]',
  summary: { zh: '运行守护进程（由 systemd 启动）', en: 'run the daemon (started by systemd)' },
  async run(args) {
    const { values } = parseCommandArgs('run', args, configOptions);
    // A bad configuration throws here, before anything else starts: main prints it and exits 78.
    const loaded = loadConfigForCli(values);
    // The daemon's modules load only for a configuration that can run: a bad one is told at once.
    const { runDaemon } = await import('../../app/root.js');
    return runDaemon(loaded);
  },
};
