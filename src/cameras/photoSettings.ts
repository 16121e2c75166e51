import type { Config } from '../config/schema.js';

/** Default minutes between photos of an activity with no planned duration. */
const DEFAULT_INTERVAL_MINUTES = 20;

export interface PhotoSettings {
  /** The camera that takes the meeting photos, with its main stream; undefined when the room has none. */
  camera: { name: string; url: string } | undefined;
  intervalMinutes: number;
}

/** The meeting-photo settings: the first camera takes the photos, every 20 minutes without a planned duration. */
export function photoSettings(config: Pick<Config, 'cameras'>): PhotoSettings {
  const first = config.cameras[0];
  return {
    camera: first === undefined ? undefined : { name: first.name, url: first.url },
    intervalMinutes: DEFAULT_INTERVAL_MINUTES,
  };
}
