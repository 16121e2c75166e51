import { digitOf, isEnter, parseBootReport } from './bootReport.js';

export interface MemberNumberDecoderOptions {
  /** Longest member number accepted; a longer run of digits is discarded whole. */
  readonly maxDigits: number;
  /**
   * A pause between digits longer than this abandons the digits so far: a reader types a number in
   * one burst, so a stale fragment (a reader reset mid-number) must not prefix the next member's.
   */
  readonly idleResetMs: number;
}

export type DecoderEvent =
  | { readonly kind: 'number'; readonly memberNumber: string }
  | { readonly kind: 'tooLong'; readonly maxDigits: number }
  | { readonly kind: 'abandoned'; readonly digits: number; readonly idleMs: number }
  | { readonly kind: 'malformed'; readonly length: number };

/**
 * Turns a keyboard-wedge reader's boot reports into member numbers: digits then Enter. Keys held
 * across reports (rollover, auto-repeat reports) count once; other keys are ignored.
 */
export class MemberNumberDecoder {
  private held = new Set<number>();
  private digits = '';
  private overflowed = false;
  private lastDigitAt = 0;

  constructor(private readonly options: MemberNumberDecoderOptions) {}

  /** Feeds one report received at `nowMs` (a monotonic clock), returning what it completed. */
  feed(report: Uint8Array, nowMs: number): DecoderEvent[] {
    const parsed = parseBootReport(report);
    if (parsed === undefined) return [{ kind: 'malformed', length: report.length }];
    if (parsed.kind === 'rollover') return [];
    const pressed = parsed.usages.filter((usage) => !this.held.has(usage));
    this.held = new Set(parsed.usages);
    return pressed.flatMap((usage) => this.press(usage, nowMs));
  }

  private press(usage: number, nowMs: number): DecoderEvent[] {
    if (isEnter(usage)) return this.finish();
    const digit = digitOf(usage);
    if (digit === undefined) return [];
    const events: DecoderEvent[] = [];
    const idleMs = nowMs - this.lastDigitAt;
    if ((this.digits.length > 0 || this.overflowed) && idleMs > this.options.idleResetMs) {
      if (this.digits.length > 0) events.push({ kind: 'abandoned', digits: this.digits.length, idleMs });
      this.reset();
    }
    this.lastDigitAt = nowMs;
    if (this.overflowed) return events;
    if (this.digits.length === this.options.maxDigits) {
      this.overflowed = true;
      this.digits = '';
      events.push({ kind: 'tooLong', maxDigits: this.options.maxDigits });
      return events;
    }
    this.digits += digit;
    return events;
  }

  private finish(): DecoderEvent[] {
    const memberNumber = this.digits;
    const complete = !this.overflowed && memberNumber.length > 0;
    this.reset();
    return complete ? [{ kind: 'number', memberNumber }] : [];
  }

  private reset(): void {
    this.digits = '';
    this.overflowed = false;
  }
}
