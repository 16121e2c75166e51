import { generateKeyPairSync } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { MINIMAL_CONFIG, writeFile } from './files.js';

/** A mistyped center key must stop `config check`, not surface at the first signed command. */
const temp = makeTempDir();
afterAll(() => temp.cleanup());

const spki = (type: 'ed25519' | 'x25519'): string =>
  generateKeyPairSync(type as 'ed25519')
    .publicKey.export({ format: 'der', type: 'spki' })
    .toString('base64');
const withKey = (key: string): string =>
  MINIMAL_CONFIG.replace(/(county:\n(?: {2}.*\n)*)/, `$1  centerPublicKey: "${key}"\n`);

it.each([
  ['not base64 at all', 'not a key!'],
  ['base64 of no key', 'AAAA'],
  ['an X25519 key (the escrow key put in the wrong place)', spki('x25519')],
])('refuses county.centerPublicKey that is %s, with exit 78 and what to do', async (_case, key) => {
  const file = writeFile(temp.dir, 'bad-key.yaml', withKey(key));
  const result = await runCli(['config', 'check', file]);
  expect(result).toMatchObject({
    code: 78,
    stderr:
      'county.centerPublicKey: not an Ed25519 public key: expected base64 of DER SPKI, the line `room-agent center keygen` prints; ask the county center for it\n',
  });
});

it('accepts an Ed25519 public key in base64 DER SPKI', async () => {
  const file = writeFile(temp.dir, 'good-key.yaml', withKey(spki('ed25519')));
  expect(await runCli(['config', 'check', file])).toMatchObject({ code: 0, stdout: `configuration OK: ${file}\n` });
});
