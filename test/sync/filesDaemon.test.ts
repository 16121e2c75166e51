import { readFileSync } from 'node:fs';
import { beforeEach, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { SyncRoom } from '../helpers/syncRoom.js';
import { openJournal } from '../daemon/daemonProcess.js';
import { useFileCenter, writeRandomFile, type FileCenter } from './filesRig.js';
import { waitUntil } from './outboxHarness.js';

/** `room-agent files send` against `room-agent run` (compiled CLI and daemon), through a real broker to the center's receiver. */
const scene = useFileCenter();
let center: FileCenter;
let room: SyncRoom;

beforeEach(() => {
  center = scene.center;
  room = new SyncRoom({ dir: scene.dir, deviceId: 'room-1', brokerUrl: scene.broker.url });
  scene.defer(() => room.stop());
});

it('sends a file queued while the daemon was stopped once it runs, and one queued through the running daemon at once', async () => {
  openJournal(room.dataDir, 'create').close();
  const early = writeRandomFile(scene.dir, 'early.jpg', 200_000, 1);
  const late = writeRandomFile(scene.dir, 'late.mp4', 500_000, 2);
  const queued = await runCli(['files', 'send', early.path, '--kind', 'photo', '--config', room.configPath]);
  expect(queued).toMatchObject({ code: 0, stderr: '' });

  await room.start();
  const sent = await runCli(['files', 'send', late.path, '--kind', 'recording', '--config', room.configPath]);
  expect(sent).toMatchObject({ code: 0, stderr: '' });
  await waitUntil(
    () => center.received.length === 2,
    15_000,
    () => room.output(),
  );

  expect(center.received.map((file) => file.init.name)).toEqual(['early.jpg', 'late.mp4']);
  expect(readFileSync(center.received[0]!.path).equals(early.bytes)).toBe(true);
  expect(readFileSync(center.received[1]!.path).equals(late.bytes)).toBe(true);
  const listed = await runCli(['files', 'list', '--json', '--config', room.configPath]);
  expect(JSON.parse(listed.stdout)).toMatchObject([
    { name: 'late.mp4', state: 'complete', ackedOffset: 500_000 },
    { name: 'early.jpg', state: 'complete', ackedOffset: 200_000 },
  ]);
});
