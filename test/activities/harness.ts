import { PlanStore } from '../../src/activities/plans.js';
import { ActivityScheduler } from '../../src/activities/scheduler.js';
import { ActivityStore } from '../../src/activities/store.js';
import { EventBus, type EventMap } from '../../src/daemon/bus.js';
import { Journal } from '../../src/journal/journal.js';
import { setLanguage } from '../../src/i18n.js';
import { createSilentLogger } from '../../src/log.js';
import { makeTempDir } from '../helpers/cli.js';
import { FakeClock } from '../helpers/fakeClock.js';

/** Real journal in a temp dir, the activity stores and scheduler on a hand-moved clock. */
export function activityHarness() {
  // Messages are asserted in English, as the CLI tests run with ROOM_AGENT_LANG=en.
  setLanguage('en');
  const temp = makeTempDir();
  // One minute before the plans' 09:00 (+08:00).
  const clock = new FakeClock({ wallMs: Date.parse('2025-07-05T08:59:00+08:00') });
  const bus = new EventBus();
  const journal = Journal.open({ dataDir: temp.dir, access: 'create', clock, logger: createSilentLogger(), bus });
  const activities = new ActivityStore(journal, bus);
  const plans = new PlanStore(journal);
  const scheduler = new ActivityScheduler(activities, plans, clock, createSilentLogger());
  const announced: Array<{ event: keyof EventMap; seq: number }> = [];
  bus.on('test', 'activity.started', ({ seq }) => announced.push({ event: 'activity.started', seq }));
  bus.on('test', 'activity.ended', ({ seq }) => announced.push({ event: 'activity.ended', seq }));
  return {
    clock,
    journal,
    activities,
    plans,
    scheduler,
    announced,
    /** Journal events of the given type, oldest first. */
    events(type: string) {
      return journal.read(0, 10_000).filter((entry) => entry.type === type);
    },
    close() {
      journal.close();
      temp.cleanup();
    },
  };
}

export type ActivityHarness = ReturnType<typeof activityHarness>;

/** A plan starting at the harness clock's 09:00 (+08:00) unless told otherwise. */
export function plan(overrides: Record<string, unknown> = {}) {
  return {
    id: 'P-2025-07-05',
    type: 'theme-party-day',
    title: '7月主题党日',
    startsAt: '2025-07-05T09:00:00+08:00',
    durationMin: 90,
    photos: 3,
    recording: true,
    ...overrides,
  };
}
