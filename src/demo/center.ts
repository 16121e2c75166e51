import { once } from 'node:events';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CountyCenter } from '../center/countyCenter.js';
import { createRootLogger } from '../log.js';

export interface DemoCenterOptions {
  /** The broker itself, never the room's link proxy: a cut of the room's link leaves the center connected. */
  brokerUrl: string;
  /** Holds center.sqlite and the received files. */
  dir: string;
  logFile: string;
  /** Where the center's web page is to listen (--http-port); undefined: the page's own default. */
  httpPort: number | undefined;
}

export interface DemoCenter {
  readonly center: CountyCenter;
  /** Where the center can be seen, one "name: address" line each, for the demo's headless lines. */
  readonly addresses: readonly string[];
  stop(): Promise<void>;
}

/**
 * The county's side of the demo, in the demo's own process: the reference center, whose room
 * summary the terminal view reads directly. Everything the county shows starts here, so the
 * center's web page belongs in this function too, listening on `httpPort`.
 */
export async function startDemoCenter(options: DemoCenterOptions): Promise<DemoCenter> {
  mkdirSync(options.dir, { recursive: true });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const dbFile = join(options.dir, 'center.sqlite');
  try {
    const center = await CountyCenter.start({
      broker: { url: options.brokerUrl },
      dbFile,
      filesDir: join(options.dir, 'files'),
      logger: createRootLogger({ level: 'info', format: 'json' }, log),
    });
    return {
      center,
      addresses: [`database: ${dbFile}`],
      async stop() {
        await center.stop();
        log.end();
        await once(log, 'close');
      },
    };
  } catch (error) {
    log.end();
    throw error;
  }
}
