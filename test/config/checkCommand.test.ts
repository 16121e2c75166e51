import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, REPO_ROOT, runCli } from '../helpers/cli.js';
import { MINIMAL_CONFIG, snapshot, writeFile } from './files.js';

const temp = makeTempDir();
afterAll(temp.cleanup);

describe('room-agent config check', () => {
  it('prints one OK line and exits 0 for a valid file, given as FILE or --config', async () => {
    const file = writeFile(temp.dir, 'ok.yaml', MINIMAL_CONFIG);
    for (const args of [
      ['config', 'check', file],
      ['config', 'check', '--config', file],
    ]) {
      expect(await runCli(args)).toMatchObject({ code: 0, stdout: `configuration OK: ${file}\n`, stderr: '' });
    }
  });

  it('accepts the example configuration', async () => {
    const result = await runCli(['config', 'check', 'config/room-agent.example.yaml']);
    expect(result).toMatchObject({ code: 0, stdout: 'configuration OK: config/room-agent.example.yaml\n', stderr: '' });
  });

  it('speaks Chinese (ROOM_AGENT_LANG=zh), keeping paths and values as written', async () => {
    const file = writeFile(
      temp.dir,
      'zh.yaml',
      'version: 1\ndevice:\n  name: 42\nscanner:\n  baudrate: 57600\n  baudRate: 57601\ncounty:\n  url: mqtts://x\ncameras:\n  - name: hall\n    url: http://x\n',
    );
    const result = await runCli(['config', 'check', file], { env: { ROOM_AGENT_LANG: 'zh' } });
    expect(result.code).toBe(78);
    expect(result.stderr).toBe(
      [
        'device.id: 缺少必填项',
        'device.name: 应为字符串，实际为 42 (number)',
        'scanner.baudrate: 未知的键（是否应为 baudRate？）',
        'scanner.baudRate: 57601 不是可选值之一：9600…115200',
        'cameras[0].url: "http://x" 不是一个 rtsp:// 地址',
        '',
      ].join('\n'),
    );
    const ok = writeFile(temp.dir, 'ok-zh.yaml', MINIMAL_CONFIG);
    expect((await runCli(['config', 'check', ok], { env: { ROOM_AGENT_LANG: 'zh' } })).stdout).toBe(
      `配置正确：${ok}\n`,
    );
  });

  it('says when the next start would revert the remote override, and changes nothing', async () => {
    const file = writeFile(temp.dir, 'room.yaml', MINIMAL_CONFIG);
    const dataDir = join(temp.dir, 'room-data');
    mkdirSync(join(dataDir, 'config'), { recursive: true });
    writeFile(join(dataDir, 'config'), 'override.yaml', 'version: 1\nscanner:\n  baudRate: 57601\n');
    const before = snapshot(dataDir);

    const result = await runCli(['config', 'check', file, '--data-dir', dataDir]);

    expect(result).toMatchObject({
      code: 0,
      stdout: `configuration OK: ${file}\nthe next start reverts the remote override: override: scanner.baudRate: 57601 is not one of 9600…115200\n`,
      stderr: '',
    });
    expect(snapshot(dataDir)).toEqual(before);
  });

  it('refuses a file given both as FILE and --config (usage error, exit 64)', async () => {
    const file = writeFile(temp.dir, 'twice.yaml', MINIMAL_CONFIG);
    const result = await runCli(['config', 'check', file, '--config', file]);
    expect(result).toMatchObject({
      code: 64,
      stdout: '',
      stderr: 'room-agent: config check: give the file as FILE or --config, not both\n',
    });
  });
});

describe('room-agent config schema', () => {
  it('prints the JSON Schema that is committed as config/room-agent.schema.json', async () => {
    const committed = readFileSync(join(REPO_ROOT, 'config/room-agent.schema.json'), 'utf8');
    const result = await runCli(['config', 'schema']);
    expect(result.code).toBe(0);
    // On failure: npm run gen-config-schema
    expect(result.stdout).toBe(committed);
    const schema = JSON.parse(result.stdout) as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties)).toEqual([
      'version',
      'device',
      'journal',
      'storage',
      'clock',
      'scanner',
      'feedback',
      'county',
      'cameras',
      'media',
      'log',
    ]);
    expect(schema.required).toEqual(['version', 'device', 'county']);
  });
});
