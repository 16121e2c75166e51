import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statusSchema, type Status } from '../../src/app/statusMethod.js';
import { callDaemon } from '../../src/control/client.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { tamper } from '../journal/helpers.js';
import { logLines, startDaemon, waitForControl, writeConfig, type DaemonProcess } from './daemonProcess.js';

/** Only catches a verification that never comes; the walk of 50 entries takes a few ms. */
const VERIFY_PATIENCE_MS = 60_000;

type Verification = Status['journal']['verification'];

describe('the daemon verifies the whole journal in the background', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let files: ReturnType<typeof writeConfig>;
  let daemon: DaemonProcess | undefined;

  beforeEach(() => {
    temp = makeTempDir();
    files = writeConfig(temp.dir);
  });
  afterEach(async () => {
    if (daemon?.child.exitCode === null && daemon.child.signalCode === null) await daemon.stop('SIGKILL');
    daemon = undefined;
    temp.cleanup();
  });

  async function start(): Promise<DaemonProcess> {
    daemon = startDaemon(files.configPath);
    await waitForControl(files.socketPath, daemon);
    return daemon;
  }

  async function status(): Promise<Status> {
    return statusSchema.parse(await callDaemon(files.socketPath, 'status', {}));
  }

  /** Polls status until `done` holds for its verification; fails with the last one seen after the patience. */
  async function verificationWhen(done: (verification: Verification) => boolean): Promise<Status> {
    const deadline = Date.now() + VERIFY_PATIENCE_MS;
    for (;;) {
      const now = await status();
      if (done(now.journal.verification)) return now;
      if (Date.now() > deadline)
        throw new Error(`verification never got there: ${JSON.stringify(now.journal.verification)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** A first run that verified everything it holds, through seq 41 and beyond, then stopped as `signal` says. */
  async function firstRun(signal: NodeJS.Signals): Promise<Verification> {
    await start();
    for (let n = 0; n < 40; n++)
      await callDaemon(files.socketPath, 'journal.note', { text: `note ${n}`, operator: 't' });
    const first = await verificationWhen((v) => v.lastFull !== null && v.running === null);
    expect(first.journal.verification.lastFull).toMatchObject({ trigger: 'daily', checkedFrom: 1, broken: null });
    expect(first.journal.head.seq).toBeGreaterThanOrEqual(41);
    // What the tester saw: a journal verified through 41 by the check at open of the next start.
    const stopped = await daemon!.stop(signal);
    expect(stopped.signal ?? stopped.code).toBe(signal === 'SIGKILL' ? 'SIGKILL' : 0);
    return first.journal.verification;
  }

  it('finds an old, already verified entry changed while the daemon was stopped, and status tells it after a restart', async () => {
    await firstRun('SIGTERM');
    await start();
    await daemon!.stop();
    const verifiedThrough = (await runCli(['status', '--json', '--config', files.configPath])).stdout;
    expect(statusSchema.parse(JSON.parse(verifiedThrough)).journal.lastVerify).toMatchObject({ ok: true });

    tamper(files.dataDir, (db) => db.prepare('UPDATE events SET payload = \'{"text":"forged"}\' WHERE seq = 6').run());
    await start();
    const found = await verificationWhen((v) => v.lastFull?.trigger === 'changed-while-stopped');
    const reason = 'entry 6 was changed: its content no longer matches its hash';
    expect(found.journal.verification.lastFull).toMatchObject({
      checkedFrom: 1,
      checkedTo: 5,
      broken: { seq: 6, reason },
    });
    // The check at open covered only what came after the last verified seq: it saw nothing wrong.
    expect(found.journal.verification.lastCheck).toMatchObject({ mode: 'incremental', broken: null });
    expect(found.services.find((service) => service.name === 'journal-verify')).toEqual({
      name: 'journal-verify',
      state: 'degraded',
      detail: `journal chain broken at seq 6: ${reason}`,
    });
    await daemon!.stop();
    expect(logLines(daemon!.stdout()).filter((line) => line.msg === 'full journal verification failed')).toMatchObject([
      { firstBrokenSeq: 6, reason },
    ]);

    // Recorded in the journal file: the CLI without a daemon, and the daemon after a clean restart, say it.
    const standalone = await runCli(['status', '--config', files.configPath]);
    expect(standalone.stdout).toContain(`BROKEN at seq 6: ${reason}`);
    await start();
    expect((await status()).journal.verification.lastFull).toMatchObject({ broken: { seq: 6 } });
  });

  it('runs after an unclean stop (SIGKILL) although the last full verification is fresh', async () => {
    const before = await firstRun('SIGKILL');
    await start();
    const after = await verificationWhen((v) => v.lastFull?.trigger === 'unclean-stop');
    expect(after.journal.verification.lastFull!.startedWallMs).toBeGreaterThanOrEqual(before.lastFull!.wallMs);
    expect(after.journal.verification.lastFull).toMatchObject({ checkedFrom: 1, broken: null });
    expect(after.journal.verification.lastFull!.checkedTo).toBeGreaterThan(41);
  });
});
