import { DriverError, DriverErrorCode } from '../../common/errors.js';
import { gt521Commands } from '../framing/commands.js';
import { TEMPLATE_SIZE } from '../framing/constants.js';
import { nackError } from '../framing/nack.js';
import type { Gt521Protocol } from '../protocol/protocol.js';

/** GetTemplate: the ACK, then the slot's template as one 498-byte data packet. */
export async function readTemplate(protocol: Gt521Protocol, slot: number): Promise<Buffer> {
  const request = gt521Commands.getTemplate(slot);
  const reply = await protocol.commandWithData(request, TEMPLATE_SIZE);
  if (!reply.response.ack) throw nackError(request.name, reply.response.param);
  if (reply.data === undefined) {
    const message = `${request.name}: no template followed the ACK`;
    throw new DriverError(DriverErrorCode.UnexpectedReply, message, { slot });
  }
  return reply.data;
}

/**
 * SetTemplate with the module's duplicate check left on: a template of a finger already enrolled
 * in another slot is refused as DuplicateFinger (context.slot), as at enrollment.
 */
export async function writeTemplate(
  protocol: Gt521Protocol,
  slot: number,
  template: Buffer,
  storeTimeoutMs: number,
): Promise<void> {
  if (template.length !== TEMPLATE_SIZE) {
    throw new DriverError(
      DriverErrorCode.BadTemplate,
      `a GT-521F template is ${TEMPLATE_SIZE} bytes, this one is ${template.length}: ` +
        'it was not read from a GT-5x1 module',
      { slot, size: template.length },
    );
  }
  const request = gt521Commands.setTemplate(slot);
  const response = await protocol.commandSendingData(request, template, storeTimeoutMs);
  if (!response.ack) throw nackError(request.name, response.param, 'duplicate-check');
}
