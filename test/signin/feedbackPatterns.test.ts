import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RecordingGpioLines, type RecordingOutputLine } from '../../drivers/gpio/recordingLines.js';
import { configSchema } from '../../src/config/schema.js';
import { FEEDBACK_SIGNALS, PATTERNS, type FeedbackSignal } from '../../src/feedback/patterns.js';
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

/** A feedback service on recording GPIO lines. */
async function gpioFeedback(): Promise<{ feedback: FeedbackService; line: (bcm: number) => RecordingOutputLine }> {
  const gpio = new RecordingGpioLines();
  const feedback = new FeedbackService({
    config: feedbackConfig(PINS),
    logger: capturedLogger().logger,
    gpio: { available: true, lines: gpio },
  });
  await feedback.start();
  return { feedback, line: (bcm) => gpio.outputs.get(bcm)! };
}

const lit = (line: RecordingOutputLine): number => line.writes.filter((write) => write.value === 1).length;
const durationMs = (signal: FeedbackSignal): number =>
  Math.max(
    ...[PATTERNS[signal].light, PATTERNS[signal].beeps].map((pulses) =>
      pulses.reduce((sum, pulse) => sum + pulse.onMs + pulse.offMs, 0),
    ),
  );
const longestMs = Math.max(...FEEDBACK_SIGNALS.map(durationMs));

describe('feedback patterns', () => {
  it('are pairwise distinct by light alone and by sound alone', () => {
    const lights = FEEDBACK_SIGNALS.map((signal) => JSON.stringify([PATTERNS[signal].led, PATTERNS[signal].light]));
    const sounds = FEEDBACK_SIGNALS.map((signal) => JSON.stringify(PATTERNS[signal].beeps.map((beep) => beep.onMs)));
    expect(new Set(lights).size).toBe(FEEDBACK_SIGNALS.length);
    expect(new Set(sounds).size).toBe(FEEDBACK_SIGNALS.length);
    // Green for signed in, red for everything else.
    expect(FEEDBACK_SIGNALS.filter((signal) => PATTERNS[signal].led === 'green')).toEqual(['accepted', 'already']);
  });

  it('plays each pattern on its lamp and the buzzer, and leaves every line off', async () => {
    const rooms = await Promise.all(FEEDBACK_SIGNALS.map(async (signal) => ({ signal, ...(await gpioFeedback()) })));
    for (const { signal, feedback } of rooms) await feedback.show(signal);
    await new Promise((resolve) => setTimeout(resolve, longestMs + 300));
    for (const { signal, feedback, line } of rooms) {
      const { led, light, beeps } = PATTERNS[signal];
      const [lamp, otherLamp] = led === 'green' ? [PINS.greenLed, PINS.redLed] : [PINS.redLed, PINS.greenLed];
      expect({ signal, lamp: lit(line(lamp)), other: lit(line(otherLamp)), buzzer: lit(line(PINS.buzzer)) }).toEqual({
        signal,
        lamp: light.length,
        other: 0,
        buzzer: beeps.length,
      });
      for (const bcm of Object.values(PINS)) expect(line(bcm).value).toBe(0);
      feedback.stop();
    }
  });

  it('cuts a playing pattern short for the next one', async () => {
    const { feedback, line } = await gpioFeedback();
    await feedback.show('fault');
    await feedback.show('accepted');
    await new Promise((resolve) => setTimeout(resolve, durationMs('accepted') + 300));
    expect(lit(line(PINS.redLed))).toBe(1);
    expect(lit(line(PINS.greenLed))).toBe(1);
    expect(lit(line(PINS.buzzer))).toBe(2);
    for (const bcm of Object.values(PINS)) expect(line(bcm).value).toBe(0);
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
