import { spawn } from 'node:child_process';
import { once } from 'node:events';
import Database from 'better-sqlite3';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callDaemon } from '../../src/control/client.js';
import { CLI_PATH, cliEnv, makeTempDir, REPO_ROOT, runCli } from '../helpers/cli.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { spawnCliInPty } from '../helpers/pty.js';

const EXAMPLE = join(REPO_ROOT, 'config/room-agent.example.yaml');
const NOBODY = { uid: 65534, gid: 65534 };
const AS_NOBODY = ['--reuid=nobody', '--regid=nogroup', '--clear-groups'];

const temp = makeTempDir('room-agent-provision-');
// The daemon runs as nobody in one test: it must reach its files below this folder.
chmodSync(temp.dir, 0o755);
afterAll(temp.cleanup);

let broker: Mosquitto;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(() => broker?.stop());

let rooms = 0;
/** A room folder with the example configuration (comments and all) as its config file. */
function room(): { dir: string; config: string; secrets: string; dataDir: string } {
  const dir = join(temp.dir, `room-${++rooms}`);
  const config = join(dir, 'etc', 'config.yaml');
  mkdirSync(join(dir, 'etc'), { recursive: true, mode: 0o755 });
  copyFileSync(EXAMPLE, config);
  return { dir, config, secrets: join(dir, 'etc', 'secrets.env'), dataDir: join(dir, 'data') };
}

function answers(
  files: ReturnType<typeof room>,
  extra: string[] = [],
  password = 'pw with "quotes" and $dollar',
): string[] {
  return [
    'provision',
    '--non-interactive',
    '--config',
    files.config,
    '--secrets',
    files.secrets,
    '--service-user',
    `${NOBODY.uid}:${NOBODY.gid}`,
    '--room',
    'yx-dongfeng-02',
    '--data-dir',
    files.dataDir,
    '--broker',
    broker.url,
    '--username',
    'yx-dongfeng-02',
    '--password',
    password,
    '--scanner',
    'none',
    ...extra,
  ];
}

function changedLines(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  expect(b.length).toBe(a.length);
  return b.flatMap((line, index) => (line === a[index] ? [] : [`${a[index]} → ${line}`]));
}

