import { beforeAll, describe, expect, it } from 'vitest';
import { setLanguage } from '../../src/i18n.js';
import { configSet } from '../../src/sync/commands/handlers/config.js';
import { issueSummary } from '../../src/util/zodIssues.js';

/**
 * What the county may not change remotely: the cameras (their URLs carry passwords, and a push URL
 * decides where a meeting's picture goes) and the programs the agent runs. The refusal names the
 * keys and never repeats the values it was sent.
 */
beforeAll(() => setLanguage('en'));

const CANARY = 'Kanari7f3q';

describe('config.set', () => {
  it.each([
    ['cameras', [{ name: 'hall', url: `rtsp://admin:${CANARY}@192.168.1.64/ch1` }]],
    ['media.ffmpegPath', `/tmp/${CANARY}`],
    ['media.ffprobePath', `/tmp/${CANARY}`],
    ['media.photoCamera', CANARY],
    ['media.photoIntervalMinutes', 5],
  ])('refuses %s without repeating the value', (key, value) => {
    const params = { values: { [key]: value } };
    const result = configSet.params.safeParse(params);
    expect(result.success).toBe(false);
    const summary = issueSummary(result.error?.issues ?? [], params);
    expect(summary).toMatch(new RegExp(`^values\\.${key.replace('.', '\\.')}: not a setting the center may change`));
    expect(summary).not.toContain(CANARY);
  });
});
