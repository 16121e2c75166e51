import { sha256Hex } from '../../journal/canonical.js';
import { nestsDeeperThan } from '../../util/jsonDepth.js';
import { formatKeyPath, issueSummary } from '../../util/zodIssues.js';
import type { z } from 'zod';
import {
  MAX_COMMAND_BYTES,
  MAX_COMMAND_DEPTH,
  commandEnvelopeSchema,
  type CommandEnvelope,
} from '../protocol/messages.js';
import type { CommandIdentity } from './commandLog.js';
import type { CommandDefinition } from './definition.js';
import type { CommandDependencies } from './dependencies.js';
import { commandText } from './messages.js';
import { clip, CommandRefusal, replyErrorOf, type ReplyError } from './refusal.js';
import { signatureValid, signedBytes, type CenterKey } from './signature.js';

export interface AdmissionRules {
  deviceId: string;
  /** Undefined when county.centerPublicKey is not configured: nothing can be verified. */
  centerKey: CenterKey | undefined;
  commands: ReadonlyMap<string, CommandDefinition>;
  deps: CommandDependencies;
}

/** A command refused before anything was done; `paths` name what was wrong for the log (never values). */
export interface Refused {
  ok: false;
  commandId: number | null;
  type: string | undefined;
  error: ReplyError;
  paths?: string[] | undefined;
}

export interface Admitted {
  ok: true;
  envelope: CommandEnvelope;
  definition: CommandDefinition;
  params: unknown;
  identity: CommandIdentity;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Everything about a command that its bytes alone decide, in this order: size (not parsed when
 * too large), UTF-8 and JSON, the nesting depth, the envelope schema, the device, the type, the signature, then
 * the params and the type's own check. The signature comes before the params: nothing in a body
 * that fails it is looked at further. Ids and expiry need the record and the center's time; the
 * processor judges them next.
 */
export function admit(payload: Buffer, rules: AdmissionRules): Refused | Admitted {
  if (payload.length > MAX_COMMAND_BYTES) {
    return refused(
      null,
      undefined,
      'too-large',
      commandText('tooLarge', { size: payload.length, max: MAX_COMMAND_BYTES }),
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(utf8.decode(payload));
  } catch (error) {
    const message =
      error instanceof SyntaxError ? commandText('notJson', { reason: error.message }) : commandText('notUtf8');
    return refused(null, undefined, 'malformed', message);
  }
  const commandId = readableId(raw);
  if (nestsDeeperThan(raw, MAX_COMMAND_DEPTH))
    return refused(commandId, undefined, 'malformed', commandText('tooDeep', { max: MAX_COMMAND_DEPTH }));
  const parsed = commandEnvelopeSchema.safeParse(raw);
  if (!parsed.success)
    return invalid(commandId, undefined, 'malformed', parsed.error.issues, raw, (problems) =>
      commandText('malformed', { problems }),
    );
  const envelope = parsed.data;
  let bytes: Buffer;
  try {
    bytes = signedBytes(raw as Record<string, unknown>);
  } catch (error) {
    // A string with a lone surrogate (JSON allows the escape) has no canonical form.
    return refused(
      commandId,
      envelope.type,
      'malformed',
      commandText('malformed', { problems: (error as Error).message }),
    );
  }
  const { deviceId, type } = envelope;
  if (deviceId !== rules.deviceId)
    return refused(
      envelope.id,
      type,
      'wrong-device',
      commandText('wrongDevice', { target: deviceId, deviceId: rules.deviceId }),
    );
  const definition = rules.commands.get(type);
  if (definition === undefined) {
    return refused(
      envelope.id,
      type,
      'unknown-command',
      commandText('unknownCommand', { type, known: [...rules.commands.keys()].sort().join(', ') }),
    );
  }
  const signature = checkSignature(envelope, bytes, rules.centerKey);
  if (typeof signature !== 'string') return signature;
  const params = definition.params.safeParse(envelope.params);
  if (!params.success) {
    return invalid(envelope.id, type, 'invalid-params', params.error.issues, envelope.params, (problems) =>
      commandText('invalidParams', { type, problems }),
    );
  }
  try {
    definition.check?.(params.data, rules.deps);
  } catch (error) {
    const { code, message } = replyErrorOf(error);
    return refused(
      envelope.id,
      type,
      code,
      message,
      error instanceof CommandRefusal ? (error.context.paths as string[] | undefined) : undefined,
    );
  }
  return {
    ok: true,
    envelope,
    definition,
    params: params.data,
    identity: { id: envelope.id, type, bodySha256: sha256Hex(bytes.toString('utf8')), signature },
  };
}

/**
 * Whenever a key is configured, every command needs a signature that it verifies, whatever its
 * type: an unsigned one that ran, however harmless its action, would still have recorded its id,
 * and an id far ahead would lock out every later command of the center.
 */
function checkSignature(
  envelope: CommandEnvelope,
  bytes: Buffer,
  centerKey: CenterKey | undefined,
): CommandIdentity['signature'] | Refused {
  const { id, type, signature } = envelope;
  if (centerKey === undefined) return 'unchecked';
  if (signature === undefined) return refused(id, type, 'unsigned', commandText('unsigned', { type }));
  if (!signatureValid(centerKey, bytes, signature))
    return refused(id, type, 'bad-signature', commandText('badSignature', { keyId: centerKey.keyId }));
  return 'verified';
}

/** The id of a command too malformed to parse, when it still has a usable one. */
function readableId(raw: unknown): number | null {
  const id = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>).id : undefined;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 1 ? id : null;
}

function invalid(
  commandId: number | null,
  type: string | undefined,
  code: 'malformed' | 'invalid-params',
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  word: (problems: string) => string,
): Refused {
  const paths = issues.map((issue) => formatKeyPath(issue.path) || '(top level)');
  return refused(commandId, type, code, word(issueSummary(issues, input)), paths);
}

function refused(
  commandId: number | null,
  type: string | undefined,
  code: ReplyError['code'],
  message: string,
  paths?: string[],
): Refused {
  return { ok: false, commandId, type, error: { code, message: clip(message) }, paths };
}