describe('room-agent provision, non-interactive', () => {
  it('takes the password from --password-file, kept off the command line, its trailing newline dropped', async () => {
    const files = room();
    const passwordFile = join(files.dir, 'county-password');
    writeFileSync(passwordFile, 'from a file $x\n', { mode: 0o600 });
    const args = answers(files);
    args.splice(args.indexOf('--password'), 2, '--password-file', passwordFile);
    const result = await runCli(args, { timeoutMs: 60_000 });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(readFileSync(files.secrets, 'utf8')).toBe('ROOM_AGENT_COUNTY_PASSWORD="from a file $x"\n');
    expect(readFileSync(files.config, 'utf8')).not.toContain('from a file');
  });

  it('writes a config that passes config check, the password only in the secrets file, and a key for the service user', async () => {
    const files = room();
    const result = await runCli(answers(files), { timeoutMs: 60_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`county broker ${broker.url} reached`);
    expect(result.stdout).toMatch(/SHA-256 ([0-9a-f]{2}:){31}[0-9a-f]{2}\n/);
    // It ends with the doctor's check of what it just wrote, connecting as the doctor with the new password.
    expect(result.stdout).toContain(`room-agent doctor:\n✔ configuration valid: ${files.config}\n`);
    expect(result.stdout).toMatch(
      new RegExp(`\n✔ county broker ${broker.url.replace(/\./g, '\\.')} reached \\(\\d+ ms\\)\n`),
    );
    expect(result.stdout).toMatch(/\n– journal: not created yet .*\n/);
    expect(result.stdout).toMatch(/\nnext: sudo systemctl restart room-agent, then room-agent status\n$/);

    const config = readFileSync(files.config, 'utf8');
    expect(config).not.toContain('$dollar');
    expect(config).toContain('  id: yx-dongfeng-02\n');
    // Comments of the example stay where they were.
    expect(config).toContain('# Format version of this file. Required.');
    const secrets = readFileSync(files.secrets, 'utf8');
    expect(secrets).toBe('ROOM_AGENT_COUNTY_PASSWORD="pw with \\"quotes\\" and $dollar"\n');
    expect(statSync(files.secrets)).toMatchObject({ uid: 0, gid: 0 });
    expect(statSync(files.secrets).mode & 0o777).toBe(0o600);
    expect(statSync(files.config)).toMatchObject({ uid: 0, gid: NOBODY.gid });
    expect(statSync(files.config).mode & 0o777).toBe(0o640);
    const key = join(files.dataDir, 'keys', 'device.pem');
    expect(statSync(key)).toMatchObject({ uid: NOBODY.uid, gid: NOBODY.gid });
    expect(statSync(key).mode & 0o777).toBe(0o600);

    // config check as the service user, with the password as systemd passes it from the secrets file.
    const check = await runAs(['config', 'check', '--config', files.config]);
    expect(check).toMatchObject({ code: 0, stdout: `configuration OK: ${files.config}\n` });
  });

  it('gives files the daemon opens as a non-root user: it starts on them and registers the provisioned key', async () => {
    const files = room();
    // The example's scanner path and GPIO lines are no hardware of this machine: a room without them.
    writeFileSync(
      files.config,
      readFileSync(files.config, 'utf8')
        .replace('  driver: r30x\n', '  driver: none\n')
        .replace('  gpio: true\n', '  gpio: false\n')
        .replace(/^cameras:\n[\s\S]*?(?=^# Meeting photos)/m, 'cameras: []\n\n')
        .replace('  format: auto\n', '  format: json\n'),
    );
    const provisioned = await runCli(answers(files, [], 'secret-1'), { timeoutMs: 60_000 });
    expect(provisioned).toMatchObject({ code: 0, stderr: '' });
    const keyId = /key id ([0-9a-f]{16})/.exec(provisioned.stdout)![1];

    const daemon = spawn('setpriv', [...AS_NOBODY, process.execPath, CLI_PATH, 'run', '--config', files.config], {
      env: cliEnv({ ROOM_AGENT_COUNTY_PASSWORD: 'secret-1' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    daemon.stdout.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
    daemon.stderr.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
    const exited = once(daemon, 'exit');
    try {
      const socket = join(files.dataDir, 'control.sock');
      await waitForStatus(socket, daemon, () => log);
      expect(statSync(join(files.dataDir, 'journal.sqlite')).uid).toBe(NOBODY.uid);
    } finally {
      daemon.kill('SIGTERM');
      await exited;
    }
    const journal = new Database(join(files.dataDir, 'journal.sqlite'), { readonly: true });
    try {
      expect(journal.prepare('SELECT key_id FROM device_keys').all()).toEqual([{ key_id: keyId }]);
    } finally {
      journal.close();
    }
  });

  it('one changed answer changes exactly one line; the same answers twice change nothing (same bytes, same key)', async () => {
    const files = room();
    const first = await runCli(answers(files), { timeoutMs: 60_000 });
    expect(first.code).toBe(0);
    const config = readFileSync(files.config, 'utf8');
    const secrets = readFileSync(files.secrets, 'utf8');
    const key = readFileSync(join(files.dataDir, 'keys', 'device.pem'), 'utf8');

    const again = await runCli(answers(files), { timeoutMs: 60_000 });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`configuration unchanged: ${files.config}`);
    expect(readFileSync(files.config, 'utf8')).toBe(config);
    expect(readFileSync(files.secrets, 'utf8')).toBe(secrets);
    expect(readFileSync(join(files.dataDir, 'keys', 'device.pem'), 'utf8')).toBe(key);

    const room2 = answers(files);
    room2[room2.indexOf('--room') + 1] = 'yx-dongfeng-03';
    expect((await runCli(room2, { timeoutMs: 60_000 })).code).toBe(0);
    expect(changedLines(config, readFileSync(files.config, 'utf8'))).toEqual([
      '  id: yx-dongfeng-02 →   id: yx-dongfeng-03',
    ]);
    expect(readFileSync(join(files.dataDir, 'keys', 'device.pem'), 'utf8')).toBe(key);
  });

  it('refuses a malformed answer with config check’s message (exit 64) and writes nothing', async () => {
    const files = room();
    const before = readFileSync(files.config, 'utf8');
    const args = answers(files, ['--center-key', 'not-a-key', '--camera', 'hall=http://camera.local/main']);
    args[args.indexOf('--broker') + 1] = 'http://county.example';
    const result = await runCli(args, { timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(64);
    expect(result.stderr).toContain(
      'county.url: "http://county.example" is not an mqtt://, mqtts://, ws:// or wss:// URL',
    );
    expect(result.stderr).toContain('county.centerPublicKey: not an Ed25519 public key');
    expect(result.stderr).toContain('cameras[0].url: "http://camera.local/main" is not an rtsp:// URL');
    // One line per problem and nothing around them, as config check prints them.
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(3);
    expect(result.stderr).not.toContain('room-agent:');
    expect(readFileSync(files.config, 'utf8')).toBe(before);
    expect(existsSync(files.secrets)).toBe(false);
    expect(existsSync(files.dataDir)).toBe(false);

    // The very lines config check gives for the same values.
    const bad = join(files.dir, 'bad.yaml');
    writeFileSync(bad, before.replace('url: mqtts://mqtt.county.example:8883', 'url: http://county.example'));
    const check = await runCli(['config', 'check', bad]);
    expect(result.stderr).toContain(check.stderr.trim());
  });

  it('refuses an unreachable broker (exit 69, its cause named) unless --allow-unreachable keeps it', async () => {
    const files = room();
    const before = readFileSync(files.config, 'utf8');
    const args = answers(files);
    args[args.indexOf('--broker') + 1] = 'mqtt://127.0.0.1:1';
    const refused = await runCli(args, { timeoutMs: 60_000 });
    expect(refused.code).toBe(69);
    expect(refused.stderr).toMatch(/cannot reach the county broker mqtt:\/\/127\.0\.0\.1:1: TCP: .*ECONNREFUSED/);
    expect(readFileSync(files.config, 'utf8')).toBe(before);

    const kept = await runCli([...args, '--allow-unreachable'], { timeoutMs: 60_000 });
    expect(kept.code).toBe(0);
    expect(kept.stdout).toContain('kept although the broker cannot be reached now');
    expect(readFileSync(files.config, 'utf8')).toContain('  url: mqtt://127.0.0.1:1\n');
  });
});

describe('room-agent provision at a terminal', () => {
  it('asks, refuses a malformed broker URL and asks again, hides the password, keeps an unreachable broker with --allow-unreachable', async () => {
    const files = room();
    const devDir = join(files.dir, 'dev');
    mkdirSync(devDir);
    const cmdline = join(files.dir, 'cmdline');
    writeFileSync(cmdline, 'console=tty1 root=/dev/mmcblk0p2\n');
    const session = spawnCliInPty([
      'provision',
      '--config',
      files.config,
      '--secrets',
      files.secrets,
      '--service-user',
      `${NOBODY.uid}:${NOBODY.gid}`,
      '--data-dir',
      files.dataDir,
      '--dev-dir',
      devDir,
      '--cmdline',
      cmdline,
      '--allow-unreachable',
    ]);
    try {
      // Each prompt is looked for in what the terminal showed since the last answer.
      let cursor = 0;
      const step = async (prompt: RegExp, answer: string): Promise<void> => {
        await session.waitFor(prompt, 30_000, cursor);
        cursor = session.output().length;
        session.type(answer);
      };
      await step(/room code \(device\.id, assigned by the county\) \[yx-hongqi-01\]: $/, 'yx-xinzhuang-07');
      await step(/county MQTT broker URL \(county\.url\) \[mqtts:\/\/mqtt\.county\.example:8883\]: $/, 'http://wrong');
      await session.waitFor(
        /refused: county\.url: "http:\/\/wrong" is not an mqtt:\/\/, mqtts:\/\/, ws:\/\/ or wss:\/\/ URL/,
        30_000,
        cursor,
      );
      await step(
        /county MQTT broker URL \(county\.url\) \[mqtts:\/\/mqtt\.county\.example:8883\]: $/,
        'mqtt://127.0.0.1:1',
      );
      await step(/MQTT user name \(county\.username\) \[yx-hongqi-01\]: $/, 'yx-xinzhuang-07');
      await step(/county CA file .*: $/, '');
      await step(/client certificate file .*: $/, '');
      await step(/client key file .*: $/, '');
      await step(/MQTT password: $/, 'typed-secret');
      await step(/the center's public key .*: $/, '');
      await step(/fingerprint module port \(a path, or none\) \[.*\]: $/, 'none');
      await step(/RTSP URL of camera hall \[.*\]: $/, '');
      await step(/name of a camera to add \(Enter for none\): $/, '');
      await session.waitFor(/next: sudo systemctl restart room-agent/, 60_000, cursor);
      expect(await session.exited).toBe(0);
    } finally {
      session.kill();
    }
    const output = session.output();
    expect(output).toContain('no port where a fingerprint module could be attached');
    expect(output).toContain('cannot reach the county broker mqtt://127.0.0.1:1: TCP');
    expect(output).not.toContain('typed-secret');
    const config = readFileSync(files.config, 'utf8');
    expect(config).toContain('  id: yx-xinzhuang-07\n');
    expect(config).toContain('  url: mqtt://127.0.0.1:1\n');
    expect(config).toContain('  driver: none\n');
    expect(readFileSync(files.secrets, 'utf8')).toBe('ROOM_AGENT_COUNTY_PASSWORD=typed-secret\n');
  });
});

describe('room-agent provision at a terminal, broker unreachable', () => {
  it('asks whether to keep an unreachable broker; no asks the county questions again and takes a reachable one', async () => {
    const files = room();
    const cmdline = join(files.dir, 'cmdline');
    writeFileSync(cmdline, 'console=tty1\n');
    const session = spawnCliInPty([
      'provision',
      ...['--config', files.config, '--secrets', files.secrets, '--data-dir', files.dataDir],
      ...['--service-user', `${NOBODY.uid}:${NOBODY.gid}`, '--room', 'yx-beiguan-01', '--scanner', 'none'],
      ...['--center-key', '-', '--camera', 'hall=rtsp://127.0.0.1:1/main', '--cmdline', cmdline],
    ]);
    try {
      let cursor = 0;
      const step = async (prompt: RegExp, answer: string): Promise<void> => {
        await session.waitFor(prompt, 30_000, cursor);
        cursor = session.output().length;
        session.type(answer);
      };
      await step(/county MQTT broker URL \(county\.url\) \[.*\]: $/, 'mqtt://127.0.0.1:1');
      for (const prompt of [/user name .*: $/, /CA file .*: $/, /certificate file .*: $/, /key file .*: $/])
        await step(prompt, '');
      await step(/MQTT password: $/, 'first-try');
      await step(/keep these settings anyway \(the uplink may be down today\)\? \[y\/N\]: $/, 'n');
      await step(/county MQTT broker URL \(county\.url\) \[mqtt:\/\/127\.0\.0\.1:1\]: $/, broker.url);
      for (const prompt of [/user name .*: $/, /CA file .*: $/, /certificate file .*: $/, /key file .*: $/])
        await step(prompt, '');
      await step(/MQTT password \(Enter keeps it\): $/, '');
      await session.waitFor(/next: sudo systemctl restart room-agent/, 60_000, cursor);
      expect(await session.exited).toBe(0);
    } finally {
      session.kill();
    }
    expect(session.output()).toContain('cannot reach the county broker mqtt://127.0.0.1:1: TCP');
    expect(session.output()).toContain(`county broker ${broker.url} reached`);
    expect(readFileSync(files.config, 'utf8')).toContain(`  url: ${broker.url}\n`);
    expect(readFileSync(files.secrets, 'utf8')).toBe('ROOM_AGENT_COUNTY_PASSWORD=first-try\n');
  });
});

function runAs(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('setpriv', [...AS_NOBODY, process.execPath, CLI_PATH, ...args], { env: cliEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function waitForStatus(
  socket: string,
  daemon: ReturnType<typeof spawn>,
  log: () => string,
  timeoutMs = 60_000,
): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await callDaemon(socket, 'status', {}, { timeoutMs: 2_000 });
    } catch (error) {
      if (daemon.exitCode !== null || Date.now() > deadline)
        throw new Error(`the daemon never answered status: ${(error as Error).message}\n${log()}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
