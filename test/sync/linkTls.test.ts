import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateExpiry } from '../../src/sync/link/clientOptions.js';
import { LinkCredentialsError } from '../../src/sync/link/errors.js';
import type { MqttLink } from '../../src/sync/link/mqttLink.js';
import { makeTempDir, REPO_ROOT } from '../helpers/cli.js';
import { selfSignedCertificate } from '../helpers/certificates.js';
import { freePort, MOSQUITTO_BIN } from '../helpers/mosquitto.js';
import { countySettings, makeLink, nextEvent, until } from './linkFixtures.js';

/**
 * Mutual TLS with a county CA, on a Mosquitto that runs config/mosquitto.conf.example (paths
 * and port swapped for the test's) with the example ACL: what a county deploys. Certificates
 * are made here with the openssl CLI, so nothing secret is committed.
 */
const HAS_OPENSSL = spawnSync('openssl', ['version']).status === 0;
const temp = makeTempDir('room-agent-tls-');
const file = (name: string) => join(temp.dir, name);
let broker: ChildProcess | undefined;
let brokerLog = '';
let url = '';

function openssl(...args: string[]): string {
  const result = spawnSync('openssl', args, { cwd: temp.dir, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** A P-256 key and a certificate for `subject`, signed by the test CA (or self-signed as the CA). */
function certificate(name: string, subject: string, days: number, extensions?: string): void {
  if (name === 'ca') {
    selfSignedCertificate({ certFile: file('ca.pem'), keyFile: file('ca.key'), subject, days });
    return;
  }
  openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    subject,
  );
  const extra =
    extensions === undefined ? [] : (writeFileSync(file(`${name}.ext`), extensions), ['-extfile', `${name}.ext`]);
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    `${name}.pem`,
    '-days',
    String(days),
    ...extra,
  );
}

/** config/mosquitto.conf.example with this test's files, port and log destination. */
function exampleConfig(port: number): string {
  const replacements: Array<[RegExp, string]> = [
    [/^listener 8883$/m, `listener ${port} 127.0.0.1`],
    [/^cafile .*$/m, `cafile ${file('ca.pem')}`],
    [/^certfile .*$/m, `certfile ${file('broker.pem')}`],
    [/^keyfile .*$/m, `keyfile ${file('broker.key')}`],
    [/^acl_file .*$/m, `acl_file ${join(REPO_ROOT, 'config/mosquitto.acl.example')}`],
    [/^persistence_location .*$/m, `persistence_location ${temp.dir}/`],
    [/^log_dest syslog$/m, 'log_dest stderr'],
  ];
  let text = readFileSync(join(REPO_ROOT, 'config/mosquitto.conf.example'), 'utf8');
  for (const [pattern, value] of replacements) {
    expect(text).toMatch(pattern);
    text = text.replace(pattern, value);
  }
  // As root, mosquitto would drop to its own user and could not read this root-only directory.
  return `${process.getuid?.() === 0 ? 'user root\n' : ''}${text}`;
}

beforeAll(async () => {
  if (!HAS_OPENSSL) return;
  certificate('ca', '/CN=Test County CA', 30);
  certificate('broker', '/CN=localhost', 30, 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  certificate('room-a', '/CN=room-a', 10);
  const port = await freePort();
  writeFileSync(file('mosquitto.conf'), exampleConfig(port));
  broker = spawn(MOSQUITTO_BIN, ['-c', file('mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  broker.stderr!.on('data', (chunk: Buffer) => (brokerLog += chunk.toString()));
  url = `mqtts://127.0.0.1:${port}`;
});

afterAll(() => {
  broker?.kill('SIGKILL');
  temp.cleanup();
});

/** A link for room-a over TLS; the link's own retries cover the broker still starting. */
function tlsLink(files: { caFile?: string; certFile?: string; keyFile?: string }): MqttLink {
  const { link } = makeLink(countySettings(url, files));
  link.start();
  return link;
}

describe.skipIf(!HAS_OPENSSL)('MqttLink over mutual TLS (mosquitto.conf.example)', () => {
  it('connects with the county CA and its client certificate, whose CN is its MQTT user name', async () => {
    const link = tlsLink({ caFile: file('ca.pem'), certFile: file('room-a.pem'), keyFile: file('room-a.key') });
    try {
      await nextEvent(link, 'up', 15_000).catch((error: Error) => {
        throw new Error(`${error.message}\nbroker log:\n${brokerLog}`);
      });
      // The example ACL lets user "room-a" (the certificate's CN) publish under its own out/.
      const { topics } = makeLink(countySettings(url));
      await link.publish({ topic: topics.events, payload: 'over tls', qos: 1, priority: 'live' });
    } finally {
      await link.stop();
    }
  });

  it('fails without a client certificate, with the TLS alert as the reason, and keeps retrying', async () => {
    const link = tlsLink({ caFile: file('ca.pem') });
    try {
      await until(() => link.health().attempts >= 2, 'two refused attempts', 15_000);
      expect(link.health().lastConnectError).toBe(
        'tlsv13 alert certificate required: the broker requires a client certificate: set county.certFile and county.keyFile',
      );
      expect(link.state).not.toBe('connected');
    } finally {
      await link.stop();
    }
  });

  it('refuses a broker its county CA did not sign', async () => {
    const link = tlsLink({ certFile: file('room-a.pem'), keyFile: file('room-a.key') });
    try {
      await until(() => link.health().lastConnectError !== undefined, 'a refused attempt', 15_000);
      expect(link.health().lastConnectError).toBe(
        "self-signed certificate in certificate chain: the broker's certificate is not signed by the CA in county.caFile",
      );
    } finally {
      await link.stop();
    }
  });

  it('reports an unreadable TLS file as a typed, named problem in its health, retried, never thrown', async () => {
    const link = tlsLink({ caFile: file('missing-ca.pem'), certFile: file('room-a.pem'), keyFile: file('room-a.pem') });
    try {
      await until(() => link.health().attempts >= 2, 'two attempts');
      expect(link.health()).toMatchObject({
        state: 'degraded',
        lastConnectError: `county.caFile ${file('missing-ca.pem')} cannot be used: cannot read it (ENOENT)`,
      });
    } finally {
      await link.stop();
    }
    const badKey = tlsLink({ caFile: file('ca.pem'), certFile: file('room-a.pem'), keyFile: file('room-a.pem') });
    try {
      await until(() => badKey.health().lastConnectError !== undefined, 'a refused attempt');
      expect(badKey.health().lastConnectError).toMatch(
        new RegExp(`^county\\.keyFile ${file('room-a.pem')} cannot be used: not usable for TLS`),
      );
    } finally {
      await badKey.stop();
    }
  });

  it("certificateExpiry() gives the client certificate's notAfter, undefined without one, and a typed error for a bad file", () => {
    const notAfter = openssl('x509', '-in', 'room-a.pem', '-noout', '-enddate')
      .trim()
      .replace(/^notAfter=/, '');
    expect(certificateExpiry({ certFile: file('room-a.pem') })?.getTime()).toBe(Date.parse(notAfter));
    expect(certificateExpiry({ certFile: undefined })).toBeUndefined();
    expect(() => certificateExpiry({ certFile: file('room-a.key') })).toThrow(LinkCredentialsError);
    expect(() => certificateExpiry({ certFile: file('absent.pem') })).toThrow(
      /county\.certFile .*absent\.pem cannot be used: cannot read it \(ENOENT\)/,
    );
  });
});
