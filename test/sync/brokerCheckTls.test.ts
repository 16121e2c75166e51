import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBroker } from '../../src/sync/link/brokerCheck.js';
import { makeTempDir } from '../helpers/cli.js';
import { countySettings } from './linkFixtures.js';

/**
 * The TLS failures of a broker check, against a TLS listener on loopback: the handshake fails
 * before any MQTT is spoken, so a bare TLS server stands in for the broker. Certificates come from
 * the openssl CLI; `openssl ca` sets a validity window far in the future, which is what a device
 * whose clock is years behind sees.
 */
const temp = makeTempDir('room-agent-broker-tls-');
const file = (name: string): string => join(temp.dir, name);
const servers: Server[] = [];

function openssl(...args: string[]): void {
  const result = spawnSync('openssl', args, { cwd: temp.dir, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr}`);
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function authority(name: string): void {
  openssl(
    'req',
    '-x509',
    ...EC,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
    '-days',
    '30',
    '-subj',
    `/CN=${name}`,
  );
}

/** A broker certificate for 127.0.0.1 signed by `ca`, valid from `start` to `end` (YYYYMMDDHHMMSSZ). */
function brokerCertificate(name: string, ca: string, start: string, end: string): void {
  writeFileSync(
    file('ca.cnf'),
    '[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\ndefault_md = sha256\npolicy = p\ncopy_extensions = copy\n[p]\ncommonName = supplied\n',
  );
  writeFileSync(file('index.txt'), '');
  writeFileSync(file('serial'), '01\n');
  writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl('req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=127.0.0.1');
  openssl(
    'ca',
    '-batch',
    '-config',
    'ca.cnf',
    '-cert',
    `${ca}.pem`,
    '-keyfile',
    `${ca}.key`,
    '-in',
    `${name}.csr`,
    '-out',
    `${name}.pem`,
    '-startdate',
    start,
    '-enddate',
    end,
    '-extfile',
    'san.ext',
    '-notext',
  );
}

async function tlsListener(name: string): Promise<string> {
  const server = createServer({ key: readFileSync(file(`${name}.key`)), cert: readFileSync(file(`${name}.pem`)) });
  server.on('tlsClientError', () => undefined);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `mqtts://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let futureBroker: string;
let currentBroker: string;

/** YYYYMMDDHHMMSSZ, `days` from now. */
function stamp(days: number): string {
  return `${new Date(Date.now() + days * 86_400_000).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

beforeAll(async () => {
  authority('county-ca');
  authority('other-ca');
  brokerCertificate('future', 'county-ca', '20991231000000Z', '21000101000000Z');
  brokerCertificate('current', 'county-ca', stamp(-1), stamp(30));
  futureBroker = await tlsListener('future');
  currentBroker = await tlsListener('current');
});

afterAll(() => {
  for (const server of servers) server.close();
  temp.cleanup();
});

describe('checkBroker over TLS', () => {
  it('names certificates that are not valid at the device time as the clock, with the time it reads', async () => {
    const now = new Date('2026-12-07T20:00:00Z');
    const result = await checkBroker({
      county: countySettings(futureBroker, { caFile: file('county-ca.pem') }),
      deviceId: 'room-a',
      now: () => now,
    });
    expect(result).toMatchObject({ ok: false, kind: 'clock', code: 'CERT_NOT_YET_VALID' });
    expect(result.ok || result.reason).toContain("this device's clock reads 2026-12-07T20:00:00.000Z");
  });

  it('names a broker certificate from another CA as tls, and gets past TLS with the right one', async () => {
    const result = await checkBroker({
      county: countySettings(currentBroker, { caFile: file('other-ca.pem') }),
      deviceId: 'room-a',
    });
    expect(result).toMatchObject({ ok: false, kind: 'tls' });
    expect(result.ok || result.reason).toContain('not signed by the CA in county.caFile');
    // The right CA: TLS passes, and the listener, which speaks no MQTT, sends no CONNACK.
    const past = await checkBroker({
      county: countySettings(currentBroker, { caFile: file('county-ca.pem') }),
      deviceId: 'room-a',
      timeoutMs: 3000,
    });
    expect(past).toMatchObject({ ok: false, kind: 'timeout' });
  });

  it('names an unreadable CA file as credentials, before connecting', async () => {
    const result = await checkBroker({
      county: countySettings(futureBroker, { caFile: file('missing.pem') }),
      deviceId: 'room-a',
    });
    expect(result).toMatchObject({ ok: false, kind: 'credentials' });
    expect(result.ok || result.reason).toContain('county.caFile');
  });
});
