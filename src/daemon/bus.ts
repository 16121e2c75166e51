import { EventEmitter } from 'node:events';

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
  /** A write found the journal file damaged (SQLITE_CORRUPT): the daemon quarantines it. */
  'journal.damaged': [{ reason: string }];
  /** The journal continued above a gap (journal/gap.ts): lost is null when no seq was skipped. */
  'journal.gap': [{ seq: number; reason: string; lost: { fromSeq: number; toSeq: number } | null; carried: number }];
  'clock.synced': [{ source: string; seq: number }];
  'config.reverted': [RevertRecord];
  'health.changed': [{ service: string; state: HealthState; detail?: string | undefined }];
  /** The fingerprint module's connection changed (connected, disconnected, refused…). */
  'scanner.state': [{ state: ScannerState; detail?: string | undefined }];
  /** A camera's push changed state (src/cameras/types.ts CameraState; a string here, below the cameras' layer). */
  'camera.state': [{ camera: string; state: string }];
  /** A journal write failed (`what`: sign-in, start-up record…): the storage monitor names a full or read-only card. */
  'storage.writeFailed': [{ error: unknown; what: string }];
  /** The storage monitor named another state (store/storageGuard.ts StorageState; a string below that layer). */
  'storage.state': [{ state: string }];
}

export type ActivitySource = 'center' | 'plan' | 'cli';

/** The fingerprint module's connection as the scanner service reports it. */
export type ScannerState = 'disabled' | 'connecting' | 'connected' | 'disconnected' | 'refused';

/**
 * Why a remote override was reverted. The journal (and through it the county) gets the code and
 * English problem lines, never text in the daemon's locale: under systemd there is no LANG, so
 * localized text would be Chinese on one device and English on another. (config/revertReason.ts adds
 * the reason in the reader's language, for display only.)
 * - override-invalid: it does not validate on top of the main file;
 * - override-did-not-start: a start on it ended (crash, hang, watchdog) before it was confirmed;
 * - override-broke-service: the trial window ended with a service that could not start on it.
 */
export type RevertCode = 'override-invalid' | 'override-did-not-start' | 'override-broke-service';

/** What the config.reverted journal event carries. */
export interface RevertRecord {
  code: RevertCode;
  problems: string[];
}

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
