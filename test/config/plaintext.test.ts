import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { makeTempDir, runCli, spawnCli } from '../helpers/cli.js';
import { MINIMAL_CONFIG, writeFile } from './files.js';

/**
 * Plaintext MQTT to anything but this machine is refused when the configuration is checked,
 * before any connection is tried: a password sent once in clear is lost. Proved against a TCP
 * server on a non-loopback address of this machine that counts the connections it gets.
 */
const temp = makeTempDir();
let server: Server;
let connections = 0;
let host: string;
let port: number;

/** An IPv4 address of this machine that is not loopback; TEST-NET-1 (unroutable) if there is none. */
function nonLoopbackAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((address) => address !== undefined && address.family === 'IPv4' && !address.internal)?.address;
}

beforeAll(async () => {
  host = nonLoopbackAddress() ?? '192.0.2.1';
  server = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  const listenOn = host === '192.0.2.1' ? '127.0.0.1' : host;
  await new Promise<void>((resolve) => server.listen(0, listenOn, () => resolve()));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  temp.cleanup();
});

function configWith(county: string): string {
  return MINIMAL_CONFIG.replace('  url: mqtts://mqtt.county.example:8883\n', county);
}

describe('plaintext to a remote broker', () => {
  it.each(['mqtt', 'ws'])(
    '%s:// to a non-loopback host: config check and run exit 78 naming the fix, and nothing connects',
    async (scheme) => {
      const file = writeFile(
        temp.dir,
        `${scheme}-remote.yaml`,
        configWith(`  url: ${scheme}://${host}:${port}/mqtt\n`),
      );
      const line = `county.url: plaintext ${scheme}:// to ${host}, a host other than this machine, is refused: the password and sign-ins would cross the network unencrypted. Use mqtts:// (or wss://) with the county CA in county.caFile, or set county.allowInsecure: true only on a lab network\n`;
      const checked = await runCli(['config', 'check', file]);
      expect(checked).toMatchObject({ code: 78, stdout: '', stderr: line });
      const ran = await runCli(['run', '--config', file, '--data-dir', join(temp.dir, `${scheme}-data`)]);
      expect(ran).toMatchObject({ code: 78, stdout: '', stderr: line });
      expect(connections).toBe(0);
    },
  );

  // The control for the zero above: the same listener does get the agent's connection once allowed.
  it.runIf(nonLoopbackAddress() !== undefined)('with allowInsecure: true, run does connect to that host', async () => {
    const file = writeFile(
      temp.dir,
      'insecure-run.yaml',
      configWith(`  url: mqtt://${host}:${port}\n  allowInsecure: true\n`),
    );
    const daemon = spawnCli(['run', '--config', file, '--data-dir', join(temp.dir, 'insecure-data')]);
    try {
      const deadline = Date.now() + 10_000;
      while (connections === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(connections).toBeGreaterThan(0);
    } finally {
      const exited = new Promise((resolve) => daemon.once('exit', resolve));
      daemon.kill('SIGTERM');
      await exited;
    }
  });

  it('says so in Chinese too', async () => {
    const file = writeFile(temp.dir, 'zh.yaml', configWith(`  url: mqtt://${host}:${port}\n`));
    const result = await runCli(['config', 'check', file], { env: { ROOM_AGENT_LANG: 'zh' } });
    expect(result.code).toBe(78);
    expect(result.stderr).toBe(
      `county.url: 拒绝以明文 mqtt:// 连接本机以外的主机 ${host}：密码和签到记录会不加密地经过网络。请改用 mqtts://（或 wss://）并用 county.caFile 指定县级 CA 证书；只有在实验室网络中才可设置 county.allowInsecure: true\n`,
    );
  });

  it('refuses TLS files with a plaintext URL, naming each file and the fix', async () => {
    const file = writeFile(
      temp.dir,
      'tls-plaintext.yaml',
      configWith(
        '  url: mqtt://127.0.0.1:1883\n  caFile: /etc/ca.pem\n  certFile: /etc/c.pem\n  keyFile: /etc/c.key\n',
      ),
    );
    const result = await runCli(['config', 'check', file], { env: { ROOM_AGENT_LANG: 'en' } });
    expect(result.code).toBe(78);
    const line = (key: string) =>
      `county.${key}: county.${key} is set but county.url is plaintext mqtt://: TLS files are used only with mqtts:// or wss:// (mqtt.js would speak TLS to the plaintext port with a client certificate, and ignore a CA). Change county.url to mqtts://HOST:8883 (or wss://), or remove county.${key}`;
    expect(result.stderr.trim().split('\n')).toEqual(['caFile', 'certFile', 'keyFile'].map(line));
  });

  it('accepts plaintext to loopback, and to a remote host with allowInsecure: true', async () => {
    for (const [name, county] of [
      ['loopback', '  url: mqtt://127.0.0.1:1883\n'],
      ['insecure', `  url: mqtt://${host}:${port}\n  allowInsecure: true\n`],
    ]) {
      const file = writeFile(temp.dir, `${name}.yaml`, configWith(county!));
      expect(await runCli(['config', 'check', file])).toMatchObject({ code: 0, stderr: '' });
    }
  });

  it.each([
    ['mqtt://localhost:1883', true],
    ['mqtt://LOCALHOST', true],
    ['ws://127.8.9.10:8080/mqtt', true],
    ['mqtt://[::1]:1883', true],
    ['mqtt://[::ffff:127.0.0.1]:1883', true],
    ['mqtts://mqtt.county.example:8883', true],
    ['wss://mqtt.county.example/mqtt', true],
    ['mqtt://user:pw@127.0.0.1', true],
    ['mqtt://127.0.0.1.example.com', false],
    ['mqtt://localhost.example.com', false],
    ['mqtt://128.0.0.1', false],
    ['mqtt://[::2]', false],
    ['mqtt://10.0.0.1:1883', false],
    ['ws://mqtt.county.example/mqtt', false],
  ])('%s is accepted: %s', (url, accepted) => {
    const result = configSchema.safeParse({ version: 1, device: { id: 'room-a' }, county: { url } });
    expect(result.success).toBe(accepted);
    if (!result.success) expect(result.error.issues.map((issue) => issue.path.join('.'))).toEqual(['county.url']);
  });
});
