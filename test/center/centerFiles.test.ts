import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, expect, it } from 'vitest';
import type { CompletedFile } from '../../src/center/store.js';
import { fileAckSchema, MESSAGE_VERSIONS, type FileAck } from '../../src/sync/protocol/messages.js';
import { roomTopics } from '../../src/sync/protocol/topics.js';
import { makeTempDir } from '../helpers/cli.js';
import { startCenterFixture, type CenterFixture } from './helpers.js';

let f: CenterFixture | undefined;
const temp = makeTempDir('center-files-');
afterEach(async () => {
  await f?.close();
  temp.cleanup();
});

it('routes a room’s file upload to the receiver, answers on in/files and records the completed file', async () => {
  const filesDir = join(temp.dir, 'files');
  f = await startCenterFixture({ filesDir });
  const topics = roomTopics('county', 'room-files');
  const client = await mqtt.connectAsync(f.broker.url, {
    protocolVersion: 5,
    clientId: 'room-files',
    reconnectPeriod: 0,
  });
  const acks: FileAck[] = [];
  client.on('message', (_topic, payload) => acks.push(fileAckSchema.parse(JSON.parse(payload.toString('utf8')))));
  await client.subscribeAsync(topics.fileAcks, { qos: 1 });
  const completed = new Promise<CompletedFile>((resolve) => f!.center.once('file', resolve));

  const bytes = randomBytes(40_000);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const init = {
    v: MESSAGE_VERSIONS.fileAck,
    name: 'meeting.jpg',
    size: bytes.length,
    sha256,
    segmentBytes: 16_384,
    kind: 'photo',
    meta: { activityId: 'a-1' },
  };
  await client.publishAsync(topics.fileInit('f1'), JSON.stringify(init), { qos: 1 });
  for (let offset = 0; offset < bytes.length; offset += 16_384) {
    await client.publishAsync(topics.fileSegment('f1', offset), bytes.subarray(offset, offset + 16_384), { qos: 1 });
  }
  await client.publishAsync(topics.fileFin('f1', bytes.length, sha256), Buffer.alloc(0), { qos: 1 });

  const file = await completed;
  expect(file).toMatchObject({
    deviceId: 'room-files',
    fileId: 'f1',
    name: 'meeting.jpg',
    kind: 'photo',
    size: bytes.length,
    sha256,
    meta: { activityId: 'a-1' },
  });
  expect(readFileSync(file.path).equals(bytes)).toBe(true);
  await f.center.waitFor(() => acks.at(-1)?.state === 'complete', 5000, 'the complete ack');
  expect(acks.map((ack) => ack.nextOffset)).toEqual([0, 16_384, 32_768, 40_000, 40_000]);
  expect(f.center.fileCounts().get('room-files')).toBe(1);
  await client.endAsync();
});
