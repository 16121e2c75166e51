import type { z } from 'zod';
import type { Link } from '../link/types.js';
import type { CommandDependencies } from './dependencies.js';

/** What a handler gets besides its params. */
export interface CommandContext {
  readonly deps: CommandDependencies;
  /** The link the command came over (diagnostics reports it). */
  readonly link: Pick<Link, 'state' | 'session' | 'inflight'>;
  /**
   * Runs `action` once the reply was published (or its publish failed: the reply is stored
   * either way, and a repeat of the command is answered from the store). A restart goes here, so
   * the center hears "done" first. Dropped when the handler fails.
   */
  readonly afterReply: (action: () => unknown) => void;
}

interface CommonDefinition<S extends z.ZodType> {
  /** Dotted, e.g. `members.upsert`: the envelope's `type`. */
  readonly type: string;
  /** The command's params; a failure is answered `invalid-params` naming the paths. */
  readonly params: S;
  /**
   * A check of the params against the device's present state (a camera name against the
   * configuration, config values against the whole schema): throws a CommandRefusal, usually
   * `invalid-params`. Like every refusal it changes nothing and is not recorded.
   */
  check?(params: z.output<S>, deps: CommandDependencies): void;
}

/**
 * Acts only on the journal's database: `run` is synchronous and runs inside the transaction that
 * records the command and its `center.command` entry, so the command takes effect exactly once:
 * with its record, or (a crash, an error) not at all.
 */
export interface AtomicCommand<S extends z.ZodType = z.ZodType> extends CommonDefinition<S> {
  readonly mode: 'atomic';
  /** Returns the reply's `result` (JSON). */
  run(params: z.output<S>, context: CommandContext): unknown;
}

/**
 * Acts outside the database (the fingerprint module, the override file, the outbox, the
 * process): the command is recorded as running before `run` starts and its reply is stored when
 * it ends, so it runs at most once. A crash in between leaves it "interrupted", which is the
 * reply a repeat then gets: its effect may or may not have happened, and only a person can tell.
 */
export interface TaskCommand<S extends z.ZodType = z.ZodType> extends CommonDefinition<S> {
  readonly mode: 'task';
  /** Returns the reply's `result` (JSON), or a promise of it: the reply waits for it. */
  run(params: z.output<S>, context: CommandContext): unknown;
}

export type CommandDefinition<S extends z.ZodType = z.ZodType> = AtomicCommand<S> | TaskCommand<S>;

/** Keeps a definition's params type for its run and check while the catalog holds it untyped. */
export function defineCommand<S extends z.ZodType>(definition: CommandDefinition<S>): CommandDefinition {
  return definition;
}
