import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay, type BackoffPolicy } from '../util/backoff.js';
import type { KeyboardReader } from '../../drivers/hidKeyboard/keyboardReader.js';
import type { ScannerState } from '../daemon/bus.js';
import type { Logger } from '../log.js';
import { DEFAULT_BACKOFF } from './moduleSupervisor.js';

export interface KeyboardSupervisorDeps {
  /** A fresh reader per attempt. */
  open: () => KeyboardReader;
  /** A member number the reader typed (it matched the finger or card on board). */
  onNumber(memberNumber: string): void;
  logger: Logger;
  onState(state: ScannerState, detail: string | undefined): void;
  backoff?: BackoffPolicy | undefined;
}

/**
 * Keeps a keyboard-wedge reader open for as long as the agent runs: reopens it with capped
 * backoff after an unplug, reporting it disconnected meanwhile. The reader has no module the
 * agent could talk to, so there is nothing to lend out and no identity to check.
 */
export class KeyboardSupervisor {
  private readonly stopped = new AbortController();
  private running: Promise<void> | undefined;

  constructor(private readonly deps: KeyboardSupervisorDeps) {}

  start(): void {
    this.deps.onState('connecting', undefined);
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    const { signal } = this.stopped;
    let attempt = 0;
    while (!signal.aborted) {
      const reader = this.deps.open();
      try {
        reader.open();
      } catch (error) {
        this.deps.logger.warn({ err: error }, 'cannot open the keyboard-wedge reader');
        this.deps.onState('disconnected', (error as Error).message);
        await sleep(backoffDelay(attempt++, this.deps.backoff ?? DEFAULT_BACKOFF), undefined, { signal }).catch(
          () => undefined,
        );
        continue;
      }
      attempt = 0;
      reader.on('number', (memberNumber) => this.deps.onNumber(memberNumber));
      this.deps.onState('connected', reader.description);
      const [error] = (await once(reader, 'disconnected', { signal }).catch(() => [undefined])) as [Error | undefined];
      reader.close();
      if (error === undefined) return;
      this.deps.onState('disconnected', error.message);
      await sleep(backoffDelay(attempt++, this.deps.backoff ?? DEFAULT_BACKOFF), undefined, { signal }).catch(
        () => undefined,
      );
    }
  }
}
