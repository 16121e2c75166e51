import { AgentError, ErrorCode, isAgentError } from '../../errors.js';
import type { Journal } from '../../journal/journal.js';
import type { Logger } from '../../log.js';
import type { InboundMessage, Link, MessageProperties } from '../link/types.js';
import { MESSAGE_VERSIONS, type CommandReply } from '../protocol/messages.js';
import type { RoomTopics } from '../protocol/topics.js';
import { admit, type Admitted, type Refused } from './admission.js';
import { CENTER_COMMANDS } from './catalog.js';
import { judgeNewId } from './commandIds.js';
import {
  findCommand,
  recordOutcome,
  recordRunning,
  unfinishedCommands,
  type CommandIdMarks,
  type CommandIdentity,
  type CommandRecord,
} from './commandLog.js';
import type { CommandContext, CommandDefinition } from './definition.js';
import type { CommandDependencies } from './dependencies.js';
import { commandText } from './messages.js';
import { replyErrorOf, type ReplyError } from './refusal.js';
import { centerKeyFrom, type CenterKey } from './signature.js';

export interface CommandProcessorOptions {
  deviceId: string;
  topics: RoomTopics;
  link: Link;
  journal: Pick<Journal, 'transaction' | 'db'>;
  /** county.centerPublicKey (base64 DER SPKI Ed25519); a bad one throws CenterPublicKeyInvalid here. */
  centerPublicKey?: string | undefined;
  /** The center's present time estimated from its acknowledgements; undefined until one came. */
  centerNow: () => number | undefined;
  handlers: CommandDependencies;
  logger: Logger;
}

/** Where one reply goes: the command's response topic (when it is ours) and its correlation data. */
interface ReplyRoute {
  topic: string;
  correlationData: Buffer | undefined;
}

/**
 * Commands from the center on `in/cmd`. Each is answered, on its MQTT 5 response topic with its
 * correlation data, with `done` and a result or with exactly what was wrong. Commands are judged
 * one at a time in arrival order (a task such as an enrollment then runs on while the next
 * is judged):
 * 1. admission.ts: size, JSON, envelope, device, type, signature, params;
 * 2. the id (commandIds.ts): the center's ids increase. A known id with the same body is answered
 *    with the stored first reply without acting again; with another body it is `id-reused`; a new
 *    id too far ahead of the center's time is `id-too-far`, one below the watermark `stale-id`;
 * 3. expiry: the broker drops a command whose MQTT message expiry passed; `expiresAt` (center
 *    time) is compared with the center's time learned from its acks, and only once one came,
 *    never with the device's wall clock, which may be wrong for days. A remaining message expiry
 *    of 0 is not refused: MQTT rounds the remaining lifetime down, and the broker is the judge;
 * 4. the command runs (definition.ts: 'atomic' exactly once, with its record; 'task' at most
 *    once), its reply is stored in center_commands and journaled as `center.command`.
 * A refused command changes nothing (journal, database, configuration); it is only logged, by
 * code, id, type and the key paths at fault, never with its params (member data, templates).
 *
 * With county.centerPublicKey every command must carry a signature it verifies, and only those
 * commands move the id watermark. Without it nothing can be verified: commands of every type are
 * carried out unsigned, and so any client the broker lets publish to this room's `in/cmd` can
 * change members and the configuration. The start is logged as a warning, each such command too,
 * the journal records `signature: 'unchecked'`, and the health message says centerKey `none`.
 */
export class CommandProcessor {
  private readonly centerKey: CenterKey | undefined;
  private readonly commands: ReadonlyMap<string, CommandDefinition>;
  private queue: Promise<unknown> = Promise.resolve();
  /** Tasks running now, with every route that asked for their reply (a repeat while running adds one). */
  private readonly running = new Map<number, { routes: ReplyRoute[]; done: Promise<void> }>();
  /** Work that goes on after handle() returned to the queue: tasks, and actions after a reply. */
  private readonly pending = new Set<Promise<unknown>>();
  /** The highest recorded id last reported as left out of the watermark (reported once each). */
  private reportedIgnoredId = 0;

