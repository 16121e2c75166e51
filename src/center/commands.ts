import { randomBytes } from 'node:crypto';
import { AgentError, ErrorCode } from '../errors.js';
import { defineMessages } from '../i18n.js';
import type { Logger } from '../log.js';
import {
  commandEnvelopeSchema,
  MESSAGE_VERSIONS,
  type CommandEnvelope,
  receivedCommandReplySchema,
  type ReceivedCommandReply,
} from '../sync/protocol/messages.js';
import { roomTopics } from '../sync/protocol/topics.js';
import type { CommandLog } from './commandLog.js';
import { signEnvelope, type CenterSigningKey } from './signing.js';

const t = defineMessages({
  noKey: {
    zh: '命令要求签名，但中心没有签名密钥（用 --signing-key FILE 指定）',
    en: 'the command is to be signed, but the center has no signing key (give --signing-key FILE)',
  },
  invalid: { zh: '命令无效：{problems}', en: 'invalid command: {problems}' },
  noReply: {
    zh: '{device} 在 {seconds} 秒内没有回复命令 {id}（{type}）',
    en: 'no reply from {device} to command {id} ({type}) within {seconds} s',
  },
  stopped: {
    zh: '中心已停止，命令 {id}（{type}）的回复不再等待',
    en: 'the center stopped before command {id} ({type}) got its reply',
  },
});

export interface CommandOptions {
  /** The command expires this long after it is sent (center time); also the MQTT message expiry. */
  expiresInMs?: number | undefined;
  /** Default: signed whenever the center has a signing key. */
  sign?: boolean | undefined;
  /** How long to wait for the reply. Default 30 s. */
  responseTimeoutMs?: number | undefined;
}

export interface PublishOptions {
  responseTopic: string;
  correlationData: Buffer;
  messageExpiryInterval: number;
}

export interface CommandSenderOptions {
  prefix: string;
  log: CommandLog;
  /** QoS 1 publish to a room's in/cmd, resolving on the broker's PUBACK. */
  publish(topic: string, payload: string, options: PublishOptions): Promise<void>;
  signingKey?: CenterSigningKey | undefined;
  /** Message expiry when a command names no expiry of its own. */
  defaultExpirySeconds: number;
  logger: Logger;
}

interface Waiter {
  envelope: CommandEnvelope;
  resolve(reply: ReceivedCommandReply): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

const DEFAULT_RESPONSE_TIMEOUT_MS = 30_000;

/**
 * Sends commands to rooms and matches their replies by MQTT 5 correlation data. Every command is
 * recorded before it is published and every reply is stored with it, also a reply that comes
 * after its waiter gave up (the room was offline and the broker held the command).
 */
export class CommandSender {
  private readonly waiting = new Map<string, Waiter>();

  constructor(private readonly options: CommandSenderOptions) {}

  async send(
    deviceId: string,
    type: string,
    params: Record<string, unknown>,
    options: CommandOptions = {},
  ): Promise<ReceivedCommandReply> {
    const key = this.signingKey(options.sign);
    const now = Date.now();
    const expiresInMs = options.expiresInMs;
    const envelope = this.options.log.record(deviceId, now, (id) => {
      const unsigned = commandEnvelopeSchema.safeParse({
        v: MESSAGE_VERSIONS.command,
        id,
        deviceId,
        type,
        params,
        ...(expiresInMs !== undefined && { expiresAt: now + expiresInMs }),
      });
      if (!unsigned.success) {
        const problems = unsigned.error.issues
          .map((issue) => `${issue.path.join('.') || 'command'}: ${issue.message}`)
          .join('; ');
        throw new AgentError(ErrorCode.UsageError, t('invalid', { problems }), { deviceId, type });
      }
      return key === undefined ? unsigned.data : { ...unsigned.data, signature: signEnvelope(unsigned.data, key) };
    });
    const topics = roomTopics(this.options.prefix, deviceId);
    const correlationData = randomBytes(16);
    const timeoutMs = options.responseTimeoutMs ?? DEFAULT_RESPONSE_TIMEOUT_MS;
    const reply = new Promise<ReceivedCommandReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(correlationData.toString('hex'));
        const seconds = Math.round(timeoutMs / 100) / 10;
        reject(
          new AgentError(ErrorCode.CenterNoReply, t('noReply', { device: deviceId, id: envelope.id, type, seconds }), {
            deviceId,
            commandId: envelope.id,
          }),
        );
      }, timeoutMs);
      this.waiting.set(correlationData.toString('hex'), { envelope, resolve, reject, timer });
    });
    // Registered before publishing: a reply cannot outrun its waiter.
    reply.catch(() => {});
    const published = this.options
      .publish(topics.commands, JSON.stringify(envelope), {
        responseTopic: topics.replies,
        correlationData,
        messageExpiryInterval: Math.max(1, Math.ceil((expiresInMs ?? this.options.defaultExpirySeconds * 1000) / 1000)),
      })
      .then(
        () =>
          this.options.logger.info(
            { deviceId, commandId: envelope.id, type, signed: envelope.signature !== undefined },
            'sent command',
          ),
        (error: unknown) => {
          this.settle(correlationData.toString('hex'));
          throw error;
        },
      );
    // mqtt.js holds a QoS 1 publish while the broker is away: the reply's timeout bounds the wait for its PUBACK too.
    await Promise.race([published, reply]);
    return reply;
  }

  /**
   * A message on a room's out/replies. Returns false for a payload that is not a command reply
   * of this room (of this version or the one before; fields a later release adds are dropped) (the caller counts it as a bad message).
   */
  handleReply(deviceId: string, payload: Buffer, correlationData: Buffer | undefined): boolean {
    let reply: ReceivedCommandReply;
    try {
      const parsed = receivedCommandReplySchema.safeParse(JSON.parse(payload.toString('utf8')));
      if (!parsed.success || parsed.data.deviceId !== deviceId) return false;
      reply = parsed.data;
    } catch {
      return false;
    }
    this.options.log.saveReply(deviceId, reply, Date.now());
    const waiter = correlationData === undefined ? undefined : this.settle(correlationData.toString('hex'));
    waiter?.resolve(reply);
    this.options.logger.info(
      { deviceId, commandId: reply.commandId, status: reply.status, error: reply.error?.code },
      'command reply',
    );
    return true;
  }

  /** Rejects every command still waiting for its reply. */
  stop(): void {
    for (const key of [...this.waiting.keys()]) {
      const waiter = this.settle(key);
      waiter?.reject(
        new AgentError(
          ErrorCode.CenterUnavailable,
          t('stopped', { id: waiter.envelope.id, type: waiter.envelope.type }),
        ),
      );
    }
  }

  private settle(key: string): Waiter | undefined {
    const waiter = this.waiting.get(key);
    if (waiter === undefined) return undefined;
    clearTimeout(waiter.timer);
    this.waiting.delete(key);
    return waiter;
  }

  private signingKey(sign: boolean | undefined): CenterSigningKey | undefined {
    if (sign === false) return undefined;
    if (sign === true && this.options.signingKey === undefined)
      throw new AgentError(ErrorCode.CenterKeyInvalid, t('noKey'));
    return this.options.signingKey;
  }
}
