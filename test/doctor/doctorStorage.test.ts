import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { fillLeaving, freeFiller, mountTmpfs } from '../storage/mounts.js';
import { doctorRoom, lineOf } from './doctorRig.js';

/** The doctor on a card of its own (a tmpfs): a full one and a read-only one, each its exact ✘ line. */
let broker: Mosquitto;
let room: ReturnType<typeof doctorRoom>;
let card: ReturnType<typeof mountTmpfs> | undefined;

beforeAll(async () => {
  broker = await startMosquitto();
  room = doctorRoom({ brokerUrl: broker.url, sections: 'storage:\n  journalReserveBytes: 4194304' });
  card = mountTmpfs(room.dataDir, 16 * 1024 * 1024);
});

afterAll(async () => {
  card?.unmount();
  await broker?.stop();
  room?.temp.cleanup();
});

describe('room-agent doctor and the data folder', () => {
  it('is ✔ with room to spare, ✘ below storage.journalReserveBytes, ✘ on a read-only card; each exits 71', async () => {
    const sound = await room.doctor();
    expect(lineOf(sound.stdout, '✔ data folder')).toMatch(
      new RegExp(`^✔ data folder ${room.dataDir} writable: 16\\.0 MiB free \\(reserve 4\\.0 MiB\\), \\d+ inodes free$`),
    );
    expect(sound.code, sound.stdout).toBe(0);

    fillLeaving(room.dataDir, 1024 * 1024);
    const full = await room.doctor();
    expect(lineOf(full.stdout, '✘ the data folder')).toMatch(
      new RegExp(
        `^✘ the data folder ${room.dataDir} is short of space: \\d+(\\.\\d)? (KiB|MiB) free, below the 4\\.0 MiB reserve — fix: free space \\(remove files that are not room-agent’s\\) or use a larger card$`,
      ),
    );
    expect(full.code).toBe(71);
    freeFiller(room.dataDir);

    card!.remount('ro');
    try {
      const readOnly = await room.doctor();
      expect(lineOf(readOnly.stdout, '✘ the data folder')).toBe(
        `✘ the data folder ${room.dataDir} is on read-only storage — fix: the card is most likely failing (the kernel made it read-only): replace the card and hand the old one to the county`,
      );
      expect(readOnly.stdout.split('\n').filter((line) => line.startsWith('✘'))).toHaveLength(1);
      expect(readOnly.code).toBe(71);
    } finally {
      card!.remount('rw');
    }
  }, 180_000);

  it('a configuration that does not load is ✘ with its problems, and nothing else is checked', async () => {
    const bad = join(room.temp.dir, 'bad.yaml');
    writeFileSync(bad, 'version: 1\ndevice:\n  id: "bad id"\n');
    const result = await runCli(['doctor', '--config', bad], { timeoutMs: 30_000 });
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^✘ configuration invalid: .*device\.id.* — fix: correct the configuration file as room-agent config check lists$/,
    );
    expect(lines.slice(1)).toEqual([
      '– the other checks need a valid configuration',
      'checks failed: 1 (exit code 71)',
    ]);
    expect(result.code).toBe(71);
  });
});
