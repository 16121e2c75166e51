import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RecordingGpioLines, type RecordingOutputLine } from '../../drivers/gpio/recordingLines.js';
import { configSchema } from '../../src/config/schema.js';
import { type PulseWait } from '../../src/feedback/gpioPlayer.js';
import { FEEDBACK_SIGNALS, type FeedbackSignal } from '../../src/feedback/patterns.js';
import { FeedbackService } from '../../src/feedback/service.js';
import { createRootLogger } from '../../src/log.js';
import { objectContaining } from '../helpers/matchers.js';

const PINS = { greenLed: 5, redLed: 6, buzzer: 13 };

function feedbackConfig(keys: Record<string, unknown>) {
  return configSchema.parse({ version: 1, device: { id: 'r' }, county: { url: 'mqtt://127.0.0.1' }, feedback: keys })
    .feedback;
}

/** A pino logger whose JSON lines the test reads. */
function capturedLogger(): {
  logger: ReturnType<typeof createRootLogger>;
  lines: () => Array<Record<string, unknown>>;
} {
  const chunks: string[] = [];
  const sink = new Writable({ write: (chunk, _encoding, done) => (chunks.push(String(chunk)), done()) });
  const logger = createRootLogger({ level: 'debug', format: 'json' }, sink);
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/**
 * README's signal table (section "Feedback"), row by row as it is written there, and what each
 * row means on the pins: every level change of a line as `on N` / `off N` (ms), from the moment
 * the signal is shown until the line goes dark for good. The other lamp stays dark throughout.
 */
const DOCUMENTED: ReadonlyArray<{
  signal: FeedbackSignal;
  row: string;
  lamp: 'green' | 'red';
  light: string;
  buzzer: string;
}> = [
  {
    signal: 'accepted',
    row: '| accepted | green, on for 1 s | one short beep (150 ms) |',
    lamp: 'green',
    light: 'on 1000',
    buzzer: 'on 150',
  },
  {
    signal: 'already',
    row: '| already signed in | green, two blinks (250 ms on, 200 ms off) | two short beeps (150 ms, 150 ms apart) |',
    lamp: 'green',
    light: 'on 250, off 200, on 250',
    buzzer: 'on 150, off 150, on 150',
  },
  {
    signal: 'rejected',
    row: '| unknown finger | red, on for 1 s | one long beep (700 ms) |',
    lamp: 'red',
    light: 'on 1000',
    buzzer: 'on 700',
  },
  {
    signal: 'retry',
    row: '| try again | red, three quick blinks (100 ms on, 100 ms off) | three quick beeps (60 ms, 80 ms apart) |',
    lamp: 'red',
    light: 'on 100, off 100, on 100, off 100, on 100',
    buzzer: 'on 60, off 80, on 60, off 80, on 60',
  },
  {
    signal: 'fault',
    row: '| scanner fault | red, five blinks (300 ms on, 200 ms off) | three long beeps (600 ms, 300 ms apart) |',
    lamp: 'red',
    light: 'on 300, off 200, on 300, off 200, on 300, off 200, on 300, off 200, on 300',
    buzzer: 'on 600, off 300, on 600, off 300, on 600',
  },
];

/** The rows of the table that follows README's "**Feedback.**" paragraph, header and rule left out. */
function readmeSignalRows(): string[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const lines = readme.slice(readme.indexOf('**Feedback.**')).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const table = lines.slice(
    first,
    lines.findIndex((line, index) => index > first && !line.startsWith('|')),
  );
  return table.slice(2);
}

/**
 * Virtual time for the player's waits: each wait settles only when the test runs the clock, so a
 * pattern's timings come out exact however busy the machine is.
 */
class VirtualTime {
  now = 0;
  private readonly timers: Array<{ due: number; wake(): void }> = [];

  readonly wait: PulseWait = (ms, signal) =>
    new Promise((resolve, reject) => {
      const abort = (): void => {
        this.timers.splice(this.timers.indexOf(timer), 1);
        reject(signal.reason as Error);
      };
      const timer = {
        due: this.now + ms,
        wake: () => {
          signal.removeEventListener('abort', abort);
          resolve();
        },
      };
      if (signal.aborted) {
        reject(signal.reason as Error);
        return;
      }
      this.timers.push(timer);
      signal.addEventListener('abort', abort, { once: true });
    });

  /** Lets whatever the last wake-up started run, then wakes the earliest wait; until none is left. */
  async runAll(): Promise<void> {
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      const next = this.timers.reduce<(typeof this.timers)[number] | undefined>(
        (earliest, timer) => (earliest === undefined || timer.due < earliest.due ? timer : earliest),
        undefined,
      );
      if (next === undefined) return;
      this.timers.splice(this.timers.indexOf(next), 1);
      this.now = next.due;
      next.wake();
    }
  }
}

