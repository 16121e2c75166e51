import { z } from 'zod';
import { defineCommand } from '../definition.js';
import type { CommandDependencies } from '../dependencies.js';
import { commandText } from '../messages.js';
import { CommandRefusal } from '../refusal.js';

const cameraName = z.string().min(1).max(32);

/** Only a camera of config.cameras: anything else is `invalid-params`, before the camera seam is asked. */
function checkCamera({ camera }: { camera: string }, deps: CommandDependencies): void {
  const { names } = deps.cameras;
  if (names.includes(camera)) return;
  throw new CommandRefusal(
    'invalid-params',
    commandText('unknownCamera', { camera, names: names.length === 0 ? commandText('noCameras') : names.join(', ') }),
    {
      paths: ['camera'],
    },
  );
}

/** camera.stream {camera, action: start|stop}: the push to the county media server. */
export const cameraStream = defineCommand({
  type: 'camera.stream',
  mode: 'task',
  params: z.strictObject({ camera: cameraName, action: z.enum(['start', 'stop']) }),
  check: checkCamera,
  run: ({ camera, action }, { deps }) => deps.cameras.control.stream(camera, action === 'start'),
});

/** camera.photo {camera}: a photo, uploaded like a meeting photo. */
export const cameraPhoto = defineCommand({
  type: 'camera.photo',
  mode: 'task',
  params: z.strictObject({ camera: cameraName }),
  check: checkCamera,
  run: ({ camera }, { deps }) => deps.cameras.control.photo(camera),
});
