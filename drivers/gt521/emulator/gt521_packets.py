"""GT-511C3 / GT-521F packets as the module sees them (drivers/gt521/README.md), all little-endian.

Command:  55 AA | 01 00 | param (4) | command (2) | checksum (2)            (12 bytes)
Response: 55 AA | 01 00 | param (4) | 30 00 ACK or 31 00 NACK | checksum (2)
Data:     5A A5 | 01 00 | data (length known from the command) | checksum (2)
Checksum: the 16-bit sum of every byte before it.
"""

COMMAND_START = b'\x55\xaa'
DATA_START = b'\x5a\xa5'
DEVICE_ID = 0x0001
ACK = 0x30
NACK = 0x31
COMMAND_LENGTH = 12
# The module's receiver drops a packet that stops arriving, so one lost byte cannot make it read
# the host's next command as the tail of the broken one.
RECEIVE_GAP_SECONDS = 0.5


def checksum(data):
    return sum(data) & 0xFFFF


def _with_checksum(body):
    return body + checksum(body).to_bytes(2, 'little')


def encode_response(acknowledged, parameter):
    body = (COMMAND_START + DEVICE_ID.to_bytes(2, 'little') + (parameter & 0xFFFFFFFF).to_bytes(4, 'little')
            + (ACK if acknowledged else NACK).to_bytes(2, 'little'))
    return _with_checksum(body)


def encode_data(data):
    return _with_checksum(DATA_START + DEVICE_ID.to_bytes(2, 'little') + bytes(data))


class Command:
    __slots__ = ('device_id', 'parameter', 'code', 'checksum_ok')

    def __init__(self, device_id, parameter, code, checksum_ok):
        self.device_id = device_id
        self.parameter = parameter
        self.code = code
        self.checksum_ok = checksum_ok


class Data:
    __slots__ = ('device_id', 'data', 'checksum_ok')

    def __init__(self, device_id, data, checksum_ok):
        self.device_id = device_id
        self.data = data
        self.checksum_ok = checksum_ok


class PacketReader:
    """Cuts the host's stream into commands and, when the module awaits one (SetTemplate), a data
    packet of known length; anything else before a start code is skipped."""

    def __init__(self):
        self._buffer = bytearray()
        self._last_byte_at = 0.0
        self.expected_data_length = None

    def feed(self, data, now):
        if self._buffer and now - self._last_byte_at > RECEIVE_GAP_SECONDS:
            self._buffer.clear()
        self._last_byte_at = now
        self._buffer += data
        packets = []
        while True:
            packet = self._next_packet()
            if packet is None:
                return packets
            packets.append(packet)

    def _next_packet(self):
        starts = [COMMAND_START] + ([DATA_START] if self.expected_data_length is not None else [])
        positions = [p for p in (self._buffer.find(start) for start in starts) if p >= 0]
        if not positions:
            keep = 1 if self._buffer[-1:] in (COMMAND_START[:1], DATA_START[:1]) else 0
            del self._buffer[:len(self._buffer) - keep]
            return None
        del self._buffer[:min(positions)]
        if self._buffer.startswith(COMMAND_START):
            if len(self._buffer) < COMMAND_LENGTH:
                return None
            raw = bytes(self._buffer[:COMMAND_LENGTH])
            del self._buffer[:COMMAND_LENGTH]
            return Command(int.from_bytes(raw[2:4], 'little'), int.from_bytes(raw[4:8], 'little'),
                           int.from_bytes(raw[8:10], 'little'),
                           checksum(raw[:10]) == int.from_bytes(raw[10:12], 'little'))
        total = 4 + self.expected_data_length + 2
        if len(self._buffer) < total:
            return None
        raw = bytes(self._buffer[:total])
        del self._buffer[:total]
        self.expected_data_length = None
        return Data(int.from_bytes(raw[2:4], 'little'), raw[4:-2],
                    checksum(raw[:-2]) == int.from_bytes(raw[-2:], 'little'))
