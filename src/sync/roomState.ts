import { keyRecords } from '../journal/keyChain.js';
import { readCheckpoint } from '../journal/meta.js';
import { GENESIS_HASH } from '../journal/types.js';
import type { Db } from '../store/database.js';
import type { PublishRequest } from './link/types.js';
import { MESSAGE_VERSIONS, type StateMessage } from './protocol/messages.js';

/** Who a room is, as its retained state message tells the center. */
export interface RoomIdentity {
  deviceId: string;
  version: string;
  bootId: string;
  /** The journal's database: the center trusts the device keys listed here on first use. */
  db: Db;
}

export function roomStateMessage(identity: RoomIdentity, state: StateMessage['state'], reason?: string): StateMessage {
  return {
    v: MESSAGE_VERSIONS.state,
    deviceId: identity.deviceId,
    state,
    ...(reason === undefined ? {} : { reason }),
    version: identity.version,
    bootId: identity.bootId,
    wallMs: Date.now(),
    keys: keyRecords(identity.db),
    journalStart: journalStart(identity.db),
    ackVersion: MESSAGE_VERSIONS.ack,
  };
}

/** The first entry the journal still holds: only acknowledged entries are ever pruned. */
function journalStart(db: Db): StateMessage['journalStart'] {
  const checkpoint = readCheckpoint(db);
  return checkpoint === undefined
    ? { seq: 1, prevHash: GENESIS_HASH }
    : { seq: checkpoint.seq + 1, prevHash: checkpoint.hash };
}

/** The retained QoS 1 publish of a state message: online at each connect, offline at a clean stop. */
export function roomStatePublish(topic: string, message: StateMessage): PublishRequest {
  return { topic, payload: JSON.stringify(message), qos: 1, retain: true, priority: 'control' };
}
