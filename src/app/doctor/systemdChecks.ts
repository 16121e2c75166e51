import { execFile } from 'node:child_process';
import { defineMessages } from '../../i18n.js';
import type { CheckOutcome } from './runner.js';

const t = defineMessages({
  na: { zh: 'systemd 单元：本机没有 systemd', en: 'systemd unit: no systemd here' },
  ok: {
    zh: 'systemd 单元 room-agent：{state}，看门狗 {watchdog}，已重启 {restarts} 次',
    en: 'systemd unit room-agent: {state}, watchdog {watchdog}, {restarts} restarts',
  },
  noWatchdog: { zh: '未设置', en: 'not set' },
  missing: { zh: 'systemd 单元 room-agent 未安装', en: 'the systemd unit room-agent is not installed' },
  missingFix: {
    zh: '重新安装 room-agent 软件包（它带有该单元）：sudo apt install --reinstall room-agent，然后 sudo systemctl enable --now room-agent',
    en: 'reinstall the room-agent package, which ships the unit: sudo apt install --reinstall room-agent, then sudo systemctl enable --now room-agent',
  },
  down: { zh: 'systemd 单元 room-agent：{state}', en: 'systemd unit room-agent: {state}' },
  downFix: {
    zh: 'sudo systemctl restart room-agent；原因见 journalctl -u room-agent',
    en: 'sudo systemctl restart room-agent; the cause is in journalctl -u room-agent',
  },
});

/** Runs a program and gives its standard output, undefined when it is absent or fails. */
export type CommandRunner = (
  program: string,
  args: readonly string[],
  timeoutMs: number,
) => Promise<string | undefined>;

export const runCommand: CommandRunner = (program, args, timeoutMs) =>
  new Promise((resolve) => {
    execFile(program, [...args], { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout) =>
      resolve(error === null ? stdout : undefined),
    );
  });

function properties(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) map.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  return map;
}

/** The NTP server timesyncd talks to, as `timedatectl show-timesync` names it. */
export async function ntpServer(run: CommandRunner, timeoutMs: number): Promise<string | undefined> {
  const text = await run('timedatectl', ['show-timesync', '--property=ServerName,ServerAddress'], timeoutMs);
  if (text === undefined) return undefined;
  const props = properties(text);
  const name = props.get('ServerName') || undefined;
  const address = props.get('ServerAddress') || undefined;
  return name !== undefined && address !== undefined ? `${name} ${address}` : (name ?? address);
}

/** The unit's state and watchdog as `systemctl show` reports them; – where systemd does not run. */
export async function unitCheck(run: CommandRunner, timeoutMs: number): Promise<CheckOutcome> {
  const text = await run(
    'systemctl',
    ['show', 'room-agent', '--property=LoadState,ActiveState,SubState,WatchdogUSec,NRestarts'],
    timeoutMs,
  );
  if (text === undefined) return { status: 'na', text: t('na') };
  const props = properties(text);
  if (props.get('LoadState') === 'not-found') return { status: 'fail', text: t('missing'), fix: t('missingFix') };
  const state = `${props.get('ActiveState') ?? '?'}/${props.get('SubState') ?? '?'}`;
  if (props.get('ActiveState') !== 'active') return { status: 'fail', text: t('down', { state }), fix: t('downFix') };
  const usec = props.get('WatchdogUSec');
  const watchdog = usec === undefined || usec === '0' || usec === 'infinity' ? t('noWatchdog') : usec;
  return { status: 'ok', text: t('ok', { state, watchdog, restarts: props.get('NRestarts') ?? '0' }) };
}
