import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { z } from 'zod';
import { expect, it } from 'vitest';
import type { CompletedFile } from '../../src/center/store.js';
import { uploadSummarySchema } from '../../src/sync/files/methods.js';
import { roomTopics } from '../../src/sync/protocol/topics.js';
import { runCli } from '../helpers/cli.js';
import { SYNC_TIMEOUT_MS, until, useSyncScenario } from '../helpers/syncScenario.js';
import { startTcpProxy } from '../helpers/tcpProxy.js';
import { objectContaining } from '../helpers/matchers.js';

const scenario = useSyncScenario();

const FILE_BYTES = 3 * 1024 * 1024;
const SEGMENT_BYTES = 65_536;
/** Several seconds for the file at this cap: both cuts land mid-way. */
const CAP = 393_216;

it('a file upload cut mid-way resumes from the last acknowledged offset, and the center ends with the same bytes (sha256)', async () => {
  const sync = await scenario({
    via: (port) => startTcpProxy({ targetPort: port }),
    county: { backfillBytesPerSecond: CAP, fileSegmentBytes: SEGMENT_BYTES },
  });
  const { room, proxy, broker } = sync;
  const center = await sync.startCenter();
  await room.start();
  await sync.waitSynced();

  // A spy on the room's file segments, straight at the broker: which offsets went out, and when.
  const spy = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
  const segments: Array<{ offset: number; at: number }> = [];
  spy.on('message', (topic) => {
    const offset = /\/seg\/(\d+)$/.exec(topic)?.[1];
    if (offset !== undefined) segments.push({ offset: Number(offset), at: performance.now() });
  });
  await spy.subscribeAsync(`${roomTopics('county', room.deviceId).base}/out/files/#`, { qos: 0 });

  const completed: CompletedFile[] = [];
  center.on('file', (file) => completed.push(file));
  try {
    const content = randomBytes(FILE_BYTES);
    const path = join(room.dataDir, 'meeting-recording.bin');
    writeFileSync(path, content);
    const sent = await runCli(['files', 'send', path, '--kind', 'recording', '--config', room.configPath]);
    expect(sent).toMatchObject({ code: 0, stderr: '' });
    const fileId = /queued for upload as (\S+) /.exec(sent.stdout)?.[1];
    expect(fileId).toBeDefined();

    const upload = async () =>
      z
        .array(uploadSummarySchema)
        .parse(await room.call('files.list', {}))
        .find((row) => row.fileId === fileId)!;
    const cutAt: Array<{ acked: number; at: number }> = [];
    for (const fraction of [1 / 3, 2 / 3]) {
      await until(
        async () => (await upload()).ackedOffset >= FILE_BYTES * fraction,
        30_000,
        () => `the upload past ${Math.round(fraction * 100)} %`,
      );
      const acked = (await upload()).ackedOffset;
      expect(acked).toBeLessThan(FILE_BYTES);
      cutAt.push({ acked, at: performance.now() });
      if (cutAt.length === 1) proxy.cut();
      else await proxy.cutBetweenPublishAndPuback();
    }

    await until(
      async () => (await upload()).state === 'complete',
      SYNC_TIMEOUT_MS,
      () => 'the upload complete',
    );
    await until(
      () => completed.length > 0,
      10_000,
      () => 'the file at the center',
    );
    expect(completed).toEqual([
      objectContaining({ deviceId: room.deviceId, fileId, size: FILE_BYTES, kind: 'recording' }),
    ]);
    for (const cut of cutAt) {
      // After each cut the room went on from what the center had acknowledged, never from the start.
      const after = segments.filter(({ at }) => at > cut.at);
      expect(after.length).toBeGreaterThan(0);
      expect(Math.min(...after.map(({ offset }) => offset))).toBeGreaterThanOrEqual(cut.acked);
    }
    const received = readFileSync(completed[0]!.path);
    expect(createHash('sha256').update(received).digest('hex')).toBe(
      createHash('sha256').update(content).digest('hex'),
    );
  } finally {
    await spy.endAsync();
  }
});
