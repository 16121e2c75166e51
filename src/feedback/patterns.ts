import type { ModuleSignal } from '../../drivers/scanner.js';

/** What a member at the scanner must be able to tell apart, by light and by sound alone. */
export type FeedbackSignal = 'accepted' | 'already' | 'rejected' | 'retry' | 'fault';

export const FEEDBACK_SIGNALS: readonly FeedbackSignal[] = ['accepted', 'already', 'rejected', 'retry', 'fault'];

export interface Pulse {
  onMs: number;
  offMs: number;
}

export interface Pattern {
  led: 'green' | 'red';
  /** LED pulses, in order. */
  light: readonly Pulse[];
  /** Buzzer pulses, in order, played alongside the light. */
  beeps: readonly Pulse[];
}

function repeat(count: number, onMs: number, offMs: number): Pulse[] {
  return Array.from({ length: count }, () => ({ onMs, offMs }));
}

/**
 * Green means signed in, red means not. Within a colour the light differs in count and length,
 * and the beeps alone tell all five apart (many members are elderly and watch nothing but the
 * sensor): one short, two short, one long, three quick, three long.
 */
export const PATTERNS: Readonly<Record<FeedbackSignal, Pattern>> = {
  accepted: { led: 'green', light: repeat(1, 1000, 0), beeps: repeat(1, 150, 0) },
  already: { led: 'green', light: repeat(2, 250, 200), beeps: repeat(2, 150, 150) },
  rejected: { led: 'red', light: repeat(1, 1000, 0), beeps: repeat(1, 700, 0) },
  retry: { led: 'red', light: repeat(3, 100, 100), beeps: repeat(3, 60, 80) },
  fault: { led: 'red', light: repeat(5, 300, 200), beeps: repeat(3, 600, 300) },
};

/**
 * The module's own light, when no GPIO lamp or buzzer is wired. The module has no "try again"
 * light, and a lasting one would outstay the moment; retry is told by the log alone there.
 */
export const MODULE_SIGNALS: Readonly<Record<FeedbackSignal, ModuleSignal | undefined>> = {
  accepted: 'accepted',
  already: 'already',
  rejected: 'rejected',
  retry: undefined,
  fault: 'fault',
};