  constructor(private readonly options: CommandProcessorOptions) {
    this.centerKey = options.centerPublicKey === undefined ? undefined : centerKeyFrom(options.centerPublicKey);
    this.commands = new Map(CENTER_COMMANDS.map((definition) => [definition.type, definition]));
    if (this.centerKey === undefined) {
      options.logger.warn(
        'county.centerPublicKey is not set: commands, also those that change members or the configuration, are carried out without a signature',
      );
    }
    for (const command of unfinishedCommands(options.journal.db)) this.settleInterrupted(command);
  }

  /** Judges and carries out one command; resolves once it is answered (a task: once it ended). Never rejects. */
  handle(message: InboundMessage): Promise<void> {
    const judged = this.queue.then(() => this.receive(message));
    // receive() answers its own failures; were it ever to reject, the commands after it must still be judged.
    this.queue = judged.catch(() => ({}));
    return judged.then(({ task }) => task);
  }

  /** Resolves once every command received so far is answered. */
  async settled(): Promise<void> {
    await this.queue;
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  /** Returns a task that runs on, wrapped so that the queue does not wait for it. */
  private async receive(message: InboundMessage): Promise<{ task?: Promise<void> }> {
    const route = this.replyRoute(message.properties);
    try {
      const admission = admit(message.payload, {
        deviceId: this.options.deviceId,
        centerKey: this.centerKey,
        commands: this.commands,
        deps: this.options.handlers,
      });
      if (!admission.ok) return await this.refuse(route, admission);
      const { id, type, bodySha256 } = admission.identity;
      const known = findCommand(this.options.journal.db, id);
      if (known?.bodySha256 === bodySha256) return await this.repeat(route, known);
      if (known !== undefined)
        return await this.refuse(
          route,
          refusal(id, type, 'id-reused', commandText('idReused', { id, type: known.type })),
        );
      const stale = this.staleOrExpired(admission);
      if (stale !== undefined) return await this.refuse(route, stale);
      return await this.carryOut(route, admission);
    } catch (error) {
      this.options.logger.error({ err: error }, 'could not handle a command from the center');
      await this.publish(route, this.reply(null, { error: { code: 'failed', message: commandText('internal') } }));
      return {};
    }
  }

  /** A new id: within reach of the center's time, not below the watermark, and the command not past its expiresAt. */
  private staleOrExpired({ envelope, identity: { id, type } }: Admitted): Refused | undefined {
    const now = this.options.centerNow();
    const judged = judgeNewId(this.options.journal.db, id, {
      verifiedOnly: this.centerKey !== undefined,
      centerNowMs: now,
    });
    this.reportIgnoredIds(judged.marks, judged.limit);
    if (judged.refusal !== undefined) return refusal(id, type, judged.refusal.code, judged.refusal.message);
    if (envelope.expiresAt !== undefined && now !== undefined && now >= envelope.expiresAt) {
      return refusal(
        id,
        type,
        'expired',
        commandText('expired', {
          expiresAt: new Date(envelope.expiresAt).toISOString(),
          now: new Date(now).toISOString(),
        }),
      );
    }
    return undefined;
  }

  /**
   * A recorded id above the watermark was left out of it: unverified on a room with a center key,
   * or beyond the center's time (damaged). Logged once per such id, so that a technician sees why
   * a room that refused every command as stale takes them again.
   */
  private reportIgnoredIds({ watermark, recorded }: CommandIdMarks, limit: number | undefined): void {
    if (recorded <= watermark || recorded === this.reportedIgnoredId) return;
    this.reportedIgnoredId = recorded;
    this.options.logger.warn(
      { recordedHighestId: recorded, watermark, limit: limit ?? null, verifiedOnly: this.centerKey !== undefined },
      'command ids recorded above the replay watermark are left out of it: unverified, or beyond the center’s time',
    );
  }

  private async refuse(route: ReplyRoute, refused: Refused): Promise<{ task?: Promise<void> }> {
    const { commandId, type, error, paths } = refused;
    this.options.logger.warn(
      { commandId, type, code: error.code, ...(paths !== undefined && { paths }) },
      'refused a command from the center',
    );
    await this.publish(route, this.reply(commandId, { error }));
    return {};
  }

  /** The same command again: the first reply, or (still running) the reply when it comes. */
  private async repeat(route: ReplyRoute, known: CommandRecord): Promise<{ task?: Promise<void> }> {
    this.options.logger.info({ commandId: known.id, type: known.type }, 'answering a repeated command from its record');
    const task = this.running.get(known.id);
    if (known.reply === undefined && task !== undefined) {
      task.routes.push(route);
      return { task: task.done };
    }
    await this.publish(route, known.reply ?? this.settleInterrupted(known));
    return {};
  }

  private async carryOut(
    route: ReplyRoute,
    { definition, params, identity }: Admitted,
  ): Promise<{ task?: Promise<void> }> {
    if (identity.signature === 'unchecked') {
      this.options.logger.warn(
        { commandId: identity.id, type: identity.type },
        'carrying out a command without a verified signature (county.centerPublicKey is not set)',
      );
    }
    if (definition.mode === 'atomic') {
      const { reply, afterReply } = this.runAtomic(definition, params, identity);
      await this.deliver([route], reply, afterReply);
      return {};
    }
    recordRunning(this.options.journal.db, identity);
    const routes = [route];
    const done = this.track(this.runTask(definition, params, identity, routes));
    this.running.set(identity.id, { routes, done });
    return { task: done };
  }

  private runAtomic(
    definition: CommandDefinition & { mode: 'atomic' },
    params: unknown,
    identity: CommandIdentity,
  ): { reply: CommandReply; afterReply: Array<() => unknown> } {
    const afterReply: Array<() => unknown> = [];
    try {
      const reply = this.options.journal.transaction((tx) => {
        const result = definition.run(params, this.context(afterReply));
        if (result instanceof Promise)
          throw new AgentError(ErrorCode.Internal, `the atomic command ${identity.type} returned a promise`);
        const done = this.reply(identity.id, { result });
        recordOutcome(tx, identity, done);
        return done;
      });
      this.options.logger.info(
        { commandId: identity.id, type: identity.type },
        'carried out a command from the center',
      );
      return { reply, afterReply };
    } catch (error) {
      // Rolled back: nothing the handler wrote remains, so nothing is to follow the reply.
      return { reply: this.failed(identity, error), afterReply: [] };
    }
  }

  private async runTask(
    definition: CommandDefinition,
    params: unknown,
    identity: CommandIdentity,
    routes: ReplyRoute[],
  ): Promise<void> {
    const afterReply: Array<() => unknown> = [];
    let reply: CommandReply;
    try {
      const result: unknown = await definition.run(params, this.context(afterReply));
      reply = this.reply(identity.id, { result });
      this.store(identity, reply);
      this.options.logger.info(
        { commandId: identity.id, type: identity.type },
        'carried out a command from the center',
      );
    } catch (error) {
      afterReply.length = 0;
      reply = this.failed(identity, error);
    }
    this.running.delete(identity.id);
    await this.deliver(routes, reply, afterReply);
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    const forget = (): boolean => this.pending.delete(work);
    void work.then(forget, forget);
    return work;
  }

  private context(afterReply: Array<() => unknown>): CommandContext {
    return { deps: this.options.handlers, link: this.options.link, afterReply: (action) => afterReply.push(action) };
  }

  /** A handler's failure: logged (an internal fault with its stack), recorded, answered. */
  private failed(identity: CommandIdentity, error: unknown): CommandReply {
    const replyError = replyErrorOf(error);
    const fields = { commandId: identity.id, type: identity.type, code: replyError.code };
    if (isAgentError(error))
      this.options.logger.warn({ ...fields, errorCode: error.code }, 'a command from the center failed');
    else
      this.options.logger.error({ ...fields, err: error }, 'a command from the center failed with an internal error');
    const reply = this.reply(identity.id, { error: replyError });
    this.store(identity, reply);
    return reply;
  }

  /** A task that was running when the agent stopped: nobody knows how far it got. */
  private settleInterrupted(command: CommandIdentity): CommandReply {
    this.options.logger.warn(
      { commandId: command.id, type: command.type },
      'a command from the center was interrupted by a stop of the agent',
    );
    const reply = this.reply(command.id, { error: { code: 'failed', message: commandText('interrupted') } });
    this.store(command, reply);
    return reply;
  }

  /** A reply that cannot be stored is still sent: what the command did stays done. */
  private store(identity: CommandIdentity, reply: CommandReply): void {
    try {
      this.options.journal.transaction((tx) => recordOutcome(tx, identity, reply));
    } catch (error) {
      this.options.logger.error(
        { err: error, commandId: identity.id },
        'could not record the outcome of a command from the center',
      );
    }
  }

  private reply(commandId: number | null, outcome: { result: unknown } | { error: ReplyError }): CommandReply {
    const base = { v: MESSAGE_VERSIONS.reply, deviceId: this.options.deviceId, commandId } as const;
    if ('error' in outcome) return { ...base, status: 'error', error: outcome.error };
    // Through JSON once: undefined members vanish as they would on the wire, so the stored reply is the sent one.
    return outcome.result === undefined
      ? { ...base, status: 'done' }
      : { ...base, status: 'done', result: JSON.parse(JSON.stringify(outcome.result)) as unknown };
  }

  private async deliver(
    routes: readonly ReplyRoute[],
    reply: CommandReply,
    afterReply: ReadonlyArray<() => unknown>,
  ): Promise<void> {
    for (const route of routes) await this.publish(route, reply);
    // Not awaited: deleting a removed member's templates must not hold up the next command.
    for (const action of afterReply) {
      void this.track(
        Promise.resolve()
          .then(action)
          .catch((error: unknown) =>
            this.options.logger.error(
              { err: error, commandId: reply.commandId },
              'an action after a command’s reply failed',
            ),
          ),
      );
    }
  }

  /**
   * A lost reply is not sent again by the device: the center repeats a command it got no reply
   * to, and a carried-out one is then answered from its record.
   */
  private async publish(route: ReplyRoute, reply: CommandReply): Promise<void> {
    try {
      await this.options.link.publish({
        topic: route.topic,
        payload: JSON.stringify(reply),
        qos: 1,
        priority: 'control',
        properties: { contentType: 'application/json', correlationData: route.correlationData },
      });
    } catch (error) {
      this.options.logger.info({ err: error, commandId: reply.commandId }, 'a reply to the center was not delivered');
    }
  }

  /** A response topic is honoured only under this room's own `out/`: the broker's ACL refuses anything else. */
  private replyRoute(properties: MessageProperties): ReplyRoute {
    const own = `${this.options.topics.base}/out/`;
    const asked = properties.responseTopic;
    const usable = asked !== undefined && asked.startsWith(own) && asked.length > own.length && !/[+#]/.test(asked);
    if (asked !== undefined && !usable) {
      this.options.logger.warn(
        { responseTopic: asked },
        'a command named a response topic outside this room’s namespace; replying on the default topic',
      );
    }
    return { topic: usable ? asked : this.options.topics.replies, correlationData: properties.correlationData };
  }
}

function refusal(commandId: number, type: string, code: ReplyError['code'], message: string): Refused {
  return { ok: false, commandId, type, error: { code, message } };
}
