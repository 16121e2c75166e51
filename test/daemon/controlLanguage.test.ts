import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { startDaemon, waitForControl, writeConfig, type DaemonProcess } from './daemonProcess.js';

/**
 * The daemon runs in the system's locale (Chinese on a room's device); a technician's --lang must
 * still govern every line their CLI prints, including the errors the daemon words.
 */
describe('--lang over the control socket', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let daemon: DaemonProcess | undefined;
  let configPath: string;
  beforeEach(() => (temp = makeTempDir()));
  afterEach(async () => {
    await daemon?.stop();
    daemon = undefined;
    temp.cleanup();
  });

  async function start(daemonLang: 'zh' | 'en'): Promise<void> {
    const paths = writeConfig(temp.dir);
    configPath = paths.configPath;
    daemon = startDaemon(configPath, { ROOM_AGENT_LANG: daemonLang });
    await waitForControl(paths.socketPath, daemon);
  }

  const cli = (lang: 'zh' | 'en', args: string[]) =>
    runCli(['--lang', lang, ...args, '--config', configPath], {
      env: { ROOM_AGENT_LANG: lang === 'en' ? 'zh' : 'en' },
    });

  it('a Chinese daemon answers --lang en in English: signin manual and scanner emulate lift', async () => {
    await start('zh');
    const manual = await cli('en', ['signin', 'manual', 'M001', '--confirmed-by', 'S1']);
    expect(manual).toMatchObject({ code: 65 });
    expect(manual.stderr).toBe(
      "room-agent: there is no member M001 to sign in on this room's roster; check the number with room-agent members list\n",
    );
    const lift = await cli('en', ['scanner', 'emulate', 'lift']);
    expect(lift).toMatchObject({ code: 69 });
    expect(lift.stderr).toBe(
      'room-agent: scanner.driver is none: the emulator commands need scanner.driver emulator\n',
    );
  });

  it('an English daemon answers --lang zh in Chinese, and its own language is left as it was', async () => {
    await start('en');
    const manual = await cli('zh', ['signin', 'manual', 'M001', '--confirmed-by', 'S1']);
    expect(manual.stderr).toBe(
      'room-agent: 本活动室名册中没有要签到的成员 M001；请用 room-agent members list 核对编号\n',
    );
    const lift = await cli('zh', ['scanner', 'emulate', 'lift']);
    expect(lift.stderr).toBe('room-agent: scanner.driver 为 none：模拟器命令需要 scanner.driver emulator\n');
    const english = await cli('en', ['scanner', 'emulate', 'lift']);
    expect(english.stderr).toBe(
      'room-agent: scanner.driver is none: the emulator commands need scanner.driver emulator\n',
    );
  });
});
