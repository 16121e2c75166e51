import { describe, expect, it } from 'vitest';
import { RecordingGpioLines } from '../../../drivers/gpio/recordingLines.js';

describe('RecordingGpioLines', () => {
  it('records each write with the injected clock, in order', async () => {
    let now = 100;
    const lines = new RecordingGpioLines(() => now);
    const red = lines.output(18);
    expect(red.value).toBe(0);
    await red.write(1);
    now = 250;
    await red.write(0);
    expect(red.writes).toEqual([
      { value: 1, at: 100 },
      { value: 0, at: 250 },
    ]);
    expect(lines.outputs.get(18)).toBe(red);
  });

  it('refuses writes after close, as a released pin would', async () => {
    const line = new RecordingGpioLines().output(18, { activeLow: true });
    line.close();
    expect(line.closed).toBe(true);
    await expect(line.write(1)).rejects.toThrow(/closed/);
  });

  it('delivers simulated edges to watchers until closed', () => {
    const button = new RecordingGpioLines().input(22, { activeLow: true });
    const seen: number[] = [];
    button.watch((value) => seen.push(value));
    button.change(1);
    button.change(0);
    button.close();
    button.change(1);
    expect(seen).toEqual([1, 0]);
  });
});
