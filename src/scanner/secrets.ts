import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { AgentError, ErrorCode } from '../errors.js';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { mkdirDurable } from '../util/durableDir.js';
import { scannerText } from './messages.js';

/**
 * The device's secrets for its fingerprint module, in `<dataDir>/keys/scanner.json` (0600, next to
 * the journal's signing key). Created once and never regenerated: the module password is written
 * into the module itself, so a new one would lock this device out of its own module.
 */
export interface ScannerSecrets {
  /** R30x module password (u32, never the factory 0): a swapped-in module does not know it. */
  modulePassword: number;
  /** Hex token written to the R30x notepad: tells this device's module from another's. */
  bindingToken: string;
  /** AES-256-GCM key of the template backups; it lives outside the database on purpose. */
  templateKey: Buffer;
}

const BINDING_TOKEN_BYTES = 16;
const TEMPLATE_KEY_BYTES = 32;

const fileSchema = z.strictObject({
  modulePassword: z.number().int().min(1).max(0xffff_ffff),
  bindingToken: z
    .string()
    .regex(new RegExp(`^[0-9a-f]{${BINDING_TOKEN_BYTES * 2}}$`), `${BINDING_TOKEN_BYTES * 2} lower-case hex digits`),
  templateKey: z
    .string()
    .refine(
      (value) => Buffer.from(value, 'base64').length === TEMPLATE_KEY_BYTES,
      `base64 of ${TEMPLATE_KEY_BYTES} bytes`,
    ),
});

export function scannerSecretsPath(dataDir: string): string {
  return join(dataDir, 'keys', 'scanner.json');
}

/**
 * Reads the secrets; with `create`, writes new ones when there are none yet (the daemon's first
 * start). Throws ScannerSecrets for a file that is missing (without `create`) or damaged: a damaged
 * file is never replaced, since the module still expects the password in it.
 */
export function loadScannerSecrets(dataDir: string, { create }: { create: boolean }): ScannerSecrets {
  const file = scannerSecretsPath(dataDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new AgentError(
        ErrorCode.ScannerSecrets,
        scannerText('secretsUnreadable', { file, reason: (error as Error).message }),
        { file },
        { cause: error },
      );
    }
    if (!create) {
      throw new AgentError(ErrorCode.ScannerSecrets, scannerText('secretsMissing', { file }), { file });
    }
    return writeNewSecrets(dataDir, file);
  }
  return parseSecrets(file, text);
}

function parseSecrets(file: string, text: string): ScannerSecrets {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the text around the fault, which holds the secrets.
    throw new AgentError(ErrorCode.ScannerSecrets, scannerText('secretsNotJson', { file }), { file });
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    // Names the fields only: their values are secrets and this message reaches logs.
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || scannerText('wholeFile'));
    throw new AgentError(
      ErrorCode.ScannerSecrets,
      scannerText('secretsDamaged', { file, fields: [...new Set(fields)].join(', ') }),
      { file },
    );
  }
  return { ...parsed.data, templateKey: Buffer.from(parsed.data.templateKey, 'base64') };
}

function writeNewSecrets(dataDir: string, file: string): ScannerSecrets {
  const directory = join(dataDir, 'keys');
  mkdirDurable(directory, 0o700);
  chmodSync(directory, 0o700);
  const secrets: ScannerSecrets = {
    modulePassword: randomModulePassword(),
    bindingToken: randomBytes(BINDING_TOKEN_BYTES).toString('hex'),
    templateKey: randomBytes(TEMPLATE_KEY_BYTES),
  };
  const content = { ...secrets, templateKey: secrets.templateKey.toString('base64') };
  writeFileAtomic(file, `${JSON.stringify(content, null, 2)}\n`, 0o600);
  return secrets;
}

/** 0 is the factory password: a module "protected" by it would accept anyone. */
function randomModulePassword(): number {
  for (;;) {
    const password = randomBytes(4).readUInt32BE(0);
    if (password !== 0) return password;
  }
}
