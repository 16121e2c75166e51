import { execFileSync } from 'node:child_process';

/**
 * A P-256 key and a self-signed certificate for `subject`, valid `days`, written to `certFile`
 * and `keyFile` by the openssl CLI: tests make their certificates, nothing secret is committed.
 */
export function selfSignedCertificate(options: {
  certFile: string;
  keyFile: string;
  subject: string;
  days: number;
}): void {
  const { certFile, keyFile, subject, days } = options;
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ...['-keyout', keyFile, '-out', certFile, '-days', String(days), '-subj', subject],
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
}
