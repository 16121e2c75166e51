import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCenterKey } from '../../src/center/signing.js';
import { keyIdOf } from '../../src/journal/keyCrypto.js';
import { MESSAGE_VERSIONS } from '../../src/sync/protocol/messages.js';
import { makeTempDir, runCli, spawnCli } from '../helpers/cli.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import type { Journal } from '../../src/journal/journal.js';
import { openJournal } from '../journal/helpers.js';
import { FakeClock } from '../helpers/fakeClock.js';
import { appendSignIns, done, FakeRoom, startResponder } from './helpers.js';

// These tests run the compiled CLI (dist/), which the suite's global setup or scripts/test.sh builds.
describe('room-agent center (CLI)', () => {
  let broker: Mosquitto;
  let temp: { dir: string; cleanup: () => void };
  const closers: Array<() => Promise<void>> = [];
  beforeEach(async () => {
    broker = await startMosquitto();
    temp = makeTempDir('center-cli-');
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await broker.stop();
    temp.cleanup();
  });

  /** `room-agent center` as a child process, with what it printed so far. */
  function spawnCenter(flags: string[]) {
    const child = spawnCli(['center', '--broker', broker.url, '--db', join(temp.dir, 'center.sqlite'), ...flags]);
    const output = { stdout: '', stderr: '' };
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output.stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    return { output, stop: () => (child.kill('SIGTERM'), exited) };
  }

  /**
   * A room that publishes entries 1..head until the center acks its head: the center may still be
   * connecting when the first batch goes out.
   */
  async function roomSynced(deviceId: string, prepare: (journal: Journal) => void): Promise<FakeRoom> {
    const journal = openJournal(join(temp.dir, deviceId), new FakeClock({ wallMs: Date.now() }));
    prepare(journal);
    const room = await FakeRoom.connect(broker.url, deviceId, journal);
    closers.push(() => room.close());
    await room.publishState();
    const head = journal.head().seq;
    const deadline = Date.now() + 15_000;
    while (room.lastAck()?.seq !== head && Date.now() < deadline) {
      await room.publishBatch(1, head);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(room.lastAck()?.seq).toBe(head);
    return room;
  }

  it('prints the live view to a pipe with --view and stops with exit 0 on SIGTERM', async () => {
    const center = spawnCenter(['--view']);
    await roomSynced('room-view', (journal) => {
      appendSignIns(journal, 7);
      journal.append('note.added', { text: 'not a sign-in' });
    });
    const row = /room-view\s+online\s+\d\d:\d\d:\d\d\s+-\s+8\s+7\s+ok\s+0/;
    const deadline = Date.now() + 10_000;
    while (!row.test(center.output.stdout) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 200));

    const { stdout } = center.output;
    expect(stdout).toMatch(/County center · broker connected · 1 rooms · \d\d:\d\d:\d\d/);
    expect(stdout).toMatch(/room\s+state\s+last seen\s+backlog\s+contiguous\s+sign-ins today\s+chain\s+files/);
    expect(stdout).toMatch(row);
    // A pipe gets plain frames, no terminal control sequences.
    expect(stdout).not.toContain('\u001b[');
    expect(await center.stop()).toBe(0);
    expect(center.output.stderr).toBe('');
  });

  it('logs one JSON line per stored batch with --no-view', async () => {
    const center = spawnCenter(['--no-view', '--prefix', 'county']);
    await roomSynced('room-log', (journal) => appendSignIns(journal, 3));
    expect(await center.stop()).toBe(0);
    const batches = center.output.stdout
      .split('\n')
      .filter((line) => line.includes('stored event batch'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(batches.length).toBeGreaterThanOrEqual(1);
    expect(batches[0]).toMatchObject({
      msg: 'stored event batch',
      deviceId: 'room-log',
      lane: 'backfill',
      fromSeq: 1,
      toSeq: 3,
      stored: 3,
      duplicates: 0,
      contiguousSeq: 3,
    });
  });

  it('keygen writes a 0600 Ed25519 key and prints its public key; it never overwrites one', async () => {
    const file = join(temp.dir, 'center-key.pem');
    const result = await runCli(['center', 'keygen', '--out', file]);
    expect(result.code).toBe(0);
    const publicKey = result.stdout.trim();
    expect(publicKey).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const key = loadCenterKey(file);
    expect(key.publicKey).toBe(publicKey);
    expect(key.keyId).toBe(keyIdOf(publicKey));
    expect(result.stderr).toContain('county.centerPublicKey');

    const again = await runCli(['center', 'keygen', '--out', file]);
    expect(again.code).toBe(73);
    expect(loadCenterKey(file).publicKey).toBe(publicKey);
  });

  it('send prints the reply: exit 0 when done, 65 on an error reply, 69 without a reply', async () => {
    const keyFile = join(temp.dir, 'center-key.pem');
    expect((await runCli(['center', 'keygen', '--out', keyFile])).code).toBe(0);
    const key = loadCenterKey(keyFile);
    const responders: MqttClient[] = [];
    closers.push(async () => {
      for (const client of responders) await client.endAsync();
    });
    responders.push(
      (await startResponder(broker.url, 'room-ok', key, (envelope) => done('room-ok', envelope, { members: 2 })))
        .client,
    );
    responders.push(
      (
        await startResponder(broker.url, 'room-no', key, (envelope) => ({
          v: MESSAGE_VERSIONS.reply,
          deviceId: 'room-no',
          commandId: envelope.id,
          status: 'error',
          error: { code: 'invalid-params', message: 'params.members: required' },
        }))
      ).client,
    );
    const common = ['--broker', broker.url, '--db', join(temp.dir, 'center.sqlite'), '--signing-key', keyFile];

    const ok = await runCli([
      'center',
      'send',
      ...common,
      '--room',
      'room-ok',
      '--type',
      'members.upsert',
      '--params',
      '{"members":[]}',
    ]);
    expect(ok).toMatchObject({ code: 0, stdout: 'done: {"members":2}\n' });

    const json = await runCli(['center', 'send', ...common, '--room', 'room-ok', '--type', 'members.upsert', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'done', deviceId: 'room-ok', result: { members: 2 } });

    const refused = await runCli(['center', 'send', ...common, '--room', 'room-no', '--type', 'members.upsert']);
    expect(refused).toMatchObject({ code: 65, stdout: 'error invalid-params: params.members: required\n' });

    const silent = await runCli([
      'center',
      'send',
      ...common,
      '--room',
      'room-gone',
      '--type',
      'diagnostics.run',
      '--timeout',
      '1',
    ]);
    expect(silent.code).toBe(69);
    expect(silent.stderr).toMatch(
      /^room-agent: no reply from room-gone to command \d+ \(diagnostics\.run\) within 1 s\n$/,
    );

    const badParams = await runCli([
      'center',
      'send',
      ...common,
      '--room',
      'room-ok',
      '--type',
      'members.upsert',
      '--params',
      '[1]',
    ]);
    expect(badParams).toMatchObject({
      code: 64,
      stderr: 'room-agent: center send: --params must be a JSON object: [1]\n',
    });
  });
});
