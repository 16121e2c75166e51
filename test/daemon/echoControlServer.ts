import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { z } from 'zod';
import { ControlRegistry } from '../../src/control/registry.js';
import { ControlServer } from '../../src/control/server.js';
import { createSilentLogger } from '../../src/log.js';
import { makeTempDir } from '../helpers/cli.js';

/**
 * A control server on a fresh socket for each test, answering `echo {text}`, for tests of the
 * socket's framing and limits; `register` adds methods a test needs beyond echo.
 */
export function useEchoControlServer(register: (registry: ControlRegistry) => void = () => {}): {
  readonly path: string;
} {
  const rig = { path: '' };
  let temp: ReturnType<typeof makeTempDir>;
  let server: ControlServer;
  beforeEach(async () => {
    temp = makeTempDir();
    rig.path = join(temp.dir, 'control.sock');
    const registry = new ControlRegistry();
    registry.register('echo', z.strictObject({ text: z.string() }), ({ text }) => ({ text }));
    register(registry);
    server = new ControlServer(rig.path, registry, createSilentLogger());
    await server.start();
  });
  afterEach(async () => {
    await server.stop();
    temp.cleanup();
  });
  return rig;
}
