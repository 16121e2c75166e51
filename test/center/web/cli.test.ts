import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli } from '../../helpers/cli.js';

describe('room-agent center --http (CLI)', () => {
  const temp = makeTempDir('center-http-cli-');
  afterAll(() => temp.cleanup());

  // Refused before the center touches the broker or its database: nothing listens on port 1.
  async function refused(
    flags: string[],
    env: NodeJS.ProcessEnv = {},
  ): Promise<{ code: number | null; stderr: string }> {
    const { code, stderr } = await runCli(
      ['center', '--broker', 'mqtt://127.0.0.1:1', '--db', join(temp.dir, 'center.sqlite'), ...flags],
      { env },
    );
    return { code, stderr };
  }

  it('refuses an unsafe board with exit 64, saying what is missing', async () => {
    const notPublic = await refused(['--http', '0.0.0.0:8080']);
    expect(notPublic.code).toBe(64);
    expect(notPublic.stderr).toContain('needs --http-public and a token');
    const noToken = await refused(['--http', '0.0.0.0:8080', '--http-public']);
    expect(noToken.code).toBe(64);
    expect(noToken.stderr).toContain('it needs a token (--http-token-file FILE or ROOM_AGENT_HTTP_TOKEN)');
    const short = await refused(['--http', '0.0.0.0:8080', '--http-public'], { ROOM_AGENT_HTTP_TOKEN: 'short' });
    expect(short.code).toBe(64);
    expect(short.stderr).toContain('at least 16 characters');
    const noPort = await refused(['--http', 'localhost']);
    expect(noPort.code).toBe(64);
    expect(noPort.stderr).toContain('--http must be HOST:PORT');
    expect((await refused(['--http', '127.0.0.1:8080', '--http-token-file', join(temp.dir, 'missing')])).code).toBe(66);
  });
});
