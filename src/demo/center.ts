import { once } from 'node:events';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CountyCenter } from '../center/countyCenter.js';
import { livePlaylists } from '../center/web/liveVideo.js';
import { CenterWebServer } from '../center/web/server.js';
import { createRootLogger } from '../log.js';

export interface DemoCenterOptions {
  /** The broker itself, never the room's link proxy: a cut of the room's link leaves the center connected. */
  brokerUrl: string;
  /** Holds center.sqlite and the received files. */
  dir: string;
  logFile: string;
  /** The loopback port of the county board (--http-port); undefined: any free port. */
  httpPort: number | undefined;
  /** The media server's playlists of the rooms' cameras (center --live-hls); undefined: no live picture. */
  livePlaylistTemplate: string | undefined;
}

export interface DemoCenter {
  readonly center: CountyCenter;
  /** The county board's page, for the demo's lines and the browser. */
  readonly boardUrl: string;
  /** The center's SQLite file, for whoever wants to look at what it stored. */
  readonly dbFile: string;
  stop(): Promise<void>;
}

/**
 * The county's side of the demo, in the demo's own process: the reference center, whose room
 * summary the terminal view reads directly, and its county board on loopback.
 */
export async function startDemoCenter(options: DemoCenterOptions): Promise<DemoCenter> {
  mkdirSync(options.dir, { recursive: true });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const dbFile = join(options.dir, 'center.sqlite');
  try {
    const logger = createRootLogger({ level: 'info', format: 'json' }, log);
    const center = await CountyCenter.start({
      broker: { url: options.brokerUrl },
      dbFile,
      filesDir: join(options.dir, 'files'),
      logger,
    });
    let board: CenterWebServer;
    try {
      board = await CenterWebServer.forCenter(center, {
        address: { host: '127.0.0.1', port: options.httpPort ?? 0 },
        publicBind: false,
        livePlaylists:
          options.livePlaylistTemplate === undefined ? undefined : livePlaylists(options.livePlaylistTemplate),
        logger: logger.child({ module: 'board' }),
      });
    } catch (error) {
      await center.stop();
      throw error;
    }
    return {
      center,
      boardUrl: board.url,
      dbFile,
      async stop() {
        await board.stop();
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
