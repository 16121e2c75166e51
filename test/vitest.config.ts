import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/globalSetup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests spawn daemons and child processes; CI has two cores. Four files at a time: most of
    // them mostly wait in real time (a camera off for 20 s, a one-minute meeting, a link cut),
    // and every wait has a bound meant for a machine busier than this.
    maxWorkers: 4,
  },
});
