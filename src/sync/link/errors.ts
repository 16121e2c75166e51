import { AgentError, ErrorCode } from '../../errors.js';

/**
 * The link's typed failures. Callers branch on the class (or the code): a LinkDownError means
 * "send it again from your durable state after the next 'up'", a LinkPublishRefused means the
 * broker will keep saying no (ACL, quota) and resending as is will not help.
 */

/** The connection ended, or did not exist, before the publish completed. */
export class LinkDownError extends AgentError {
  constructor(reason: string) {
    super(ErrorCode.LinkDown, `the county link is down: ${reason}`, { reason });
  }
}

/** The broker answered the publish with a reason code ≥ 0x80 (MQTT 5 PUBACK). */
export class LinkPublishRefused extends AgentError {
  constructor(
    readonly topic: string,
    readonly reasonCode: number,
    reason: string,
  ) {
    super(
      ErrorCode.LinkPublishRefused,
      `the broker refused the publish to ${topic}: 0x${reasonCode.toString(16)} ${reason}`,
      { topic, reasonCode },
    );
  }
}

/** The request cannot be sent at all; sending it would make the broker drop the connection. */
export class LinkPublishInvalid extends AgentError {
  constructor(topic: string, problem: string) {
    super(ErrorCode.LinkPublishInvalid, `cannot publish to ${JSON.stringify(topic)}: ${problem}`, { topic });
  }
}

/** A county TLS file (caFile, certFile, keyFile) cannot be read or parsed. */
export class LinkCredentialsError extends AgentError {
  constructor(key: string, file: string, problem: string, cause?: unknown) {
    super(ErrorCode.LinkCredentials, `county.${key} ${file} cannot be used: ${problem}`, { key, file }, { cause });
  }
}
