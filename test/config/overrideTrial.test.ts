import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inspectConfig, loadConfig } from '../../src/config/load.js';
import { readTrialMarker, trialMarkerFor } from '../../src/config/overrideFiles.js';
import { writeOverride } from '../../src/config/writeOverride.js';
import { setLanguage } from '../../src/i18n.js';
import { makeTempDir } from '../helpers/cli.js';
import { makeRoom, snapshot } from './files.js';

/**
 * A new remote override runs on trial: it becomes the last good configuration only once the
 * daemon confirms it ran healthy. A start that never confirmed (crash, hang, watchdog kill) gets
 * it reverted at the next start.
 */
beforeAll(() => setLanguage('en'));

const DID_NOT_START = {
  code: 'override-did-not-start',
  problems: [],
  reason: 'the remote override did not start successfully',
};

let temp: ReturnType<typeof makeTempDir>;
let children: ChildProcess[] = [];
beforeEach(() => (temp = makeTempDir()));
afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children = [];
  temp.cleanup();
});

/** A real process other than this one, to stand for a daemon that holds (or held) the trial. */
async function otherProcess(keepRunning: boolean): Promise<number> {
  const child = spawn(process.execPath, ['-e', keepRunning ? 'setInterval(() => {}, 1000)' : ''], { stdio: 'ignore' });
  children.push(child);
  await once(child, keepRunning ? 'spawn' : 'exit');
  return child.pid!;
}

describe('a new remote override', () => {
  it('is put on trial, and confirmGood makes it the last good one', () => {
    const room = makeRoom(temp.dir);
    writeOverride(room.configPath, { journal: { retentionDays: 30 } }, room.options);
    const text = readFileSync(room.files.override, 'utf8');

    const loaded = loadConfig(room.configPath, room.options);
    expect(loaded.overrideActive).toBe(true);
    expect(loaded.config.journal.retentionDays).toBe(30);
    expect(readTrialMarker(room.files.trial)).toEqual(trialMarkerFor(text));
    expect(existsSync(room.files.lastGood)).toBe(false);

    loaded.confirmGood();
    expect(readFileSync(room.files.lastGood, 'utf8')).toBe(text);
    expect(existsSync(room.files.trial)).toBe(false);

    const next = loadConfig(room.configPath, room.options);
    expect(next.reverted).toBeUndefined();
    expect(next.config.journal.retentionDays).toBe(30);
    expect(existsSync(room.files.trial)).toBe(false);
  });

  it('left on trial by a start that never confirmed is reverted to the last good one', () => {
    const room = makeRoom(temp.dir);
    writeOverride(room.configPath, { journal: { retentionDays: 30 } }, room.options);
    loadConfig(room.configPath, room.options).confirmGood();
    writeOverride(room.configPath, { journal: { retentionDays: 7 } }, room.options);
    const untried = readFileSync(room.files.override, 'utf8');

    expect(loadConfig(room.configPath, room.options).config.journal.retentionDays).toBe(7);
    // That start died before device.configTrialSeconds: no confirmGood().
    const next = loadConfig(room.configPath, room.options);

    expect(next.reverted).toEqual(DID_NOT_START);
    expect(next.config.journal.retentionDays).toBe(30);
    expect(readFileSync(room.files.override, 'utf8')).toBe(readFileSync(room.files.lastGood, 'utf8'));
    expect(readFileSync(room.files.rejected, 'utf8')).toBe(untried);
    expect(existsSync(room.files.trial)).toBe(false);
  });

  it('left on trial by a process that has died is reverted to the main file when nothing was good before', async () => {
    const room = makeRoom(temp.dir);
    writeOverride(room.configPath, { journal: { retentionDays: 7 } }, room.options);
    const text = readFileSync(room.files.override, 'utf8');
    writeFileSync(room.files.trial, JSON.stringify({ ...trialMarkerFor(text), pid: await otherProcess(false) }));

    const loaded = loadConfig(room.configPath, room.options);

    expect(loaded.reverted).toEqual(DID_NOT_START);
    expect(loaded.overrideActive).toBe(false);
    expect(loaded.config.journal.retentionDays).toBe(90);
    expect(existsSync(room.files.override)).toBe(false);
  });

  it('on trial in another live process (the running daemon) is left alone', async () => {
    const room = makeRoom(temp.dir);
    writeOverride(room.configPath, { journal: { retentionDays: 7 } }, room.options);
    const text = readFileSync(room.files.override, 'utf8');
    writeFileSync(room.files.trial, JSON.stringify({ ...trialMarkerFor(text), pid: await otherProcess(true) }));
    const before = snapshot(temp.dir);

    const loaded = loadConfig(room.configPath, room.options);
    loaded.confirmGood();

    expect(loaded.reverted).toBeUndefined();
    expect(loaded.config.journal.retentionDays).toBe(7);
    expect(snapshot(temp.dir)).toEqual(before);
  });

  it('replaced while another was on trial gets a trial of its own', () => {
    const room = makeRoom(temp.dir);
    writeOverride(room.configPath, { journal: { retentionDays: 7 } }, room.options);
    const first = loadConfig(room.configPath, room.options);
    writeOverride(room.configPath, { journal: { retentionDays: 8 } }, room.options);
    const second = readFileSync(room.files.override, 'utf8');

    // The first start confirming late must not bless the override it never ran.
    first.confirmGood();
    expect(readFileSync(room.files.lastGood, 'utf8')).not.toBe(second);

    const loaded = loadConfig(room.configPath, room.options);
    expect(loaded.reverted).toBeUndefined();
    expect(loaded.config.journal.retentionDays).toBe(8);
    expect(readTrialMarker(room.files.trial)).toEqual(trialMarkerFor(second));
  });
});