/** A feedback service on recording GPIO lines, its waits on virtual time. */
async function gpioFeedback(): Promise<{
  feedback: FeedbackService;
  time: VirtualTime;
  line: (bcm: number) => RecordingOutputLine;
}> {
  const time = new VirtualTime();
  const gpio = new RecordingGpioLines(() => time.now);
  const feedback = new FeedbackService({
    config: feedbackConfig(PINS),
    logger: capturedLogger().logger,
    gpio: { available: true, lines: gpio },
    wait: time.wait,
  });
  await feedback.start();
  return { feedback, time, line: (bcm) => gpio.outputs.get(bcm)! };
}

/** A line's level changes from time 0 on, as `on N, off N, …` (ms); "stays on" when it never goes dark. */
function timeline(line: RecordingOutputLine): string {
  const parts: string[] = [];
  let level = 0;
  let since = 0;
  for (const write of line.writes) {
    if (write.value === level) continue;
    if (level === 1 || write.at > since) parts.push(`${level === 1 ? 'on' : 'off'} ${write.at - since}`);
    level = write.value;
    since = write.at;
  }
  if (level === 1) parts.push('stays on');
  return parts.join(', ');
}

describe('feedback signals', () => {
  it("are README's table, row by row", () => {
    expect(readmeSignalRows()).toEqual(DOCUMENTED.map((documented) => documented.row));
    expect(DOCUMENTED.map((documented) => documented.signal)).toEqual(FEEDBACK_SIGNALS);
  });

  it('look and sound as documented, and leave every line off', async () => {
    for (const documented of DOCUMENTED) {
      const { feedback, time, line } = await gpioFeedback();
      await feedback.show(documented.signal);
      await time.runAll();
      const [lamp, otherLamp] =
        documented.lamp === 'green' ? [PINS.greenLed, PINS.redLed] : [PINS.redLed, PINS.greenLed];
      expect({
        signal: documented.signal,
        light: timeline(line(lamp)),
        otherLamp: timeline(line(otherLamp)),
        buzzer: timeline(line(PINS.buzzer)),
      }).toEqual({ signal: documented.signal, light: documented.light, otherLamp: '', buzzer: documented.buzzer });
      feedback.stop();
    }
  });

  it('are told apart by light alone and by sound alone', () => {
    const lights = DOCUMENTED.map((documented) => `${documented.lamp}: ${documented.light}`);
    const sounds = DOCUMENTED.map((documented) => documented.buzzer);
    expect(new Set(lights).size).toBe(DOCUMENTED.length);
    expect(new Set(sounds).size).toBe(DOCUMENTED.length);
  });

  it('cuts a playing pattern short for the next one', async () => {
    const { feedback, time, line } = await gpioFeedback();
    await feedback.show('fault');
    await feedback.show('accepted');
    await time.runAll();
    expect({
      red: timeline(line(PINS.redLed)),
      green: timeline(line(PINS.greenLed)),
      buzzer: timeline(line(PINS.buzzer)),
    }).toEqual({ red: 'on 0', green: 'on 1000', buzzer: 'on 150' });
    feedback.stop();
  });

  it('without GPIO falls back to the module light and the log, warning once', async () => {
    const { logger, lines } = capturedLogger();
    const feedback = new FeedbackService({
      config: feedbackConfig(PINS),
      logger,
      gpio: { available: false, reason: 'no GPIO: /sys/class/gpio does not exist' },
    });
    await feedback.start();
    const indicated: string[] = [];
    const indicate = (signal: string): Promise<void> => {
      indicated.push(signal);
      return Promise.resolve();
    };
    const module = { indicate } as unknown as Parameters<FeedbackService['show']>[1];
    for (const signal of FEEDBACK_SIGNALS) await feedback.show(signal, module);
    await feedback.show('accepted', module);
    expect(lines().filter((line) => line.level === 40)).toEqual([
      objectContaining({ reason: 'no GPIO: /sys/class/gpio does not exist' }),
    ]);
    expect(indicated).toEqual(['accepted', 'already', 'rejected', 'fault', 'accepted']);
    expect(
      lines()
        .filter((line) => line.signal !== undefined)
        .map((line) => line.signal),
    ).toEqual([...FEEDBACK_SIGNALS, 'accepted']);
  });
});
