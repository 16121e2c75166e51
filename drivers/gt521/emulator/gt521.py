#!/usr/bin/env python3
"""A GT-521F32 / GT-521F52 / GT-511C3 fingerprint module on a pseudo-terminal.

Written from the datasheet facts (drivers/gt521/README.md) only, never from the TypeScript
driver. See ../../emulator-common/control.py for the test's control channel.
"""

import argparse
from pathlib import Path
import sys

# The parts both module families share (pty, board, control channel, fingers) live beside the
# family folders; this file is started as a script, so that folder is put on the path here.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'emulator-common'))

import control
import gt521_commands as ops
from fingers import FingerNames, identity_of_name, identity_of_template, template_control
from gt521_packets import Command, PacketReader, encode_data, encode_response

POWER_ON_BAUD = 9600


class Model:
    def __init__(self, capacity, firmware_version, iso_area_size):
        self.capacity = capacity
        self.firmware_version = firmware_version
        self.iso_area_size = iso_area_size


MODELS = {
    'f32': Model(200, 0x20150904, 0x00003800),
    'f52': Model(3000, 0x20160822, 0x00003800),
    'c3': Model(200, 0x20120330, 0x00003800),
}


class Module:
    command_names = frozenset([name for name, _ in ops.COMMANDS.values()] + ['CommError'])

    def __init__(self, model, options):
        self.model = model
        self.fingers = FingerNames()
        self.capacity = options.capacity or model.capacity
        self.serial_number = bytes.fromhex(options.serial)
        self.power_on_delay = (100 if options.power_on_delay_ms is None else options.power_on_delay_ms) / 1000
        # Only the first power-on may start elsewhere (a module left at another speed by a host
        # that crashed); every later power-on is back at 9600, as the datasheet says.
        self.baud = options.baud
        self._next_power_on_baud = options.baud
        self.security = 3
        self.database = {}
        self.board = None
        self._reset_volatile()

    def _reset_volatile(self):
        self.led_on = False
        self.image = None
        self.enrollment = None
        self._awaiting_data = None
        self._reader = PacketReader()

    # --- board interface ------------------------------------------------------------------------

    def power_on(self, board):
        self.board = board
        self.baud, self._next_power_on_baud = self._next_power_on_baud, POWER_ON_BAUD
        self._reset_volatile()

    def receive(self, data, now):
        for packet in self._reader.feed(data, now):
            if self.board.powered:
                self._on_packet(packet)

    def state(self):
        return {
            'family': 'gt521',
            'capacity': self.capacity,
            'serialNumber': self.serial_number.hex(),
            'ledOn': self.led_on,
            'security': self.security,
            'enrolling': self.enrollment is not None,
            'slots': {str(slot): self.fingers.describe(identity_of_template(t, ops.TEMPLATE_SIZE))
                      for slot, t in sorted(self.database.items())},
        }

    def control(self, request):
        return template_control(request, self.fingers, self.database, self.capacity, ops.TEMPLATE_SIZE)

    # --- helpers for the commands ---------------------------------------------------------------

    def slot_of(self, finger):
        return self.slot_of_identity(identity_of_name(finger))

    def slot_of_identity(self, identity):
        for slot, template in sorted(self.database.items()):
            if identity_of_template(template, ops.TEMPLATE_SIZE) == identity:
                return slot
        return None

    # --- packets --------------------------------------------------------------------------------

    def _on_packet(self, packet):
        if packet.device_id != 0x0001:
            return
        if not isinstance(packet, Command):
            awaiting, self._awaiting_data = self._awaiting_data, None
            if awaiting is not None:
                name, on_data = awaiting
                self.board.data_packet_received()
                self._reply(name, on_data(packet.data, packet.checksum_ok))
            return
        # A command instead of the awaited data packet abandons the transfer.
        self._awaiting_data = None
        self._reader.expected_data_length = None
        if not packet.checksum_ok:
            self.board.command_received('CommError')
            self._reply('CommError', ops.nack(ops.NACK_COMM_ERR))
            return
        known = ops.COMMANDS.get(packet.code)
        name = known[0] if known else f'Unknown(0x{packet.code:02X})'
        self.board.command_received(name)
        reply = known[1](self, packet.parameter) if known else ops.nack(ops.NACK_IS_NOT_SUPPORTED)
        if reply.expect_data is not None:
            self._awaiting_data = (name, reply.expect_data)
            self._reader.expected_data_length = ops.TEMPLATE_SIZE
        self._reply(name, reply)

    def _reply(self, name, reply):
        frames = [(encode_response(reply.acknowledged, reply.parameter), False)]
        if reply.data is not None:
            frames.append((encode_data(reply.data), True))
        self.board.transmit(name, frames, reply.after)


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__)
    control.add_common_arguments(parser)
    parser.add_argument('--model', choices=sorted(MODELS), default='f32')
    parser.add_argument('--capacity', type=int, help="database slots (default: the model's)")
    parser.add_argument('--serial', default='474e3532314633322d454d554c303031',
                        help='the 16-byte serial number Open reports, as 32 hex digits')
    parser.add_argument('--baud', type=int, default=POWER_ON_BAUD, choices=ops.BAUD_RATES,
                        help='speed until the first power cycle (a real module always starts at 9600)')
    options = parser.parse_args(argv)
    try:
        if len(bytes.fromhex(options.serial)) != 16:
            raise ValueError
    except ValueError:
        parser.error('--serial must be 32 hex digits (16 bytes)')
    if options.capacity is not None and not 1 <= options.capacity <= 3000:
        parser.error('--capacity must be in 1..3000')
    return options, MODELS[options.model]


def main(argv):
    options, model = parse_arguments(argv)
    control.run(Module(model, options), options.link)


if __name__ == '__main__':
    main(sys.argv[1:])
