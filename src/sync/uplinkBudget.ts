import type { ByteRateLimiter } from './rateLimiter.js';

/**
 * One uplink, one budget: a camera push goes to the media server straight from ffmpeg, past the
 * byte-rate cap, so on a narrow uplink the cap alone would let the backlog crowd out the live
 * picture. While a push is live, backlog and file uploads get what the pushes leave of the
 * uplink's capacity; the live picture goes first and the backlog catches up once it ends.
 */

/** The settings (county.*) the budget is made of, bytes/s. */
export interface UplinkBudgetSettings {
  /** county.backfillBytesPerSecond; 0 = no cap. */
  capBytesPerSecond: number;
  /** county.uplinkBytesPerSecond; 0 = unknown: the cap alone holds. */
  uplinkBytesPerSecond: number;
  /** county.backfillFloorBytesPerSecond. */
  floorBytesPerSecond: number;
}

/**
 * What a push takes beyond the bitrate ffmpeg reports (its FLV output): RTMP chunk headers and
 * TCP/IP headers, a few per cent; and the reported bitrate is an average over the whole push,
 * while key frames come in bursts.
 */
export const PUSH_OVERHEAD = 1.15;
/**
 * The share of the uplink left unplanned: MQTT's own headers and acknowledgements, the health
 * message, TCP's retransmissions on a lossy radio link and the capacity a 4G cell does not keep.
 */
export const UPLINK_MARGIN = 0.15;

/**
 * The byte rate for backlog and files, bytes/s (0 = no cap), with live pushes taking `pushKbps`
 * kbit/s in all (undefined: no push is live). Without a live push, or with the capacity unknown,
 * it is the cap. Otherwise what the pushes leave of the capacity less the margin, never below the
 * floor (the backlog keeps moving) and never above the cap (the county's word stands).
 */
export function uplinkBudget(settings: UplinkBudgetSettings, pushKbps: number | undefined): number {
  const { capBytesPerSecond: cap, uplinkBytesPerSecond: uplink, floorBytesPerSecond: floor } = settings;
  if (uplink === 0 || pushKbps === undefined) return cap;
  const pushBytesPerSecond = (pushKbps * 1000 * PUSH_OVERHEAD) / 8;
  const left = Math.floor(uplink * (1 - UPLINK_MARGIN) - pushBytesPerSecond);
  const budget = Math.max(floor, left);
  return cap === 0 ? budget : Math.min(cap, budget);
}

/** The budget as `status` shows it. */
export interface UplinkBudgetReport {
  /** The rate backlog and files may take now, bytes/s; 0 = no cap. */
  bytesPerSecond: number;
  /** What live pushes take, kbit/s; absent when none is live. */
  pushKbps?: number;
}

/** How often the pushes' bitrate is read: ffmpeg reports its progress about twice a second. */
export const BUDGET_PERIOD_MS = 1000;

export interface UplinkBudgetOptions {
  settings: UplinkBudgetSettings;
  limiter: ByteRateLimiter;
  /** The live pushes' bitrate in all, kbit/s; undefined when no push is live. */
  pushKbps(): number | undefined;
  periodMs?: number;
}

/** Sets the limiter's rate to the budget every period while started; only with a known capacity. */
export class UplinkBudgetApplier {
  private timer: NodeJS.Timeout | undefined;
  private pushKbps: number | undefined;

  constructor(private readonly options: UplinkBudgetOptions) {}

  start(): void {
    if (this.options.settings.uplinkBytesPerSecond === 0 || this.timer !== undefined) return;
    this.apply();
    this.timer = setInterval(() => this.apply(), this.options.periodMs ?? BUDGET_PERIOD_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Undefined without a known capacity: then there is no budget, only the cap. */
  report(): UplinkBudgetReport | undefined {
    if (this.options.settings.uplinkBytesPerSecond === 0) return undefined;
    const bytesPerSecond = this.options.limiter.rate;
    return this.pushKbps === undefined ? { bytesPerSecond } : { bytesPerSecond, pushKbps: this.pushKbps };
  }

  private apply(): void {
    this.pushKbps = this.options.pushKbps();
    this.options.limiter.setRate(uplinkBudget(this.options.settings, this.pushKbps));
  }
}
