import { describe, expect, it } from 'vitest';
import { runChecks, type DoctorCheck } from '../../src/app/doctor/runner.js';
import { throttleFlags } from '../../src/app/doctor/hostChecks.js';
import { doctorLines } from '../../src/cli/commands/doctor.js';
import { withLanguage } from '../../src/i18n.js';

const check = (id: string, timeoutMs: number, run: DoctorCheck['run']): DoctorCheck => ({
  id,
  name: () => id,
  timeoutMs,
  run,
});

describe('the doctor’s runner', () => {
  it('runs the checks at once, bounds each by its timeout and names the one that did not finish', async () => {
    const started = performance.now();
    const report = await withLanguage('en', () =>
      runChecks([
        check('quick', 5_000, () => ({ status: 'ok', text: 'quick: fine' })),
        check('hung', 300, () => new Promise(() => undefined)),
        check(
          'slow',
          5_000,
          () => new Promise((resolve) => setTimeout(() => resolve({ status: 'na', text: 'slow: none' }), 200)),
        ),
        check('thrower', 5_000, () => {
          throw new Error('boom');
        }),
      ]),
    );
    // Concurrent: the hung check's 300 ms and the slow one's 200 ms overlap.
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(report).toEqual({
      v: 1,
      ok: false,
      checks: [
        { id: 'quick', status: 'ok', text: 'quick: fine' },
        {
          id: 'hung',
          status: 'fail',
          text: 'hung: no answer within 0.3 s',
          fix: 'run room-agent doctor again; if it still times out, see journalctl -u room-agent',
          timedOut: true,
        },
        { id: 'slow', status: 'na', text: 'slow: none' },
        {
          id: 'thrower',
          status: 'fail',
          text: 'thrower: the check itself failed (boom)',
          fix: 'report this line with the output of room-agent status to the county',
        },
      ],
    });
    expect(withLanguage('en', () => doctorLines(report, true))).toEqual([
      '[OK] quick: fine',
      '[FAIL] hung: no answer within 0.3 s — fix: run room-agent doctor again; if it still times out, see journalctl -u room-agent',
      '[--] slow: none',
      '[FAIL] thrower: the check itself failed (boom) — fix: report this line with the output of room-agent status to the county',
      'checks that timed out: hung',
      'checks failed: 2 (exit code 71)',
    ]);
  });

  it('decodes get_throttled: the four conditions now, and the same since boot', () => {
    expect(withLanguage('en', () => throttleFlags(0x50005))).toEqual([
      'under-voltage (now)',
      'throttled (now)',
      'under-voltage (since boot)',
      'throttled (since boot)',
    ]);
    expect(withLanguage('en', () => throttleFlags(0xa000a))).toEqual([
      'frequency capped (now)',
      'soft temperature limit (now)',
      'frequency capped (since boot)',
      'soft temperature limit (since boot)',
    ]);
    expect(throttleFlags(0)).toEqual([]);
  });
});
