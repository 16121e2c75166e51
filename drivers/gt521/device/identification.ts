import { DriverError, DriverErrorCode } from '../../common/errors.js';
import type { IdentifyOutcome } from '../../scanner.js';
import { gt521Commands } from '../framing/commands.js';
import { Gt521Nack, nackError } from '../framing/nack.js';
import type { Gt521ModuleCommands } from './moduleCommands.js';

/**
 * One sign-in poll: with the light on, IsPressFinger; only when a finger is there, the fast
 * capture and Identify1_N over every slot. Everything a member can cause (no finger, a finger
 * lifted mid-capture, an unknown or smudged finger) is an outcome; only module faults throw.
 */
export function identifyFinger(commands: Gt521ModuleCommands, capacity: number): Promise<IdentifyOutcome> {
  const { protocol } = commands;
  return commands.withLight(async () => {
    if (!(await commands.fingerPressed())) return { kind: 'no-finger' };
    const capture = gt521Commands.captureFinger(false);
    const captured = await protocol.command(capture);
    if (!captured.ack) {
      if (captured.param === Gt521Nack.FingerIsNotPressed) return { kind: 'no-finger' };
      if (captured.param === Gt521Nack.BadFinger) {
        return { kind: 'poor-image', reason: nackError(capture.name, captured.param).message };
      }
      throw nackError(capture.name, captured.param);
    }
    const search = gt521Commands.identify();
    const result = await protocol.command(search);
    if (result.ack) {
      if (result.param >= capacity) {
        throw new DriverError(
          DriverErrorCode.UnexpectedReply,
          `${search.name}: the module matched slot ${result.param}, beyond its ${capacity} slots`,
          { slot: result.param, capacity },
        );
      }
      // The GT protocol reports no similarity score for a match; 0 stands for "not reported".
      return { kind: 'match', slot: result.param, score: 0 };
    }
    if (result.param === Gt521Nack.IdentifyFailed || result.param === Gt521Nack.DbIsEmpty) {
      return { kind: 'no-match' };
    }
    if (result.param === Gt521Nack.BadFinger) {
      return { kind: 'poor-image', reason: nackError(search.name, result.param).message };
    }
    throw nackError(search.name, result.param);
  });
}
