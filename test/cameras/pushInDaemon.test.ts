import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callDaemon } from '../../src/control/client.js';
import { statusSchema, type Status } from '../../src/app/statusMethod.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/mosquitto.js';
import { startDaemon, waitForControl, writeConfig } from '../daemon/daemonProcess.js';

const CANARY = 'canary-Pw-4417';

/**
 * The push service in the daemon, on the real ffmpeg runner, with a camera nobody serves: the
 * state and the advice reach status, the journal records the state, and the camera's password
 * appears nowhere.
 */
describe('a camera push in the daemon', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => temp.cleanup());

  it('shows an unreachable camera in status with its advice, journals it, and never shows its password', async () => {
    const cameraPort = await freePort();
    const serverPort = await freePort();
    const { configPath, dataDir, socketPath } = writeConfig(
      temp.dir,
      [
        'cameras:',
        '  - name: hall',
        `    url: rtsp://admin:${CANARY}@127.0.0.1:${cameraPort}/main`,
        `    subUrl: rtsp://admin:${CANARY}@127.0.0.1:${cameraPort}/sub`,
        '    push:',
        `      url: rtmp://127.0.0.1:${serverPort}/live/room-stream-key`,
        '      mode: always',
        '',
      ].join('\n'),
    );
    const daemon = startDaemon(configPath);
    await waitForControl(socketPath, daemon);

    let status: Status | undefined;
    const until = Date.now() + 30_000;
    while (Date.now() < until) {
      status = statusSchema.parse(await callDaemon(socketPath, 'status', {}));
      if (status.cameras[0]?.problem !== undefined) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status?.cameras[0]).toMatchObject({ name: 'hall', problem: 'unreachable' });
    expect(['backoff', 'probing']).toContain(status?.cameras[0]?.state);
    expect(status?.services.find((service) => service.name === 'cameras')).toBeDefined();

    const shown = await runCli(['status', '--config', configPath]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^ {2}hall +(backoff|probing)/m);
    expect(shown.stdout).toContain('unreachable: the camera cannot be reached');
    const json = await runCli(['status', '--json', '--config', configPath]);

    expect(await daemon.stop()).toMatchObject({ code: 0 });
    const db = new Database(join(dataDir, 'journal.sqlite'), { readonly: true });
    const states = db
      .prepare("SELECT payload FROM events WHERE type = 'camera.state' ORDER BY seq")
      .all()
      .map((row) => JSON.parse((row as { payload: string }).payload) as { camera: string; state: string });
    const everything = JSON.stringify(db.prepare('SELECT * FROM events').all());
    db.close();
    expect(states[0]).toEqual({ camera: 'hall', state: 'probing' });
    // The journal ends on the state the camera was left in.
    expect(states.at(-1)).toEqual({ camera: 'hall', state: 'idle' });

    for (const text of [shown.stdout, json.stdout, everything, daemon.stdout(), daemon.stderr()]) {
      expect(text).not.toContain(CANARY);
      expect(text).not.toContain('room-stream-key');
    }
    for (const text of [shown.stdout, json.stdout, everything]) expect(text).not.toContain(`127.0.0.1:${cameraPort}`);
  });
});
