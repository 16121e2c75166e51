import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openCenterDatabase } from '../../src/center/database.js';
import { CenterStore } from '../../src/center/store.js';
import { makeTempDir, runCli } from '../helpers/cli.js';

let temp: { dir: string; cleanup: () => void };
let dbFile: string;

beforeEach(() => {
  temp = makeTempDir('center-recordings-');
  dbFile = join(temp.dir, 'center.sqlite');
});
afterEach(() => temp.cleanup());

const A = 'af8ddca6-cf81-4693-ac85-8de86f6b72ab';
const B = 'b1c2d3e4-0000-4000-8000-000000000001';

/** Files as the center records them once received: recording segments of two activities, a photo and a technician's recording. */
function receivedFiles(): void {
  const db = openCenterDatabase(dbFile);
  const store = new CenterStore(db);
  const segment = (deviceId: string, activityId: string, camera: string, index: number, truncated = false) =>
    store.recordFile(
      {
        deviceId,
        fileId: `${activityId.slice(0, 4)}-${camera}-${index}`,
        name: `${activityId}-${camera}-${String(index).padStart(5, '0')}.ts`,
        kind: 'recording',
        size: 1000 + index,
        sha256: String(index).repeat(64).slice(0, 64),
        path: `/srv/files/${deviceId}/${activityId}-${camera}-${index}.ts`,
        meta: {
          activityId,
          camera,
          index,
          truncated,
          startedWallMs: 1_796_641_105_997 + index * 60_000,
          endedWallMs: 1_796_641_165_997 + index * 60_000,
          clock: 'synced',
          durationMs: 60_000,
        },
      },
      1_796_700_000_000,
    );
  // Arrival order is not meeting order: the listing sorts.
  segment('room-1', A, 'hall', 4, true);
  segment('room-1', A, 'hall', 1);
  segment('room-1', A, 'hall', 2);
  segment('room-1', A, 'door', 1);
  segment('room-1', B, 'hall', 1);
  segment('room-2', A, 'hall', 9);
  store.recordFile(
    {
      deviceId: 'room-1',
      fileId: 'photo',
      name: 'p.jpg',
      kind: 'photo',
      size: 5,
      sha256: 'a'.repeat(64),
      path: '/p',
      meta: { activityId: A },
    },
    1,
  );
  store.recordFile(
    {
      deviceId: 'room-1',
      fileId: 'manual',
      name: 'm.ts',
      kind: 'recording',
      size: 5,
      sha256: 'b'.repeat(64),
      path: '/m',
      meta: {},
    },
    1,
  );
  db.close();
}

it('lists an activity’s received segments by camera and index, names the missing indexes, and filters by room', async () => {
  receivedFiles();
  const listed = await runCli([
    'center',
    'recordings',
    '--db',
    dbFile,
    '--room',
    'room-1',
    '--activity',
    A,
    '--lang',
    'en',
  ]);
  expect(listed).toMatchObject({ code: 0, stderr: '' });
  const lines = listed.stdout.trimEnd().split('\n');
  expect(lines[0]).toBe(`room room-1, activity ${A}, camera door: segments received: 1`);
  expect(lines[1]).toMatch(
    /^ {2}#1 {2}2026-\S+ {2}60000 ms {2}1001 B {2}sha256 1{64} {2}\/srv\/files\/room-1\/\S+-door-1\.ts$/,
  );
  expect(lines[2]).toBe(`room room-1, activity ${A}, camera hall: segments received: 3`);
  expect(lines[3]).toBe('  missing indexes: 3');
  expect(lines.slice(4).map((line) => /#(\d+)/.exec(line)?.[1])).toEqual(['1', '2', '4']);
  expect(lines[6]).toMatch(/ \(truncated\)$/);
  expect(lines).toHaveLength(7);

  const json = await runCli(['center', 'recordings', '--db', dbFile, '--activity', A, '--json']);
  expect(json).toMatchObject({ code: 0, stderr: '' });
  const all = z
    .array(z.object({ deviceId: z.string(), camera: z.string(), index: z.number(), sha256: z.string() }))
    .parse(JSON.parse(json.stdout));
  expect(all.map(({ deviceId, camera, index }) => `${deviceId}/${camera}#${index}`)).toEqual([
    'room-1/door#1',
    'room-1/hall#1',
    'room-1/hall#2',
    'room-1/hall#4',
    'room-2/hall#9',
  ]);
});

it('says when nothing was received, and refuses a database that does not exist without creating it', async () => {
  receivedFiles();
  const none = await runCli(['center', 'recordings', '--db', dbFile, '--activity', 'no-such', '--lang', 'en']);
  expect(none).toMatchObject({ code: 0, stdout: 'No recording segments received.\n' });

  const missing = join(temp.dir, 'typo.sqlite');
  const refused = await runCli(['center', 'recordings', '--db', missing, '--lang', 'en']);
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toContain(`cannot read the --db file ${missing}`);
  expect(existsSync(missing)).toBe(false);
});
