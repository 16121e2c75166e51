import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateReport } from '../../src/sync/health/certificates.js';
import { makeTempDir } from '../helpers/cli.js';

const DAY_MS = 86_400_000;

describe('certificate expiry in the health message', () => {
  let temp: ReturnType<typeof makeTempDir>;
  /** A self-signed certificate valid from now for `days`, made by openssl as a county CA would. */
  function certificate(name: string, days: number): string {
    const file = join(temp.dir, `${name}.pem`);
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ed25519',
        '-nodes',
        '-keyout',
        join(temp.dir, `${name}.key`),
        '-out',
        file,
        '-days',
        String(days),
        '-subj',
        `/CN=${name}`,
      ],
      { stdio: 'ignore' },
    );
    return file;
  }
  let client: string;
  let caBundle: string;
  let clientExpiry: number;
  let oldCaExpiry: number;
  const now = Date.now();
  const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
  /** notAfter as openssl reads it (whole seconds). */
  const expiry = (file: string): number =>
    Date.parse(
      execFileSync('openssl', ['x509', '-in', file, '-noout', '-enddate'], { encoding: 'utf8' })
        .trim()
        .replace(/^notAfter=/, ''),
    );

  beforeAll(() => {
    temp = makeTempDir();
    client = certificate('yx-hongqi-01', 40);
    clientExpiry = expiry(client);
    const oldCa = certificate('County CA 2025', 10);
    oldCaExpiry = expiry(oldCa);
    caBundle = join(temp.dir, 'ca-bundle.pem');
    writeFileSync(caBundle, readFileSync(oldCa, 'utf8') + readFileSync(certificate('County CA 2030', 2000), 'utf8'));
  });
  afterAll(() => temp.cleanup());

  it('says nothing about certificates far from expiry, and gives the client certificate’s end', () => {
    expect(certificateReport({ certFile: client, caFile: caBundle }, now - 30 * DAY_MS)).toEqual({
      certExpiresAt: new Date(clientExpiry).toISOString(),
      warnings: [],
    });
  });

  it('warns within 30 days of expiry, naming each CA certificate of the bundle that is due', () => {
    expect(certificateReport({ certFile: client, caFile: caBundle }, clientExpiry - 24.5 * DAY_MS).warnings).toEqual([
      `client certificate expires in 24 days (${day(clientExpiry)})`,
      `CA certificate "CN=County CA 2025" expired on ${day(oldCaExpiry)}`,
    ]);
    expect(certificateReport({ certFile: client }, clientExpiry - 30.5 * DAY_MS).warnings).toEqual([]);
  });

  it('says expired once the client certificate is past its end', () => {
    const report = certificateReport({ certFile: client }, clientExpiry + 1000);
    expect(report.warnings).toEqual([`client certificate expired on ${day(clientExpiry)}`]);
  });

  it('reports a missing or unreadable file as a warning instead of throwing', () => {
    const notPem = join(temp.dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    const report = certificateReport({ certFile: join(temp.dir, 'missing.pem'), caFile: notPem }, now);
    expect(report.certExpiresAt).toBeNull();
    expect(report.warnings).toEqual([
      `county.certFile ${join(temp.dir, 'missing.pem')} cannot be used: cannot read it (ENOENT)`,
      `county.caFile ${notPem} cannot be used: no PEM certificate in it`,
    ]);
  });

  it('has nothing to say without TLS files', () => {
    expect(certificateReport({}, now)).toEqual({ certExpiresAt: null, warnings: [] });
  });
});
