import { runDemo } from '../../demo/session.js';
import { AgentError, ErrorCode } from '../../errors.js';
import { defineMessages } from '../../i18n.js';
import { parseCommandArgs, parseSeq } from '../args.js';
import type { CliCommand } from '../command.js';
import { demoHead } from './centerHeads.js';

const t = defineMessages({
  badPort: {
    zh: 'demo：--http-port 必须是 1–65535 的端口号，而不是 "{value}"',
    en: 'demo: --http-port must be a port number 1–65535, got "{value}"',
  },
  zeroDuration: { zh: 'demo：--duration 必须大于 0', en: 'demo: --duration must be more than 0' },
});

export const demoCommand: CliCommand = {
  ...demoHead,
  async run(args) {
    const { values } = parseCommandArgs('demo', args, {
      dir: { type: 'string' },
      headless: { type: 'boolean' },
      duration: { type: 'string' },
      'http-port': { type: 'string' },
    });
    const duration = values.duration === undefined ? undefined : parseSeq('demo', '--duration', values.duration, 0);
    if (duration === 0) throw new AgentError(ErrorCode.UsageError, t('zeroDuration'));
    const httpPort =
      values['http-port'] === undefined ? undefined : parseSeq('demo', '--http-port', values['http-port'], 0);
    if (httpPort !== undefined && (httpPort < 1 || httpPort > 65_535))
      throw new AgentError(ErrorCode.UsageError, t('badPort', { value: values['http-port']! }));
    return runDemo({
      dir: values.dir ?? '.demo-data',
      // A view redrawn in place means nothing in a pipe or a file: there the demo is headless.
      headless: values.headless === true || process.stdout.isTTY !== true,
      durationSeconds: duration,
      httpPort,
      out: process.stdout,
    });
  },
};
