import { afterEach } from 'vitest';
import type { JournalEntry } from '../../src/journal/types.js';
import { startMediaServer, type MediaServer } from '../../src/demo/mediaServer.js';
import { startRtspCamera, type CameraVariant, type RtspCamera } from '../../src/demo/rtspCamera.js';
import type { SyncScenario, useSyncScenario } from '../helpers/syncScenario.js';

export interface CameraRoom {
  scenario: SyncScenario;
  camera: RtspCamera;
  server: MediaServer;
}

/** The room's one camera: the test camera's variant, the password its URL carries, its name and its stream at the media server. */
export interface CameraRoomSpec {
  variant: CameraVariant;
  password: string;
  name: string;
  stream: string;
}

/**
 * A room with one camera as production runs it: the test camera behind a password, its sub-stream
 * pushed to the county's media server in mode `activity`, the real daemon, a real Mosquitto and
 * the reference center. Camera and media server end after each test, the scenario with it. A test
 * adds county settings and config sections of its own (`media`…) when it opens the room.
 */
export function useCameraRoom(
  open: ReturnType<typeof useSyncScenario>,
  spec: CameraRoomSpec,
): (extra?: { county?: Record<string, unknown>; sections?: Record<string, unknown> }) => Promise<CameraRoom> {
  const rigs: Array<{ stop(): Promise<void> }> = [];
  afterEach(async () => {
    for (const rig of rigs.splice(0)) await rig.stop();
  });
  return async (extra = {}) => {
    const [camera, server] = await Promise.all([
      startRtspCamera({ variant: spec.variant, user: 'admin', password: spec.password }),
      startMediaServer(),
    ]);
    rigs.push(camera, server);
    const scenario = await open({
      ...(extra.county === undefined ? {} : { county: extra.county }),
      sections: {
        cameras: [
          {
            name: spec.name,
            url: camera.url,
            subUrl: camera.subUrl,
            push: { url: server.streamUrl(spec.stream), mode: 'activity' },
          },
        ],
        ...extra.sections,
      },
    });
    await scenario.startCenter();
    await scenario.room.start();
    return { scenario, camera, server };
  };
}

/** Every entry of the room's journal, in order. */
export function journal(scenario: SyncScenario): JournalEntry[] {
  return scenario.room.readJournal(({ entries }) => entries(0, 100_000));
}

/** The room daemon's last lines of output, for a failure's message. */
export function tail(scenario: SyncScenario, lines = 40): string {
  return scenario.room.output().split('\n').slice(-lines).join('\n');
}
