import { LinkDownError } from './errors.js';
import type { PublishPriority } from './types.js';

/** Serving order when a slot frees up. */
export const PRIORITY_ORDER: readonly PublishPriority[] = ['control', 'live', 'backfill', 'file'];

/** A held slot, tied to the connection it was granted on. */
export interface WindowSlot {
  readonly generation: number;
}

interface Waiter {
  resolve(slot: WindowSlot): void;
  reject(error: Error): void;
}

/**
 * The QoS 1 in-flight window of one connection: at most `size` publishes outstanding (the
 * broker's Receive Maximum, which mqtt.js does not enforce; exceeding it makes a broker
 * disconnect). Waiters are served by priority, FIFO within one. Each connection opens a new
 * generation: a slot released after its connection ended (a late PUBACK callback) is ignored,
 * so it can never free a slot of the next connection.
 */
export class InflightWindow {
  private generation = 0;
  private isOpen = false;
  private capacity = 0;
  private outstanding = 0;
  private readonly waiting = new Map<PublishPriority, Waiter[]>(PRIORITY_ORDER.map((priority) => [priority, []]));

  /** Slots held now. */
  get inflight(): number {
    return this.outstanding;
  }

  get size(): number {
    return this.capacity;
  }

  /** Publishes waiting for a slot. */
  get queued(): number {
    let count = 0;
    for (const queue of this.waiting.values()) count += queue.length;
    return count;
  }

  /** A new connection is up with this window. */
  open(size: number, generation: number): void {
    if (!(Number.isInteger(size) && size >= 1))
      throw new RangeError(`in-flight window must be a whole number ≥ 1, got ${size}`);
    this.generation = generation;
    this.capacity = size;
    this.outstanding = 0;
    this.isOpen = true;
  }

  /** The connection ended: waiters fail with `error`, held slots are forgotten. */
  close(error: Error): void {
    this.isOpen = false;
    this.outstanding = 0;
    for (const queue of this.waiting.values()) {
      for (const waiter of queue.splice(0)) waiter.reject(error);
    }
  }

  acquire(priority: PublishPriority): Promise<WindowSlot> {
    if (!this.isOpen) return Promise.reject(new LinkDownError('not connected'));
    if (this.outstanding < this.capacity && this.queued === 0) {
      this.outstanding += 1;
      return Promise.resolve({ generation: this.generation });
    }
    return new Promise((resolve, reject) => this.waiting.get(priority)!.push({ resolve, reject }));
  }

  release(slot: WindowSlot): void {
    if (!this.isOpen || slot.generation !== this.generation) return;
    this.outstanding -= 1;
    this.serve();
  }

  private serve(): void {
    for (const priority of PRIORITY_ORDER) {
      const queue = this.waiting.get(priority)!;
      while (queue.length > 0 && this.outstanding < this.capacity) {
        this.outstanding += 1;
        queue.shift()!.resolve({ generation: this.generation });
      }
    }
  }
}
