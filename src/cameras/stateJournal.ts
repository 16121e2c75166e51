import type { CameraProblem, CameraState } from './types.js';

/** The `camera.state` journal entry: no URL, no credential; the detail is English (the county reads it). */
export interface CameraStateEntry {
  camera: string;
  state: CameraState;
  problem?: CameraProblem | undefined;
  detail?: string | undefined;
}

export interface StateJournalOptions {
  append(entry: CameraStateEntry): void;
  /** Monotonic milliseconds. */
  now(): number;
  /** Entries a camera may write at once (a start: probing, starting, live). */
  burst: number;
  /** One more entry allowed per this many ms. */
  refillMs: number;
}

interface Bucket {
  tokens: number;
  refilledAt: number;
  /** What the journal last recorded for the camera. */
  written: string | undefined;
  /** The latest state not yet recorded, waiting for a token. */
  pending: CameraStateEntry | undefined;
  timer: NodeJS.Timeout | undefined;
}

const keyOf = (entry: CameraStateEntry): string => `${entry.state} ${entry.problem ?? ''}`;

/**
 * Journals each camera's state changes under a token bucket per camera, so a flapping camera
 * writes a few entries a minute at most instead of one per restart; whatever is held back, the
 * latest state is written when the next token comes (or at flush), so the journal always ends on
 * the camera's real state.
 */
export class CameraStateJournal {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly options: StateJournalOptions) {}

  record(entry: CameraStateEntry): void {
    const bucket = this.bucket(entry.camera);
    bucket.pending = keyOf(entry) === bucket.written ? undefined : entry;
    this.drain(bucket);
  }

  /** Writes every held-back state now (the service stops). */
  flush(): void {
    for (const bucket of this.buckets.values()) {
      clearTimeout(bucket.timer);
      bucket.timer = undefined;
      if (bucket.pending !== undefined) this.write(bucket, bucket.pending);
    }
  }

  private bucket(camera: string): Bucket {
    let bucket = this.buckets.get(camera);
    if (bucket === undefined) {
      bucket = {
        tokens: this.options.burst,
        refilledAt: this.options.now(),
        written: undefined,
        pending: undefined,
        timer: undefined,
      };
      this.buckets.set(camera, bucket);
    }
    return bucket;
  }

  private drain(bucket: Bucket): void {
    const { refillMs, burst } = this.options;
    const now = (): number => this.options.now();
    const gained = Math.floor((now() - bucket.refilledAt) / refillMs);
    if (gained > 0) {
      bucket.tokens = Math.min(burst, bucket.tokens + gained);
      bucket.refilledAt = bucket.tokens === burst ? now() : bucket.refilledAt + gained * refillMs;
    }
    if (bucket.pending === undefined) return;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.write(bucket, bucket.pending);
      return;
    }
    if (bucket.timer !== undefined) return;
    bucket.timer = setTimeout(
      () => {
        bucket.timer = undefined;
        this.drain(bucket);
      },
      bucket.refilledAt + refillMs - now(),
    );
  }

  private write(bucket: Bucket, entry: CameraStateEntry): void {
    bucket.pending = undefined;
    bucket.written = keyOf(entry);
    this.options.append(entry);
  }
}
