import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRtspCamera, type RtspCamera } from '../../src/demo/rtspCamera.js';
import { makeTempDir, REPO_ROOT, runCli } from '../helpers/cli.js';

/** provision reads each camera it was given once, through the daemon's own probe, and says what the push can carry. */
const temp = makeTempDir('room-agent-provision-cameras-');
let camera: RtspCamera;

beforeAll(async () => {
  camera = await startRtspCamera({ variant: 'h265', user: 'admin', password: 'cam-secret' });
});

afterAll(async () => {
  await camera?.stop();
  temp.cleanup();
});

describe('room-agent provision and cameras', () => {
  it('shows codec and resolution, the H.265-over-RTMP advice for a pushed camera, and a refused password, masking passwords', async () => {
    const config = join(temp.dir, 'config.yaml');
    copyFileSync(join(REPO_ROOT, 'config/room-agent.example.yaml'), config);
    const wrong = camera.url.replace('cam-secret', 'not-it');
    const result = await runCli(
      [
        'provision',
        '--non-interactive',
        '--config',
        config,
        '--secrets',
        join(temp.dir, 'secrets.env'),
        '--data-dir',
        join(temp.dir, 'data'),
        '--service-user',
        '65534:65534',
        '--broker',
        'mqtt://127.0.0.1:1',
        '--allow-unreachable',
        '--camera',
        `hall=${camera.url}`,
        '--camera',
        `gate=${wrong}`,
      ],
      { timeoutMs: 90_000 },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`camera hall (${camera.url.replace('cam-secret', '***')}): video hevc 640×360`);
    expect(result.stdout).toContain('  push: the camera sends H.265 video, which an RTMP push cannot carry');
    expect(result.stdout).toContain(
      `camera gate (${wrong.replace('not-it', '***')}): the camera refused the user name or password`,
    );
    expect(result.stdout).not.toContain('cam-secret');
  });
});
