import type { LoadedConfig } from '../config/load.js';
import type { EventBus, RevertRecord } from '../daemon/bus.js';
import type { Logger } from '../log.js';
import type { Core } from './core.js';
import { agentVersion } from './version.js';

/**
 * The journal events (and log lines) that say which software and which configuration this run
 * is on. Payloads carry codes and English text only: the county reads them, whatever the
 * daemon's locale.
 */
export function announceStart(core: Core, loaded: LoadedConfig, bus: EventBus, logger: Logger): void {
  const { journal, clock } = core;
  journal.append('agent.started', {
    version: agentVersion(),
    bootId: clock.read().bootId,
    pid: process.pid,
    overrideActive: loaded.overrideActive,
    scannerDriver: loaded.config.scanner.driver,
  });
  const { migrated, reverted } = loaded;
  if (migrated !== undefined) {
    const { from, to, backup, notSaved } = migrated;
    journal.append('config.migrated', {
      from,
      to,
      ...(backup !== undefined && { backup }),
      ...(notSaved !== undefined && { notSaved: notSaved.errno }),
    });
    if (notSaved === undefined)
      logger.info(
        { file: loaded.path, from, to, backup },
        'configuration file migrated; the old version is kept as a backup',
      );
    // Under ProtectSystem=strict /etc is read-only: this happens at every start until the file is updated by hand.
    else
      logger.warn(
        { file: loaded.path, from, to, reason: notSaved.reason },
        `configuration migrated in memory only: the file could not be rewritten; update it to version ${to} by hand`,
      );
  }
  if (reverted !== undefined) journalRevert(core, bus, logger, reverted);
}

/** A reverted remote override, journaled and announced (the sync service reports it to the county). */
export function journalRevert(core: Core, bus: EventBus, logger: Logger, reverted: RevertRecord): void {
  const record: RevertRecord = { code: reverted.code, problems: reverted.problems };
  core.journal.append('config.reverted', { code: record.code, problems: record.problems });
  bus.emit('config.reverted', record);
  logger.warn(record, 'remote configuration override reverted');
}