describe('a trial settled while the daemon runs', () => {
  it('interrupted by a clean stop is tried afresh at the next start, not reverted', () => {
    const room = makeRoom(temp.dir);
    writeOverride(room.configPath, { journal: { retentionDays: 7 } }, room.options);
    const text = readFileSync(room.files.override, 'utf8');

    loadConfig(room.configPath, room.options).interruptTrial();
    expect(existsSync(room.files.trial)).toBe(false);

    const next = loadConfig(room.configPath, room.options);
    expect(next.reverted).toBeUndefined();
    expect(next.onTrial).toBe(true);
    expect(readTrialMarker(room.files.trial)).toEqual(trialMarkerFor(text));
  });

  it('rejected puts the last good override back and keeps the rejected one, then cannot be confirmed', () => {
    const room = makeRoom(temp.dir);
    writeOverride(room.configPath, { journal: { retentionDays: 30 } }, room.options);
    loadConfig(room.configPath, room.options).confirmGood();
    const lastGood = readFileSync(room.files.lastGood, 'utf8');
    writeOverride(room.configPath, { journal: { retentionDays: 7 } }, room.options);
    const broken = readFileSync(room.files.override, 'utf8');

    const loaded = loadConfig(room.configPath, room.options);
    loaded.rejectTrial();
    loaded.confirmGood();

    expect(readFileSync(room.files.override, 'utf8')).toBe(lastGood);
    expect(readFileSync(room.files.lastGood, 'utf8')).toBe(lastGood);
    expect(readFileSync(room.files.rejected, 'utf8')).toBe(broken);
    expect(existsSync(room.files.trial)).toBe(false);
    expect(loadConfig(room.configPath, room.options).reverted).toBeUndefined();
  });

  it('rejected leaves alone a newer override written meanwhile, which gets a trial of its own', () => {
    const room = makeRoom(temp.dir);
    writeOverride(room.configPath, { journal: { retentionDays: 7 } }, room.options);
    const loaded = loadConfig(room.configPath, room.options);
    writeOverride(room.configPath, { journal: { retentionDays: 8 } }, room.options);
    const newer = readFileSync(room.files.override, 'utf8');

    loaded.rejectTrial();

    expect(readFileSync(room.files.override, 'utf8')).toBe(newer);
    const next = loadConfig(room.configPath, room.options);
    expect(next.reverted).toBeUndefined();
    expect(next.config.journal.retentionDays).toBe(8);
  });
});

describe('inspectConfig (every command but run)', () => {
  it('reports what the next start would revert without changing any file', () => {
    const room = makeRoom(temp.dir);
    writeOverride(room.configPath, { journal: { retentionDays: 7 } }, room.options);
    loadConfig(room.configPath, room.options);
    const before = snapshot(temp.dir);

    const inspected = inspectConfig(room.configPath, room.options);

    expect(inspected.reverted).toEqual(DID_NOT_START);
    expect(inspected.config.journal.retentionDays).toBe(90);
    expect(snapshot(temp.dir)).toEqual(before);
  });

  it('never puts a new override on trial', () => {
    const room = makeRoom(temp.dir);
    writeOverride(room.configPath, { journal: { retentionDays: 7 } }, room.options);

    expect(inspectConfig(room.configPath, room.options).config.journal.retentionDays).toBe(7);
    expect(existsSync(room.files.trial)).toBe(false);
  });
});
