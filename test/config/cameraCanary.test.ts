import { mkdirSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { overrideBrokeService } from '../../src/config/revertReason.js';
import { setLanguage } from '../../src/i18n.js';
import { createRootLogger } from '../../src/log.js';
import type { CommandDependencies } from '../../src/sync/commands/dependencies.js';
import { agentDiagnostics } from '../../src/sync/commands/handlers/diagnostics.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { makeRoom, MINIMAL_CONFIG, writeFile } from './files.js';
import { runChecks } from '../../src/app/doctor/runner.js';

/**
 * A camera's password, and a media server's key, never leave the configuration in what people
 * and the county read: `config check` and `run` problem lines in both languages, YAML syntax
 * lines, the config.reverted record the journal keeps, the agent.diagnostics reply, a trial's
 * revert lines and a logged configuration. Every URL below carries the canary; each output is
 * searched for it.
 */
const CANARY = 'Kanari7f3q';

/** Camera and push URLs as they go wrong on site, each holding the canary. */
const BAD_CAMERAS = `cameras:
  - name: hall
    url: rstp://admin:${CANARY}@192.168.1.64:554/Streaming/Channels/101
    subUrl: admin:${CANARY}@192.168.1.64/Streaming/Channels/102
    push:
      url: http://media.county.example/live/hall?secret=${CANARY}&t=1
  - name: door
    url: "rtsp://admin:${CANARY} x@192.168.1.65/ch1"
    subUrl: "http://admin:p@${CANARY}/x@192.168.1.65/ch2"
    push:
      url: srtp://media.example:10080?passphrase=${CANARY}&streamid=#!::r=live/door,m=publish
`;

const EXPECTED_LINES = [
  'cameras[0].url: "rstp://admin:***@192.168.1.64:554/Streaming/Channels/101" is not an rtsp:// URL',
  'cameras[0].subUrl: "admin:***@192.168.1.64/Streaming/Channels/102" is not an rtsp:// URL',
  'cameras[0].push.url: "http://media.county.example/live/hall?secret=***&t=1" is not an rtmp://, rtmps:// or srt:// URL',
  'cameras[1].url: "rtsp://admin:***@192.168.1.65/ch1" is not an rtsp:// URL',
  'cameras[1].subUrl: "http://admin:***@192.168.1.65/ch2" is not an rtsp:// URL',
  'cameras[1].push.url: "srtp://media.example:10080?passphrase=***&streamid=***" is not an rtmp://, rtmps:// or srt:// URL',
];

const temp = makeTempDir();
afterAll(temp.cleanup);
beforeAll(() => setLanguage('en'));

function expectMasked(output: string): void {
  expect(output).not.toContain(CANARY);
  expect(output).toContain('***');
}

describe('config check and run with bad camera URLs', () => {
  const file = writeFile(temp.dir, 'cameras.yaml', `${MINIMAL_CONFIG}${BAD_CAMERAS}`);

  it.each([
    ['config check', ['config', 'check', file]],
    ['run', ['run', '--config', file, '--data-dir', join(temp.dir, 'run-data')]],
  ])('%s: the problem lines show the URLs with their secrets masked', async (_name, args) => {
    const result = await runCli(args);
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 78, stdout: '' });
    expect(result.stderr.trimEnd().split('\n')).toEqual(EXPECTED_LINES);
  });

  it('in Chinese too', async () => {
    const result = await runCli(['config', 'check', file], { env: { ROOM_AGENT_LANG: 'zh' } });
    expect(result.code).toBe(78);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(EXPECTED_LINES.length);
    expectMasked(result.stderr);
  });

  it('a YAML syntax line quoting a URL masks it', async () => {
    const alias = writeFile(
      temp.dir,
      'alias.yaml',
      `${MINIMAL_CONFIG}cameras:\n  - name: hall\n    url: *rtsp://admin:${CANARY}@h/x\n`,
    );
    const result = await runCli(['config', 'check', alias]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 78,
      stderr: `${alias}:8:10: YAML syntax error: alias *rtsp://admin:***@h/x has no anchor (quote a value that starts with "*")\n`,
    });
  });

  it('a URL written as a key is masked in the unknown-key line', async () => {
    const key = writeFile(
      temp.dir,
      'key.yaml',
      `${MINIMAL_CONFIG}cameras:\n  - name: hall\n    rtsp://admin:${CANARY}@h/x: 1\n`,
    );
    const result = await runCli(['config', 'check', key]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 78,
      stderr: 'cameras[0].url: required\ncameras[0].rtsp://admin:***@h/x: unknown key\n',
    });
  });
});

