/**
 * Coalesces acknowledgements: at most one per room per interval, and the one sent is built when
 * it goes out, so it always carries the room's latest prefix. A room sending twenty batches in
 * a burst gets a handful of acks, the last of which covers them all.
 */
export class AckScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly lastSentMs = new Map<string, number>();

  constructor(
    private readonly send: (deviceId: string) => void,
    private readonly intervalMs: number,
  ) {}

  request(deviceId: string): void {
    if (this.timers.has(deviceId)) return;
    const waitMs = (this.lastSentMs.get(deviceId) ?? Number.NEGATIVE_INFINITY) + this.intervalMs - Date.now();
    if (waitMs <= 0) {
      this.fire(deviceId);
      return;
    }
    this.timers.set(
      deviceId,
      setTimeout(() => {
        this.timers.delete(deviceId);
        this.fire(deviceId);
      }, waitMs),
    );
  }

  /** Sends every ack still waiting for its slot, now: the center is about to stop. */
  flush(): void {
    for (const [deviceId, timer] of this.timers) {
      clearTimeout(timer);
      this.fire(deviceId);
    }
    this.timers.clear();
  }

  private fire(deviceId: string): void {
    this.lastSentMs.set(deviceId, Date.now());
    this.send(deviceId);
  }
}
