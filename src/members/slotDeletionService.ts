import type { EventBus } from '../daemon/bus.js';
import type { Service, ServiceHealth } from '../daemon/service.js';
import type { MemberJournal } from './store.js';
import { pendingSlots, type SlotDeletions } from './slotDeletions.js';

/**
 * Deletes removed members' templates from the module whenever the scanner (re)connects, and
 * shows in `status` how many still wait: a removed member's finger must not stay on a module
 * unnoticed, even though it matches nobody.
 */
export class SlotDeletionService implements Service {
  readonly name = 'slot-deletions';

  constructor(
    private readonly deletions: SlotDeletions,
    private readonly journal: MemberJournal,
    private readonly bus: EventBus,
  ) {}

  start(): void {
    this.bus.on(this.name, 'scanner.state', ({ state }) => {
      if (state === 'connected') void this.deletions.drain();
    });
    // The scanner may have connected before this listener was added.
    void this.deletions.drain();
  }

  stop(): void {
    this.bus.removeOwner(this.name);
  }

  health(): ServiceHealth {
    const waiting = pendingSlots(this.journal.db).length;
    return waiting === 0
      ? { state: 'ok' }
      : { state: 'ok', detail: `${waiting} removed member slot(s) wait for the scanner to be deleted` };
  }
}
