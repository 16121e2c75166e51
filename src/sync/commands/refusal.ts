import { AgentError, ErrorCode, isAgentError } from '../../errors.js';
import type { CommandErrorCode } from '../protocol/messages.js';
import { commandText } from './messages.js';

/** The reply schema bounds the message; a longer one (many zod problems) is cut. */
const MAX_MESSAGE = 2000;

/** A command refused, or failed, with the reply code the center is to see. */
export class CommandRefusal extends AgentError {
  constructor(
    readonly replyCode: CommandErrorCode,
    message: string,
    context: Readonly<Record<string, unknown>> = {},
  ) {
    super(ErrorCode.CommandRefused, message, { ...context, replyCode });
  }
}

export interface ReplyError {
  code: CommandErrorCode;
  message: string;
}

/** Agent errors that mean "the device cannot do it now" rather than "it went wrong". */
const UNAVAILABLE: ReadonlySet<number> = new Set([
  ErrorCode.CameraUnavailable,
  ErrorCode.CameraPhotoFailed,
  ErrorCode.DeviceUnavailable,
  ErrorCode.ScannerDisabled,
]);

/**
 * The reply's error for what a handler threw. An AgentError's message is already worded for a
 * person (it names the member, the plan, the slot); anything else is an internal fault whose
 * details stay in the device's log.
 */
export function replyErrorOf(error: unknown): ReplyError {
  if (error instanceof CommandRefusal) return { code: error.replyCode, message: clip(error.message) };
  if (isAgentError(error))
    return { code: UNAVAILABLE.has(error.code) ? 'unavailable' : 'failed', message: clip(error.message) };
  return { code: 'failed', message: commandText('internal') };
}

export function clip(message: string): string {
  return message.length <= MAX_MESSAGE ? message : `${message.slice(0, MAX_MESSAGE - 1)}…`;
}
