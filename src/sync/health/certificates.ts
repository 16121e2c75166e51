import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { certificateExpiry } from '../link/clientOptions.js';

/** A certificate expiring within this many days is warned about in every health message. */
export const CERTIFICATE_WARNING_DAYS = 30;

const DAY_MS = 86_400_000;
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export interface CertificateFiles {
  /** county.caFile: every certificate in it is checked (a county may ship old and new CA together). */
  caFile?: string | undefined;
  /** county.certFile: its first certificate is this room's own (read as the link reads it). */
  certFile?: string | undefined;
}

export interface CertificateReport {
  /** When this room's client certificate expires (ISO), null without mutual TLS or when unreadable. */
  certExpiresAt: string | null;
  /** English, for the county's operators: the health message is read at the center. */
  warnings: string[];
}

function expiryWarning(what: string, validToMs: number, nowMs: number): string | undefined {
  const date = new Date(validToMs).toISOString().slice(0, 10);
  if (validToMs <= nowMs) return `${what} expired on ${date}`;
  const days = Math.floor((validToMs - nowMs) / DAY_MS);
  return days < CERTIFICATE_WARNING_DAYS ? `${what} expires in ${days} days (${date})` : undefined;
}

/** Every certificate of a PEM bundle (the link checks only that the first parses), or why it could not be read. */
function readCertificates(file: string): X509Certificate[] | string {
  try {
    const blocks = readFileSync(file, 'utf8').match(PEM_BLOCK) ?? [];
    if (blocks.length === 0) return 'no PEM certificate in it';
    return blocks.map((block) => new X509Certificate(block));
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Expiry of the configured certificates, judged by the device clock (an unsynced clock can make
 * a warning early or late; a warning is all it drives). Never throws: an unreadable file is a
 * warning of its own, since the link cannot use it either.
 */
export function certificateReport({ caFile, certFile }: CertificateFiles, nowMs: number): CertificateReport {
  const warnings: string[] = [];
  let certExpiresAt: string | null = null;
  try {
    const expiry = certificateExpiry({ certFile });
    if (expiry !== undefined) {
      certExpiresAt = expiry.toISOString();
      const warning = expiryWarning('client certificate', expiry.getTime(), nowMs);
      if (warning !== undefined) warnings.push(warning);
    }
  } catch (error) {
    // The link's own reading of the file (LinkCredentialsError): its message names the key and the file.
    warnings.push((error as Error).message);
  }
  if (caFile !== undefined) {
    const certificates = readCertificates(caFile);
    if (typeof certificates === 'string') warnings.push(`county.caFile ${caFile} cannot be used: ${certificates}`);
    else {
      for (const certificate of certificates) {
        const warning = expiryWarning(
          `CA certificate "${certificate.subject.replace(/\n/g, ', ')}"`,
          Date.parse(certificate.validTo),
          nowMs,
        );
        if (warning !== undefined) warnings.push(warning);
      }
    }
  }
  return { certExpiresAt, warnings };
}
