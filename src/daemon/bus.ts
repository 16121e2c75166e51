import { EventEmitter } from 'node:events';
import type { RevertRecord } from '../config/revertReason.js';
import type { ScannerState } from '../scanner/moduleSupervisor.js';

/**
 * The typed event bus between services. Each service registers its listeners with its own
 * name as owner and removes them on stop, so a restarted service never listens twice.
 */
export interface EventMap {
  'activity.started': [
    {
      activityId: string;
      type: string;
      title: string;
      source: ActivitySource;
      seq: number;
      planId?: string | undefined;
    },
  ];
  'activity.ended': [{ activityId: string; seq: number; reason: string }];
  'journal.appended': [{ seq: number; type: string }];
  'journal.tamper': [{ firstBrokenSeq: number; reason: string }];
  'clock.synced': [{ source: string; seq: number }];
  'config.reverted': [RevertRecord];
  'health.changed': [{ service: string; state: HealthState; detail?: string | undefined }];
  /** The fingerprint module's connection changed (connected, disconnected, refused…). */
  'scanner.state': [{ state: ScannerState; detail?: string | undefined }];
}

export type ActivitySource = 'center' | 'plan' | 'cli';
export type HealthState = 'ok' | 'degraded' | 'failed' | 'stopped' | 'starting';

type Listener<K extends keyof EventMap> = (...args: EventMap[K]) => void;

export class EventBus {
  private readonly emitter = new EventEmitter();
  private readonly owned = new Map<string, Array<{ event: keyof EventMap; listener: (...args: unknown[]) => void }>>();

  constructor() {
    this.emitter.setMaxListeners(50);
  }

  emit<K extends keyof EventMap>(event: K, ...args: EventMap[K]): void {
    this.emitter.emit(event, ...args);
  }

  on<K extends keyof EventMap>(owner: string, event: K, listener: Listener<K>): void {
    const untyped = listener as unknown as (...args: unknown[]) => void;
    this.emitter.on(event, untyped);
    const list = this.owned.get(owner) ?? [];
    list.push({ event, listener: untyped });
    this.owned.set(owner, list);
  }

  removeOwner(owner: string): void {
    for (const { event, listener } of this.owned.get(owner) ?? []) {
      this.emitter.off(event, listener);
    }
    this.owned.delete(owner);
  }
}
