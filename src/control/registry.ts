import type { z } from 'zod';
import { AgentError, ErrorCode } from '../errors.js';
import { issueSummary } from '../util/zodIssues.js';

export interface HandlerContext {
  /** Sends a `{id, progress}` line before the response, e.g. "place the finger again". */
  readonly progress: (data: unknown) => void;
  /**
   * Aborts when the client ends its side while the method runs (Ctrl-C in the CLI): a long method
   * such as an enrollment stops.
   */
  signal?: AbortSignal | undefined;
}

export type Handler<S extends z.ZodType> = (params: z.output<S>, context: HandlerContext) => unknown;

interface Method {
  params: z.ZodType;
  handler: (params: unknown, context: HandlerContext) => unknown;
}

/**
 * The methods the control socket serves. Services register theirs (scanner enrollment, sync
 * status) with a zod schema for the params; the CLI runs the same registry in-process when no
 * daemon is running, so both paths validate and behave alike.
 */
export class ControlRegistry {
  private readonly methods = new Map<string, Method>();

  /**
   * `explain` restates a handler's error that the layers above can name (a full or read-only
   * card behind a raw SQLite error) before it reaches the client as an internal error.
   */
  constructor(private readonly explain: (error: unknown, method: string) => AgentError | undefined = () => undefined) {}

  /** Registers a method; returns the function that removes it (for a service's stop()). */
  register<S extends z.ZodType>(method: string, params: S, handler: Handler<S>): () => void {
    if (this.methods.has(method)) {
      throw new AgentError(ErrorCode.Internal, `control method ${method} is registered twice`, { method });
    }
    this.methods.set(method, { params, handler: handler as Method['handler'] });
    return () => this.methods.delete(method);
  }

  methodNames(): string[] {
    return [...this.methods.keys()].sort();
  }

  /** Validates params and runs the handler; absent params count as `{}`. Throws AgentError. */
  async dispatch(method: string, params: unknown, context: HandlerContext): Promise<unknown> {
    const entry = this.methods.get(method);
    if (entry === undefined) {
      throw new AgentError(
        ErrorCode.ControlProtocol,
        `unknown method "${method}"; known: ${this.methodNames().join(', ')}`,
        { method },
      );
    }
    const input = params ?? {};
    const parsed = entry.params.safeParse(input);
    if (!parsed.success) {
      throw new AgentError(ErrorCode.UsageError, `${method}: ${issueSummary(parsed.error.issues, input)}`, { method });
    }
    try {
      return await entry.handler(parsed.data, context);
    } catch (error) {
      throw this.explain(error, method) ?? error;
    }
  }
}
