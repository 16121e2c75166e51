import { AgentError, ErrorCode } from '../errors.js';
import { defineMessages } from '../i18n.js';
import { CENTER_PACKAGE } from '../util/packageRoot.js';
import type { CliCommand, CliCommandHead } from './command.js';

const t = defineMessages({
  missing: {
    zh: 'room-agent {command} 未安装在本机：它属于 {package} 软件包（县级中心与演示，活动室设备不需要）；如需使用，请运行 sudo apt install {package}',
    en: 'room-agent {command} is not installed on this machine: it is in the {package} package (the county center and the demo, which a room device does not need); to use it, run sudo apt install {package}',
  },
});

/**
 * A command whose code ships in the room-agent-center package: `help` lists it from its head, and
 * its code is loaded only when it runs. Without that package its modules are missing, and the
 * command says which package to install, never a stack trace.
 */
export function centerPackageCommand(head: CliCommandHead, load: () => Promise<CliCommand>): CliCommand {
  return {
    ...head,
    async run(args) {
      let command: CliCommand;
      try {
        command = await load();
      } catch (error) {
        if ((error as NodeJS.ErrnoException | undefined)?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
        const name = head.path.join(' ');
        throw new AgentError(
          ErrorCode.PackageMissing,
          t('missing', { command: name, package: CENTER_PACKAGE }),
          { command: name, package: CENTER_PACKAGE },
          { cause: error },
        );
      }
      return command.run(args);
    },
  };
}
