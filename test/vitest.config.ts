import { statSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Folders whose tests play minutes of real time each (a meeting, the demo's story, a camera or a
 * media server down for half a minute, a card filling up): one of them started last would run on
 * alone long after the short files are done.
 */
const REAL_TIME_FOLDERS = ['test/e2e/', 'test/demo/', 'test/cameraRigs/', 'test/storage/'];

/**
 * With no results of an earlier run (a fresh clone, as in CI), the real-time folders' files start
 * first, then the rest, larger files before smaller ones, so the short files fill the workers
 * while the long ones run. With earlier results, vitest's own order (failed, then slowest first).
 */
class RealTimeFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const timed = files.every((file) =>
      this.ctx.cache.getFileTestResults(`${file.project.name}:${relative(root, file.moduleId)}`),
    );
    if (timed) return super.sort(files);
    const realTime = (file: TestSpecification): boolean => {
      const path = relative(root, file.moduleId);
      return REAL_TIME_FOLDERS.some((folder) => path.startsWith(folder));
    };
    const size = (file: TestSpecification): number => statSync(file.moduleId).size;
    return [...files].sort((a, b) => Number(realTime(b)) - Number(realTime(a)) || size(b) - size(a));
  }
}

export default defineConfig({
  root,
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/globalSetup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests spawn daemons and child processes; CI has two cores. Four files at a time: most of
    // them mostly wait in real time (a camera off for 20 s, a one-minute meeting, a link cut),
    // and every wait has a bound meant for a machine busier than this.
    maxWorkers: 4,
    sequence: { sequencer: RealTimeFirstSequencer },
  },
});
