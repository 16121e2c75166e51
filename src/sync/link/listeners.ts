import type { Logger } from '../../log.js';
import type { LinkEvents } from './types.js';

type Listener = (...args: never[]) => void;

/**
 * The link's up/down/message listeners. A listener that throws is logged and the others still
 * run: one consumer's bug must not stop the link from telling the rest, nor unwind into mqtt.js.
 */
export class LinkListeners {
  private readonly listeners = new Map<keyof LinkEvents, Set<Listener>>();

  constructor(private readonly logger: Logger) {}

  on<E extends keyof LinkEvents>(event: E, listener: LinkEvents[E]): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<E extends keyof LinkEvents>(event: E, ...args: Parameters<LinkEvents[E]>): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        (listener as unknown as (...values: Parameters<LinkEvents[E]>) => void)(...args);
      } catch (error) {
        this.logger.error({ err: error, event }, 'a link listener failed');
      }
    }
  }
}
