import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRtspCamera, type RtspCamera } from '../../src/demo/rtspCamera.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { provisionArgs } from '../helpers/provision.js';

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
    const wrong = camera.url.replace('cam-secret', 'not-it');
    const { args } = provisionArgs(temp.dir, ['--camera', `hall=${camera.url}`, '--camera', `gate=${wrong}`]);
    const result = await runCli(args, { timeoutMs: 90_000 });
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
