import { describe, expect, it } from 'vitest';
import { ModuleEmulator } from '../helpers/emulator.js';

describe('the emulator wrapper reports what went wrong', () => {
  it('names the missing interpreter', async () => {
    await expect(ModuleEmulator.start({ family: 'r30x', python: '/nonexistent/python3' })).rejects.toThrow(
      /\/nonexistent\/python3 was not found: the module emulators need Python 3/,
    );
  });

  it('passes on the emulator stderr when a flag is refused', async () => {
    await expect(ModuleEmulator.start({ family: 'r30x', model: 'r503', baudRate: 28800 })).rejects.toThrow(
      /exited \(code 2[\s\S]*--baud must be 9600×N with N in \[1, 2, 4, 6, 12\] for r503/,
    );
  });

  it('refuses bad control requests with the reason and keeps running', async () => {
    const emulator = await ModuleEmulator.start({ family: 'gt521', powerOnDelayMs: 0 });
    try {
      await expect(emulator.hold('Identify')).rejects.toThrow(/'Identify' is not a command of this module/);
      await expect(emulator.place('x', 'smudged' as 'poor')).rejects.toThrow(/quality must be one of/);
      await expect(emulator.storeTemplate(200, 'x')).rejects.toThrow(/slot must be an integer in 0..199/);
      expect((await emulator.state()).family).toBe('gt521');
    } finally {
      await emulator.stop();
    }
  });

  it('rejects pending waits with the exit status when the emulator dies', async () => {
    const emulator = await ModuleEmulator.start({ family: 'r30x', powerOnDelayMs: 0 });
    const waiting = emulator.waitForCommand('Search', 10_000);
    process.kill(emulator.pid!, 'SIGKILL');
    await expect(waiting).rejects.toThrow(/exited \(code null, signal SIGKILL\)/);
    await expect(emulator.state()).rejects.toThrow(/exited/);
    await emulator.stop();
  });
});
