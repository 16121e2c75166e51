import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { activitySchema } from '../../src/activities/schema.js';
import { callDaemon } from '../../src/control/client.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { startDaemon, waitForControl, writeConfig, type DaemonProcess } from '../daemon/daemonProcess.js';

describe('a plan pushed ahead of time', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let daemon: DaemonProcess | undefined;
  beforeEach(() => (temp = makeTempDir()));
  afterEach(async () => {
    if (daemon?.child.exitCode === null) await daemon.stop('SIGKILL');
    temp.cleanup();
  });

  it('starts its activity at its time while the daemon runs, with no link to the county', async () => {
    const { configPath, socketPath } = writeConfig(temp.dir);
    daemon = startDaemon(configPath);
    await waitForControl(socketPath, daemon);

    // Far enough ahead that the CLI adding the plan (a node start, slow on a loaded machine) is done before it.
    const startsAtMs = Date.now() + 10_000;
    const planFile = join(temp.dir, 'plan.json');
    const plan = {
      id: 'P-soon',
      type: 'theme-party-day',
      title: 'Theme party day',
      startsAt: new Date(startsAtMs).toISOString(),
      durationMin: 90,
      photos: 3,
      recording: true,
    };
    writeFileSync(planFile, JSON.stringify(plan));
    const added = await runCli(['activity', 'plan', 'add', '--file', planFile, '--config', configPath]);
    expect(added).toMatchObject({
      code: 0,
      stdout: `Activity plan recorded: P-soon, starts at ${plan.startsAt} (state scheduled)\n`,
    });
    expect(activitySchema.nullable().parse(await callDaemon(socketPath, 'activity.current', {}))).toBeNull();

    let running = null;
    while (running === null && Date.now() < startsAtMs + 10_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      running = activitySchema.nullable().parse(await callDaemon(socketPath, 'activity.current', {}));
    }
    if (running === null) throw new Error('the planned activity had not started 10 s after its start time');
    expect(running).toMatchObject({
      source: 'plan',
      planId: 'P-soon',
      type: 'theme-party-day',
      photos: 3,
      recording: true,
      durationMin: 90,
    });
    expect(running.startedWallMs).toBeGreaterThanOrEqual(startsAtMs);
    const listed = await runCli(['activity', 'plan', 'list', '--config', configPath]);
    expect(listed.stdout).toContain(`started    theme-party-day      "Theme party day"  P-soon  → ${running.id}`);
    expect(await daemon.stop()).toMatchObject({ code: 0 });
  });
});
