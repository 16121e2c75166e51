import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { activitySchema } from '../../src/activities/schema.js';
import { statusSchema } from '../../src/app/statusMethod.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { openJournal, startDaemon, waitForControl, writeConfig, type DaemonProcess } from '../daemon/daemonProcess.js';
import { objectContaining, stringContaining, stringMatching } from '../helpers/matchers.js';

function conflictLine(activity: z.infer<typeof activitySchema>): string {
  return `room-agent: activity "${activity.title}" (${activity.type}, id ${activity.id}, started ${new Date(activity.startedWallMs).toISOString()}) is still running; end it first (room-agent activity end)\n`;
}

describe('activities from the CLI', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let configPath: string;
  let socketPath: string;
  let daemon: DaemonProcess | undefined;
  const cli = (...args: string[]) => runCli([...args, '--config', configPath]);
  const current = async () =>
    activitySchema.nullable().parse(JSON.parse((await cli('activity', 'current', '--json')).stdout));

  beforeEach(() => {
    temp = makeTempDir();
    let dataDir: string;
    ({ configPath, socketPath, dataDir } = writeConfig(temp.dir));
    // The journal a daemon's first start leaves: standalone commands work on it, never create it.
    openJournal(dataDir, 'create').close();
  });
  afterEach(async () => {
    if (daemon?.child.exitCode === null) await daemon.stop('SIGKILL');
    daemon = undefined;
    temp.cleanup();
  });

  it('work standalone against the journal when no daemon runs', async () => {
    const started = await cli(
      'activity',
      'start',
      '--type',
      'study',
      '--title',
      'Evening study',
      '--photos',
      '2',
      '--recording',
      '--recording-upload',
      'when-idle',
    );
    expect(started.stderr).toBe('');
    expect(started).toMatchObject({
      code: 0,
      stdout: stringMatching(/^Activity started: "Evening study" \(study, from cli, id [0-9a-f-]{36}\)\n/),
    });
    expect(started.stdout).toContain('recording: yes (uploaded when the link is idle)');
    const running = await current();
    expect(running).toMatchObject({
      title: 'Evening study',
      type: 'study',
      source: 'cli',
      photos: 2,
      recording: true,
      recordingUpload: 'when-idle',
      endedSeq: null,
    });

    const again = await cli('activity', 'start', '--type', 'branch-meeting', '--title', 'Other');
    expect(again).toMatchObject({ code: 65, stdout: '', stderr: conflictLine(running!) });

    expect(await cli('activity', 'end', '--reason', 'finished early')).toMatchObject({
      code: 0,
      stdout: stringContaining('ended: '),
    });
    expect(await current()).toBeNull();
    const list = z.array(activitySchema).parse(JSON.parse((await cli('activity', 'list', '--json')).stdout));
    expect(list).toEqual([objectContaining({ id: running!.id, endReason: 'finished early' })]);

    const status = statusSchema.parse(JSON.parse((await cli('status', '--json')).stdout));
    expect(status).toMatchObject({ daemon: null, services: [], activity: null });
  });

  it('go through the running daemon, and the running activity survives a daemon restart', async () => {
    daemon = startDaemon(configPath);
    await waitForControl(socketPath, daemon);
    const status = statusSchema.parse(JSON.parse((await cli('status', '--json')).stdout));
    expect(status.daemon?.pid).toBe(daemon.child.pid);
    expect(status.services.map(({ name, state }) => ({ name, state }))).toContainEqual({
      name: 'control',
      state: 'ok',
    });

    expect(
      await cli('activity', 'start', '--type', 'organizational-life', '--title', 'Organizational life'),
    ).toMatchObject({ code: 0 });
    const running = await current();
    expect(await cli('activity', 'start', '--type', 'study', '--title', 'Other')).toMatchObject({
      code: 65,
      stderr: conflictLine(running!),
    });
    expect(await cli('note', 'member', 'Li', 'signed', 'in', 'by', 'hand', '--operator', 'tech-wang')).toMatchObject({
      code: 0,
      stdout: stringMatching(/^Note recorded in the journal \(seq \d+\)\n$/),
    });

    expect(await daemon.stop()).toMatchObject({ code: 0 });
    daemon = startDaemon(configPath);
    await waitForControl(socketPath, daemon);
    expect(await current()).toEqual(running);
    expect(await cli('activity', 'end')).toMatchObject({ code: 0 });
    expect(await current()).toBeNull();
    expect(await daemon.stop()).toMatchObject({ code: 0 });
  });

  it('say what is wrong with bad input', async () => {
    expect(await cli('activity', 'end')).toMatchObject({ code: 65, stderr: 'room-agent: no activity is running\n' });
    expect(await cli('activity', 'start', '--title', 'No type')).toMatchObject({
      code: 64,
      stderr: 'room-agent: activity start: --type and --title are required\n',
    });
    expect(await cli('activity', 'start', '--type', 'study', '--title', 'x', '--photos', 'many')).toMatchObject({
      code: 64,
      stderr: 'room-agent: activity start: --photos must be a whole number ≥ 0, got "many"\n',
    });
    const badUpload = await cli('activity', 'start', '--type', 'study', '--title', 'x', '--recording-upload', 'later');
    expect(badUpload).toMatchObject({
      code: 64,
      stderr: 'room-agent: activity.start: recordingUpload: "later" is not one of on-request, when-idle\n',
    });
    expect(await cli('note')).toMatchObject({
      code: 64,
      stderr: 'room-agent: note: the note text is required, e.g. room-agent note "replaced the fingerprint module"\n',
    });
  });
});
