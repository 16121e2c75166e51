/**
 * What the demo plays, as data: the roster, and the timed steps of the story. The setup (roster,
 * enrollments) plays once; the round (a theme party day from a plan, sign-ins, the link cut and
 * restored, the end) plays again and again, each time as a new activity, so the fingers enrolled
 * in the setup sign in again without being enrolled again.
 */
export interface DemoMember {
  memberId: string;
  name: string;
  role: 'member' | 'secretary';
}

export const ROSTER: readonly DemoMember[] = [
  { memberId: 'S001', name: '王建国', role: 'secretary' },
  { memberId: 'M001', name: '李秀英', role: 'member' },
  { memberId: 'M002', name: '张伟', role: 'member' },
  { memberId: 'M003', name: '刘洋', role: 'member' },
  { memberId: 'M004', name: '陈静', role: 'member' },
  { memberId: 'M005', name: '杨明', role: 'member' },
];

/** The finger every demo member enrolls and signs in with. */
export const DEMO_FINGER = 'right-index';

/** A finger nobody enrolled: someone who is not on the roster. */
export const VISITOR = 'visitor';

export type StepAction =
  | { kind: 'roster' }
  | { kind: 'enroll'; memberId: string }
  | { kind: 'plan'; startsInSeconds: number; durationMin: number }
  | { kind: 'finger'; memberId: string; expect: 'accepted' | 'already' | 'unknown' }
  | { kind: 'manual'; memberId: string; confirmedBy: string }
  | { kind: 'cut'; seconds: number }
  | { kind: 'restore' }
  /** The plan's minute is over: the agent ends the activity by itself (and takes the end photo). */
  | { kind: 'end' };

export interface StoryStep {
  /** Seconds from the start of its part (setup or round). */
  at: number;
  action: StepAction;
}

export const SETUP: readonly StoryStep[] = [
  { at: 0, action: { kind: 'roster' } },
  { at: 3, action: { kind: 'enroll', memberId: 'S001' } },
  { at: 9, action: { kind: 'enroll', memberId: 'M001' } },
  { at: 15, action: { kind: 'enroll', memberId: 'M002' } },
  { at: 21, action: { kind: 'enroll', memberId: 'M003' } },
  { at: 27, action: { kind: 'enroll', memberId: 'M004' } },
];

/** When the setup hands over to the first round. */
export const SETUP_SECONDS = 33;

/**
 * The plan's activity runs one minute, from 6 s to 66 s: its three photos fall at its start, in
 * the middle (while the link is cut: the photo waits in the queue) and at its end.
 */
export const ROUND: readonly StoryStep[] = [
  { at: 0, action: { kind: 'plan', startsInSeconds: 6, durationMin: 1 } },
  { at: 10, action: { kind: 'finger', memberId: 'M001', expect: 'accepted' } },
  { at: 14, action: { kind: 'finger', memberId: 'M002', expect: 'accepted' } },
  { at: 18, action: { kind: 'finger', memberId: 'M001', expect: 'already' } },
  { at: 22, action: { kind: 'finger', memberId: VISITOR, expect: 'unknown' } },
  { at: 26, action: { kind: 'manual', memberId: 'M005', confirmedBy: 'S001' } },
  { at: 31, action: { kind: 'cut', seconds: 20 } },
  { at: 35, action: { kind: 'finger', memberId: 'M003', expect: 'accepted' } },
  { at: 40, action: { kind: 'finger', memberId: 'M004', expect: 'accepted' } },
  { at: 45, action: { kind: 'finger', memberId: 'S001', expect: 'accepted' } },
  { at: 51, action: { kind: 'restore' } },
  { at: 68, action: { kind: 'end' } },
];

/** A round's length: the end, then a pause to look at the result before the next round. */
export const ROUND_SECONDS = 90;

export function memberName(memberId: string): string {
  return ROSTER.find((member) => member.memberId === memberId)?.name ?? memberId;
}
