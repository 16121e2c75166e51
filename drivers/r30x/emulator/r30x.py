#!/usr/bin/env python3
"""An R30x-family fingerprint module (ZFM-20, R307, R503) on a pseudo-terminal.

Written from the datasheet facts (drivers/r30x/README.md) only, never from the TypeScript
driver, so a misreading of the datasheet in one does not silently agree with the other. See
../../emulator-common/control.py for the test's control channel.
"""

import argparse
from pathlib import Path
import random
import sys

# The parts both module families share (pty, board, control channel, fingers) live beside the
# family folders; this file is started as a script, so that folder is put on the path here.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / 'emulator-common'))

import control
import r30x_instructions as ops
from fingers import FingerNames, identity_of_template, template_control
from r30x_packets import PID_ACK, PID_COMMAND, PID_DATA, PID_END_OF_DATA, PacketReader, encode


class Model:
    def __init__(self, capacity, template_size, power_on_ms, baud_factors, unsupported,
                 announces=False, features=('high_speed_search',), system_id=0x0000):
        self.capacity = capacity
        self.template_size = template_size
        self.power_on_ms = power_on_ms
        self.baud_factors = baud_factors
        # ZFM-20 era datasheets have no "unsupported command" code: 0x01 is what they answer.
        self.unsupported = unsupported
        self.announces = announces  # sends 0x55 once ready after power-on
        self.features = set(features)
        self.system_id = system_id


MODELS = {
    'zfm20': Model(162, 512, 500, range(1, 13), unsupported=0x01),
    'r307': Model(1000, 768, 200, range(1, 13), unsupported=0x01),
    'r503': Model(200, 1536, 50, (1, 2, 4, 6, 12), unsupported=0xFC, announces=True,
                  features=('high_speed_search', 'image_ex', 'aura')),
}

HANDSHAKE_BYTE = b'\x55'
WAKE_ACK_CONFIRMATION = 0xFF
SOFT_RESET_SECONDS = 0.05


