import type { Service, ServiceHealth } from '../../daemon/service.js';
import type { Logger } from '../../log.js';
import type { RecordingUploads } from './recordingUploads.js';

const DEFAULT_CHECK_INTERVAL_MS = 2_000;

export interface IdleRecordingOptions {
  uploads: Pick<RecordingUploads, 'queueNextIdle'>;
  /**
   * The link has nothing else to carry: connected, no event backlog, no live push, no file pending.
   * The composition root builds it from the services that know.
   */
  idle: () => boolean;
  logger: Logger;
  /** How often the link is looked at. Default 2 s: cheap, and a segment follows the last one soon. */
  checkIntervalMs?: number | undefined;
}

/**
 * Sends the recordings of activities flagged `recordingUpload: when-idle` by themselves, while
 * the link would carry nothing else: one segment at a time, queued only when the condition holds
 * and nothing is pending, so a sign-in backlog, a photo or a push starting has the link back once
 * the segment under way is done.
 */
export class IdleRecordingUploads implements Service {
  readonly name = 'recording-uploads';
  private timer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(private readonly options: IdleRecordingOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.check(), this.options.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  health(): ServiceHealth {
    return { state: 'ok' };
  }

  /** One look at the link: queues a segment when it is idle. Resolves once that is done; never rejects. */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      if (this.options.idle()) await this.options.uploads.queueNextIdle();
    } catch (error) {
      // The journal could not be written (full card…): the next look tries again.
      this.options.logger.error({ err: error }, 'could not queue a recording segment');
    } finally {
      this.checking = false;
    }
  }
}
