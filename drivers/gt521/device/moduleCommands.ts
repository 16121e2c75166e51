import type { DriverLogger } from '../../common/logger.js';
import { gt521Commands } from '../framing/commands.js';
import { nackError, type NackContext } from '../framing/nack.js';
import type { Gt521Request } from '../framing/packet.js';
import type { Gt521Protocol } from '../protocol/protocol.js';

/**
 * The few conversation patterns every device operation shares: a command that must be ACKed, the
 * finger-present query, and the sensor light switched on only for as long as it is needed.
 */
export class Gt521ModuleCommands {
  constructor(
    readonly protocol: Gt521Protocol,
    private readonly logger: DriverLogger,
  ) {}

  /** Sends a command that must succeed; returns the ACK's parameter or throws the NACK's error. */
  async expectAck(request: Gt521Request, context: NackContext = 'plain'): Promise<number> {
    const response = await this.protocol.command(request);
    if (!response.ack) throw nackError(request.name, response.param, context);
    return response.param;
  }

  /** IsPressFinger answers 0 when a finger is on the sensor; any other value means none. */
  async fingerPressed(): Promise<boolean> {
    return (await this.expectAck(gt521Commands.isPressFinger())) === 0;
  }

  /**
   * Runs `work` with the sensor light on and switches it off afterwards, whatever happened: the
   * sensor sees nothing in the dark, and a light left burning all day wears the module and draws
   * insects into the room. Failing to switch it off (the module just went away) is logged, not
   * thrown, so it never hides the outcome or the error of the work itself.
   */
  async withLight<T>(work: () => Promise<T>): Promise<T> {
    await this.expectAck(gt521Commands.cmosLed(true));
    try {
      return await work();
    } finally {
      await this.expectAck(gt521Commands.cmosLed(false)).catch((error: unknown) => {
        this.logger.warn({ err: error }, 'gt521: could not switch the sensor light off');
      });
    }
  }
}