describe('a remote override with bad camera URLs', () => {
  it('is reverted with the URLs masked in the record the journal keeps and in the reason', () => {
    const dir = join(temp.dir, 'revert');
    mkdirSync(dir);
    const room = makeRoom(dir);
    writeFileSync(room.files.override, `version: 1\n${BAD_CAMERAS}`);
    const loaded = loadConfig(room.configPath, room.options);
    expect(loaded.reverted?.problems).toEqual(EXPECTED_LINES.map((line) => `override: ${line}`));
    expectMasked(JSON.stringify(loaded.reverted));
  });

  it('reverted because a camera service did not start: its detail is masked too', () => {
    const reverted = overrideBrokeService([
      `cameras: ffmpeg exited: rtsp://admin:${CANARY}@192.168.1.64/ch1: 401 Unauthorized`,
    ]);
    expect(reverted.problems).toEqual(['cameras: ffmpeg exited: rtsp://admin:***@192.168.1.64/ch1: 401 Unauthorized']);
    expectMasked(reverted.reason);
  });
});

describe('the agent.diagnostics reply to the center', () => {
  const link = { state: 'connected' as const, session: undefined, inflight: 0 };

  /** A room and the reply its agent would send, asked again after each change to the files. */
  function room(name: string) {
    const dir = join(temp.dir, name);
    mkdirSync(dir);
    const files = makeRoom(dir);
    const deps = {
      config: { path: files.configPath, options: files.options, overrideActive: false },
      diagnostics: {
        journal: { verify: () => ({ ok: true, checkedFrom: 1, checkedTo: 1, entries: 1 }) },
        scanner: { state: () => 'disabled', stateDetail: () => undefined },
        disk: () => null,
        // The doctor's own checks are its tests' business (test/doctor): none here.
        doctor: () => runChecks([]),
      },
    } as unknown as CommandDependencies;
    const reply = async () => JSON.stringify(await agentDiagnostics.run({}, { deps, link, afterReply: () => {} }));
    return { files, reply };
  }

  it('masks the camera URLs of a main file edited since the start', async () => {
    const { files, reply } = room('diagnostics-main');
    expect(await reply()).toContain('"valid":true');
    writeFileSync(files.configPath, `${MINIMAL_CONFIG}${BAD_CAMERAS}`);
    const edited = await reply();
    expect(edited).toContain('"valid":false');
    expectMasked(edited);
  });

  it('masks the camera URLs of an override waiting for the next start', async () => {
    const { files, reply } = room('diagnostics-override');
    writeFileSync(files.files.override, `version: 1\n${BAD_CAMERAS}`);
    const pending = await reply();
    expect(pending).toContain('"valid":false');
    expectMasked(pending);
  });
});

describe('a logged configuration', () => {
  it('shows no camera or push URL', () => {
    const lines: string[] = [];
    const destination = new PassThrough().setEncoding('utf8').on('data', (line: string) => lines.push(line));
    const camera = {
      name: 'hall',
      url: `rtsp://admin:${CANARY}@192.168.1.64/ch1`,
      subUrl: `rtsp://admin:${CANARY}@192.168.1.64/ch2`,
      push: { url: `rtmp://media.example/live/hall?secret=${CANARY}`, mode: 'always' },
    };
    createRootLogger({ level: 'info', format: 'json' }, destination).info({ config: { cameras: [camera] } }, 'started');
    expect(lines.join('')).toContain('"name":"hall"');
    expect(lines.join('')).not.toContain(CANARY);
  });
});