class Module:
    def __init__(self, model, options):
        self.model = model
        self.fingers = FingerNames()
        self.capacity = options.capacity or model.capacity
        self.template_size = model.template_size
        self.power_on_delay = (model.power_on_ms if options.power_on_delay_ms is None
                               else options.power_on_delay_ms) / 1000
        self.wake_ack = options.wake_ack
        self.features = set(model.features)
        if not options.high_speed_search:
            self.features.discard('high_speed_search')
        self.random = random.Random(options.seed)
        # Flash: survives power cycles and replugs.
        self.password = options.password
        self.address = options.address
        self.baud_factor = options.baud // 9600
        self.packet_size = options.packet_size
        self.security = 3
        self.library = {}
        self.notepad = [bytes(ops.NOTEPAD_PAGE_SIZE)] * ops.NOTEPAD_PAGES
        self.board = None
        self._reset_volatile()

    command_names = frozenset([i.name for i in ops.INSTRUCTIONS.values()] + ['ReceiveError'])

    @property
    def baud(self):
        return self.baud_factor * 9600

    def _reset_volatile(self):
        self.verified = self.password == 0
        self.passed = False
        self.image = None
        self.char_buffers = {1: None, 2: None}
        self.aura = None
        self._download = None
        self._reader = PacketReader()

    # --- board interface ------------------------------------------------------------------------

    def power_on(self, board):
        self.board = board
        self._reset_volatile()
        if self.model.announces:
            board.send_unsolicited(HANDSHAKE_BYTE)
        if self.wake_ack:
            board.send_unsolicited(encode(self.address, PID_ACK, bytes([WAKE_ACK_CONFIRMATION])))

    def receive(self, data, now):
        for packet in self._reader.feed(data, now):
            if self.board.powered:
                self._on_packet(packet)

    def state(self):
        return {
            'family': 'r30x',
            'capacity': self.capacity,
            'templateSize': self.template_size,
            'password': self.password,
            'verified': self.verified,
            'address': self.address,
            'packetSize': self.packet_size,
            'security': self.security,
            'slots': {str(page): self.fingers.describe(identity_of_template(t, self.template_size))
                      for page, t in sorted(self.library.items())},
            'notepad': [page.hex() for page in self.notepad],
            'aura': self.aura,
        }

    def control(self, request):
        return template_control(request, self.fingers, self.library, self.capacity, self.template_size)

    # --- helpers for the instructions -----------------------------------------------------------

    def capture(self):
        sensor = self.board.sensor
        return None if sensor.finger is None else (sensor.finger, sensor.quality)

    def identity_in_buffer(self, buffer_id):
        template = self.char_buffers[buffer_id]
        return None if template is None else identity_of_template(template, self.template_size)

    def status_register(self):
        return (int(self.passed) << 1) | (int(self.verified) << 2) | (int(self.image is not None) << 3)

    def begin_download(self, buffer_id):
        self._download = {'buffer': buffer_id, 'bytes': bytearray(), 'intact': True}

    def soft_reset(self):
        self._reset_volatile()
        board = self.board

        def announce():
            if board.powered and board.module is self:
                board.send_unsolicited(HANDSHAKE_BYTE)

        board.call_later(SOFT_RESET_SECONDS, announce)

    # --- packets --------------------------------------------------------------------------------

    def _on_packet(self, packet):
        if packet.address != self.address:
            return
        if packet.pid in (PID_DATA, PID_END_OF_DATA):
            self._on_data_packet(packet)
            return
        if packet.pid != PID_COMMAND:
            return
        # A command ends any download in progress: what arrived so far is not a template.
        self._finish_download(complete=False)
        if not packet.checksum_ok or not packet.payload:
            self.board.command_received('ReceiveError')
            self._reply('ReceiveError', ops.Reply(ops.RECEIVE_ERROR))
            return
        code, params = packet.payload[0], packet.payload[1:]
        instruction = ops.INSTRUCTIONS.get(code)
        if instruction is not None and instruction.needs and instruction.needs not in self.features:
            instruction = None
        name = instruction.name if instruction else f'Unknown(0x{code:02X})'
        self.board.command_received(name)
        self._reply(name, self._execute(instruction, params))

    def _execute(self, instruction, params):
        if instruction is None:
            return ops.Reply(self.model.unsupported)
        if not self.verified and instruction.name != 'VfyPwd':
            return ops.Reply(ops.PASSWORD_NOT_VERIFIED)
        if len(params) != instruction.param_length:
            return ops.Reply(ops.RECEIVE_ERROR)
        try:
            return instruction.handler(self, params)
        except ops.MalformedParameters:
            return ops.Reply(ops.RECEIVE_ERROR)

    def _reply(self, name, reply):
        frames = [(encode(self.address, PID_ACK, bytes([reply.confirmation]) + reply.data), False)]
        if reply.upload is not None:
            chunks = [reply.upload[i:i + self.packet_size]
                      for i in range(0, len(reply.upload), self.packet_size)]
            for index, chunk in enumerate(chunks):
                pid = PID_END_OF_DATA if index == len(chunks) - 1 else PID_DATA
                frames.append((encode(self.address, pid, chunk), True))
        self.board.transmit(name, frames, reply.after)

    def _on_data_packet(self, packet):
        download = self._download
        if download is None:
            return
        last = packet.pid == PID_END_OF_DATA
        size_ok = len(packet.payload) <= self.packet_size if last else len(packet.payload) == self.packet_size
        download['intact'] &= packet.checksum_ok and size_ok
        download['bytes'] += packet.payload
        self.board.data_packet_received()
        if last and self._download is download:
            self._finish_download(complete=True)

    def _finish_download(self, complete):
        download, self._download = self._download, None
        if download is None:
            return
        intact = complete and download['intact']
        # A damaged transfer leaves bytes a later Store or Search finds unreadable (0x0C).
        self.char_buffers[download['buffer']] = bytes(download['bytes']) if intact else b''


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__)
    control.add_common_arguments(parser)
    parser.add_argument('--model', choices=sorted(MODELS), default='zfm20')
    parser.add_argument('--capacity', type=int, help="library pages (default: the model's)")
    parser.add_argument('--packet-size', type=int, choices=ops.PACKET_SIZES, default=128)
    parser.add_argument('--baud', type=int, default=57600, help='the module\'s current speed, 9600×N')
    parser.add_argument('--password', type=lambda text: int(text, 0), default=0)
    parser.add_argument('--address', type=lambda text: int(text, 0), default=0xFFFFFFFF)
    parser.add_argument('--wake-ack', action='store_true',
                        help='send an ack with confirmation 0xFF once ready (M5Stack modules)')
    parser.add_argument('--no-high-speed-search', dest='high_speed_search', action='store_false',
                        help='answer HighSpeedSearch (0x1B) as an unsupported instruction')
    parser.add_argument('--seed', type=int, default=1, help='seed of GetRandomCode')
    options = parser.parse_args(argv)
    model = MODELS[options.model]
    if options.baud % 9600 or options.baud // 9600 not in model.baud_factors:
        parser.error(f'--baud must be 9600×N with N in {list(model.baud_factors)} for {options.model}')
    if options.capacity is not None and not 1 <= options.capacity <= 1024:
        parser.error('--capacity must be in 1..1024 (ReadIndexTable covers four pages of 256)')
    if not 0 <= options.password <= 0xFFFFFFFF or not 0 <= options.address <= 0xFFFFFFFF:
        parser.error('--password and --address are 32-bit values')
    return options, model


def main(argv):
    options, model = parse_arguments(argv)
    control.run(Module(model, options), options.link)


if __name__ == '__main__':
    main(sys.argv[1:])
