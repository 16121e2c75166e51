import type { EventEmitter } from 'node:events';
import type { CenterEvents } from '../countyCenter.js';

export type CenterEmitter = Pick<EventEmitter<CenterEvents>, 'on' | 'off'>;

/**
 * Calls back with the room whenever the center stored its events, got its state or health, found
 * its chain broken or received one of its files: every change a board tile shows.
 */
export function watchRooms(center: CenterEmitter, onChange: (deviceId: string) => void): () => void {
  const listeners = {
    stored: (outcome: { deviceId: string }) => onChange(outcome.deviceId),
    state: (summary: { deviceId: string }) => onChange(summary.deviceId),
    health: (summary: { deviceId: string }) => onChange(summary.deviceId),
    broken: (deviceId: string) => onChange(deviceId),
    file: (file: { deviceId: string }) => onChange(file.deviceId),
  };
  center.on('stored', listeners.stored);
  center.on('state', listeners.state);
  center.on('health', listeners.health);
  center.on('broken', listeners.broken);
  center.on('file', listeners.file);
  return () => {
    center.off('stored', listeners.stored);
    center.off('state', listeners.state);
    center.off('health', listeners.health);
    center.off('broken', listeners.broken);
    center.off('file', listeners.file);
  };
}
