import { statSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Folders whose tests play minutes of real time each (a meeting, the demo's story, a camera or a
 * media server down for half a minute, a card filling up), mostly waiting: a seventh of the files,
 * half of the run's time, little of its CPU.
 */
const REAL_TIME_FOLDERS = ['test/e2e/', 'test/demo/', 'test/cameraRigs/', 'test/storage/'];
/** Files of the other folders started after each real-time one. */
const OTHERS_PER_REAL_TIME = 3;

/**
 * With no results of an earlier run (a fresh clone, as in CI): a real-time folder's file, then
 * three of the others, and again, larger files first in each kind. The real-time files' waits
 * then overlap the others' CPU work instead of leaving the two cores idle while they all wait
 * together, and all of them have started early in the run, so none runs on alone at its end.
 * With results of an earlier run for every file, vitest's own order (failed, then slowest first).
 */
class InterleavingSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const timed = files.every((file) =>
      this.ctx.cache.getFileTestResults(`${file.project.name}:${relative(root, file.moduleId)}`),
    );
    if (timed) return super.sort(files);
    const bySize = files
      .map((file) => ({ file, size: statSync(file.moduleId).size }))
      .sort((a, b) => b.size - a.size)
      .map(({ file }) => file);
    const isRealTime = (file: TestSpecification): boolean =>
      REAL_TIME_FOLDERS.some((folder) => relative(root, file.moduleId).startsWith(folder));
    const realTime = bySize.filter(isRealTime);
    const others = bySize.filter((file) => !isRealTime(file));
    const order: TestSpecification[] = [];
    while (realTime.length > 0 || others.length > 0) {
      order.push(...realTime.splice(0, 1), ...others.splice(0, OTHERS_PER_REAL_TIME));
    }
    return order;
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
    sequence: { sequencer: InterleavingSequencer },
  },
});
