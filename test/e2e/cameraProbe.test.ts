import { readFileSync, writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { cameraAdvice } from '../../src/cameras/messages.js';
import type { CameraReport } from '../../src/cameras/types.js';
import { startMediaServer } from '../../src/demo/mediaServer.js';
import { freePort } from '../../src/demo/ports.js';
import { startRtspCamera } from '../../src/demo/rtspCamera.js';
import { arrayContaining, objectContaining, stringContaining } from '../helpers/matchers.js';
import { storedThrough, until, useSyncScenario } from '../helpers/syncScenario.js';
import {
  command,
  everythingShown,
  expectNoSecrets,
  FRAMES_TIMEOUT_MS,
  journalText,
  LIVE_TIMEOUT_MS,
  receivedCodecs,
  roomCli,
  STATE_TIMEOUT_MS,
  useRigs,
  waitForCamera,
  waitForHealth,
} from './cameraProbeRoom.js';

/** The cameras' password: it must show nowhere, whether ffmpeg fails on the camera or pushes it. */
const PASSWORD = 'Cam-Canary-5c1e';
/** A password the camera refuses: a canary as well. */
const WRONG_PASSWORD = 'Wrong-Canary-93ab';
/** The media server's publishing key, in the push URL's query. */
const PUSH_KEY = 'Key-Canary-77d0';
/** The center stores a health message as it arrives: the bound covers the broker's delivery under load. */
const HEALTH_AT_CENTER_TIMEOUT_MS = 15_000;
/** Sign-ins made while the cameras fail: they reach the center all the same. */
const SIGN_INS = 20;
/** Long enough for several probes of the failing cameras and for frames to go on arriving. */
const WATCH_NOTHING_MS = 5_000;

const scenario = useSyncScenario();
const rig = useRigs();

it('one room, five cameras: G.711 pushed as AAC, H.265 failed with its advice, 404, closed port and 401 each a clear state, sign-in and sync unaffected, and no password or key shown anywhere', async () => {
  const [g711, hevc, server] = await Promise.all([
    rig(startRtspCamera({ variant: 'h264-pcma', user: 'admin', password: PASSWORD })),
    rig(startRtspCamera({ variant: 'h265', user: 'admin', password: PASSWORD })),
    rig(startMediaServer()),
  ]);
  const closedPort = await freePort();
  const at = (port: number, path: string, password = PASSWORD): string =>
    `rtsp://admin:${password}@127.0.0.1:${port}${path}`;
  const push = (stream: string): { url: string; mode: string } => ({
    url: `${server.streamUrl(stream)}?key=${PUSH_KEY}`,
    mode: 'always',
  });
  const sync = await scenario({
    sections: {
      cameras: [
        { name: 'g711', url: g711.url, subUrl: g711.subUrl, push: push('g711') },
        { name: 'hevc', url: hevc.url, push: push('hevc') },
        { name: 'nopath', url: at(g711.port, '/no-such-stream'), push: push('nopath') },
        { name: 'closed', url: at(closedPort, '/main'), push: push('closed') },
        { name: 'badpass', url: at(g711.port, '/main', WRONG_PASSWORD), push: push('badpass') },
      ],
    },
  });
  const { room } = sync;
  const watchers = {
    g711: server.watch('g711'),
    hevc: server.watch('hevc'),
    nopath: server.watch('nopath'),
    badpass: server.watch('badpass'),
  };
  await sync.startCenter();
  await room.start();

  // The G.711 camera: its video copied, its audio converted to AAC, as the receiver reads it back.
  const live = await waitForCamera(sync, 'g711', 'live', (camera) => camera.state === 'live', LIVE_TIMEOUT_MS);
  expect(live).toMatchObject({
    video: { codec: 'h264', width: 320, height: 180 },
    audio: { codec: 'pcm_alaw', pushedAs: 'aac' },
  });
  await watchers.g711.waitForFrames(50, FRAMES_TIMEOUT_MS);
  expect(await receivedCodecs(server.streamUrl('g711'))).toEqual({ video: 'h264', audio: 'aac' });

  // Each camera that cannot be pushed says why and what to change.
  const hevcReport = await waitForCamera(sync, 'hevc', 'failed', (c) => c.state === 'failed', STATE_TIMEOUT_MS);
  expect(hevcReport).toMatchObject({ problem: 'h265-over-rtmp', video: { codec: 'hevc', width: 640, height: 360 } });
  const notFound = await waitForCamera(sync, 'nopath', 'failed', (c) => c.state === 'failed', STATE_TIMEOUT_MS);
  expect(notFound).toMatchObject({ problem: 'not-found', lastError: stringContaining('404') });
  const refused = await waitForCamera(sync, 'badpass', 'failed', (c) => c.state === 'failed', STATE_TIMEOUT_MS);
  expect(refused).toMatchObject({ problem: 'auth-failed', lastError: stringContaining('401') });
  // Nobody answers at a closed port: that may heal (the camera is switched on), so it is retried.
  const unreachable = await waitForCamera(
    sync,
    'closed',
    'backing off, unreachable',
    (c) => c.problem === 'unreachable',
    STATE_TIMEOUT_MS,
  );
  expect(['backoff', 'probing']).toContain(unreachable.state);
  const settled = (cameras: readonly CameraReport[] = []): boolean =>
    cameras.some(({ name, state }) => name === 'g711' && state === 'live') &&
    cameras.some(({ name, state }) => name === 'hevc' && state === 'failed');
  const health = await waitForHealth(sync, 'g711 live and hevc failed', settled);
  // Of these two the entries stay as they are; the closed camera's flips between backoff and probing.
  const steady = [
    objectContaining({ name: 'g711', state: 'live', audio: { codec: 'pcm_alaw', pushedAs: 'aac' } }),
    objectContaining({
      name: 'hevc',
      state: 'failed',
      problem: 'h265-over-rtmp',
      detail: cameraAdvice('h265-over-rtmp', 'en'),
    }),
  ];
  expect(health).toEqual(arrayContaining(steady));

  // The county center takes the same from the health it received.
  const center = sync.center!;
  await until(
    () => settled(center.room(sync.deviceId)?.cameras),
    HEALTH_AT_CENTER_TIMEOUT_MS,
    () =>
      `the center showing g711 live and hevc failed (cameras ${JSON.stringify(center.room(sync.deviceId)?.cameras)})`,
  );
  expect(center.room(sync.deviceId)?.cameras).toEqual(arrayContaining(steady));

  // Status shows the advice in the reader's language.
  const en = await roomCli(sync, ['status', '--lang', 'en']);
  const zh = await roomCli(sync, ['status', '--lang', 'zh']);
  expect(en.stdout).toMatch(/^ {2}g711 +live .*pcm_alaw→aac/m);
  expect(en.stdout).toMatch(/^ {2}hevc +failed +hevc 640×360/m);
  for (const problem of ['h265-over-rtmp', 'not-found', 'auth-failed', 'unreachable'] as const) {
    expect(en.stdout).toContain(`${problem}: ${cameraAdvice(problem, 'en')}`);
    expect(zh.stdout).toContain(`${problem}: ${cameraAdvice(problem, 'zh')}`);
  }
  expect(en.stdout).toContain('视频编码 H.264');
  expect(zh.stdout).toContain('视频编码');
  const { services } = await room.status();
  expect(services.find(({ name }) => name === 'cameras')).toMatchObject({
    state: 'degraded',
    detail: stringContaining('hevc: failed (h265-over-rtmp)'),
  });
  expect(services.filter(({ name, state }) => name !== 'cameras' && state !== 'ok')).toEqual([]);

  // Sign-in and sync go on beside the failing cameras.
  await room.addMembers();
  await room.signIns(SIGN_INS);
  const head = await sync.waitSynced();
  expect(sync.centerView()).toMatchObject({ stored: storedThrough(head), broken: null });

  // A start asked of the H.265 camera probes it again and answers with the same clear state.
  const retried = await command(sync, 'camera.stream', { camera: 'hevc', action: 'start' });
  expect(retried).toMatchObject({
    status: 'done',
    result: { camera: 'hevc', state: 'failed', problem: 'h265-over-rtmp' },
  });
  const photoRefused = await command(sync, 'camera.photo', { camera: 'badpass' });
  expect(photoRefused).toMatchObject({ status: 'error' });
  const photo = await command(sync, 'camera.photo', { camera: 'g711' });
  expect(photo).toMatchObject({ status: 'done' });
  const diagnostics = await command(sync, 'agent.diagnostics', {});
  expect(diagnostics).toMatchObject({ status: 'done', result: { config: { valid: true } } });

  // Nothing was pushed of the cameras that failed, while the live one kept flowing.
  const before = watchers.g711.frames();
  await new Promise((resolve) => setTimeout(resolve, WATCH_NOTHING_MS));
  expect(watchers.g711.frames()).toBeGreaterThan(before);
  expect({
    hevc: watchers.hevc.frames(),
    nopath: watchers.nopath.frames(),
    badpass: watchers.badpass.frames(),
  }).toEqual({ hevc: 0, nopath: 0, badpass: 0 });
  expect(server.log()).toContain("publish: name='g711'");
  expect(server.log()).not.toMatch(/publish: name='(hevc|nopath|closed|badpass)'/);

  // The configuration edited on site, with a camera URL and a push URL the check refuses: the
  // problem lines, which quote the values, reach the county in the diagnostics and a refused config.set.
  const original = readFileSync(room.configPath, 'utf8');
  const edited = JSON.parse(original) as { cameras: Array<{ url: string; push: { url: string } }> };
  edited.cameras[4]!.url = `rtsp://admin:${WRONG_PASSWORD} @127.0.0.1:${g711.port}/main`;
  edited.cameras[3]!.push.url = `ftp://127.0.0.1:${server.port}/live/closed?key=${PUSH_KEY}`;
  writeFileSync(room.configPath, JSON.stringify(edited));
  const editedDiagnostics = await command(sync, 'agent.diagnostics', {});
  expect(editedDiagnostics).toMatchObject({
    status: 'done',
    result: { config: { valid: false, problems: [stringContaining('cameras'), stringContaining('cameras')] } },
  });
  const refusedSet = await command(sync, 'config.set', { values: { 'journal.retentionDays': 30 } });
  expect(refusedSet).toMatchObject({ status: 'error', error: { message: stringContaining('cameras') } });
  writeFileSync(room.configPath, original);

  // Where people and the county look, while one camera pushes and four fail: no password, no key.
  const secrets = [PASSWORD, WRONG_PASSWORD, PUSH_KEY];
  const replies = { retried, photoRefused, photo, diagnostics, editedDiagnostics, refusedSet };
  const shown = await everythingShown(sync);
  // The search looks where the cameras do show.
  for (const where of ['daemon output', 'journal entries', 'journal export', 'status --json', 'retained health'])
    expect(shown[where], where).toContain('badpass');
  expectNoSecrets(
    {
      ...shown,
      ...Object.fromEntries(Object.entries(replies).map(([name, reply]) => [`${name} reply`, JSON.stringify(reply)])),
    },
    secrets,
  );

  // Nor after the daemon stopped: its last lines and the journal's last states.
  await room.stop();
  expectNoSecrets({ 'daemon output': room.output(), 'journal entries': journalText(sync) }, secrets);
});
