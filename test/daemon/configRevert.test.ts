import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { callDaemon } from '../../src/control/client.js';
import { statusSchema } from '../../src/app/statusMethod.js';
import { makeTempDir } from '../helpers/cli.js';
import { logLines, openJournal, startDaemon, waitForControl, writeConfig } from './daemonProcess.js';

describe('a remote override that fails validation', () => {
  let temp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (temp = makeTempDir()));
  afterEach(() => temp.cleanup());

  it('is reverted to the last good override; the daemon runs on it and journals config.reverted with a code and English problems, whatever the locale', async () => {
    const { configPath, dataDir, socketPath } = writeConfig(temp.dir);
    const overrideDir = join(dataDir, 'config');
    mkdirSync(overrideDir, { recursive: true });
    // The last good override quiets the log to warnings: the daemon's output shows which one it runs.
    const lastGood = 'log:\n  level: warn\n';
    writeFileSync(join(overrideDir, 'override.last-good.yaml'), lastGood);
    writeFileSync(join(overrideDir, 'override.yaml'), 'log:\n  level: loud\n');

    // Chinese, as under systemd where no LANG is set: the journal must still get English.
    const daemon = startDaemon(configPath, { ROOM_AGENT_LANG: 'zh' });
    await waitForControl(socketPath, daemon);
    const status = statusSchema.parse(await callDaemon(socketPath, 'status', {}));
    expect(status.config.overrideActive).toBe(true);
    expect(await daemon.stop()).toMatchObject({ code: 0 });

    const levels = logLines(daemon.stdout()).map((line) => line.level);
    expect(levels.filter((level) => z.number().parse(level) < 40)).toEqual([]);
    expect(logLines(daemon.stdout()).map((line) => line.msg)).toContain('remote configuration override reverted');
    expect(readFileSync(join(overrideDir, 'override.yaml'), 'utf8')).toBe(lastGood);

    const journal = openJournal(dataDir);
    try {
      const reverted = journal.read(0, 100).filter((entry) => entry.type === 'config.reverted');
      expect(reverted).toHaveLength(1);
      expect(reverted[0]!.payload).toEqual({
        code: 'override-invalid',
        problems: ['override: log.level: "loud" is not one of trace, debug, info, warn, error, fatal, silent'],
      });
    } finally {
      journal.close();
    }
  });
});
