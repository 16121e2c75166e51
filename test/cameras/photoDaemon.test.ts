import { afterEach, describe, expect, it } from 'vitest';
import { callDaemon } from '../../src/control/client.js';
import { makeTempDir } from '../helpers/cli.js';
import { freePort } from '../helpers/mosquitto.js';
import { openJournal, startDaemon, waitForControl, writeConfig, type DaemonProcess } from '../daemon/daemonProcess.js';

const CANARY = 'Canary-Pw-51c7';

let temp: ReturnType<typeof makeTempDir> | undefined;
let daemon: DaemonProcess | undefined;

afterEach(async () => {
  if (daemon?.child.exitCode === null) await daemon.stop();
  temp?.cleanup();
});

function journalTypes(dataDir: string): Array<{ type: string; payload: unknown }> {
  const journal = openJournal(dataDir, 'read');
  try {
    return journal.read(0, 10_000).map(({ type, payload }) => ({ type, payload }));
  } finally {
    journal.close();
  }
}

describe('meeting photos in the daemon', () => {
  it('tries the photo camera at an activity start; with the camera off the photo is journaled missed, without the URL or password', async () => {
    temp = makeTempDir();
    // Nothing listens there: the camera is off. The broker's port is closed too: photos never wait for the county.
    const cameraPort = await freePort();
    const { configPath, dataDir, socketPath } = writeConfig(
      temp.dir,
      `cameras:\n  - name: hall\n    url: rtsp://admin:${CANARY}@127.0.0.1:${cameraPort}/Streaming/Channels/101\n`,
      [],
      `mqtt://127.0.0.1:${await freePort()}`,
    );
    daemon = startDaemon(configPath);
    await waitForControl(socketPath, daemon);
    const activity = (await callDaemon(socketPath, 'activity.start', {
      type: 'branch-meeting',
      title: '支部党员大会',
      photos: 1,
    })) as { id: string };

    // Three grabs a few seconds apart, then the record; the bound only catches a hang.
    const deadline = Date.now() + 60_000;
    let missed: unknown;
    while (missed === undefined && Date.now() < deadline) {
      missed = journalTypes(dataDir).find(({ type }) => type === 'camera.photo.missed')?.payload;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(missed).toEqual({
      camera: 'hall',
      activityId: activity.id,
      slot: 0,
      reason: 'unreachable: <camera>: Connection refused',
    });
    const stopped = await daemon.stop();
    expect(stopped.code).toBe(0);
    const entries = journalTypes(dataDir);
    expect(entries.map(({ type }) => type)).not.toContain('camera.photo');
    // The log says what happened, and neither the log nor the journal holds the password.
    expect(daemon.stdout()).toContain('meeting photo missed');
    for (const text of [JSON.stringify(entries), daemon.stdout(), daemon.stderr()]) expect(text).not.toContain(CANARY);
  });
});
