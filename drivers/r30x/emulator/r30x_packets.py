"""R30x "EF01" packets as the module sees them (drivers/r30x/README.md).

EF 01 | address (4, big-endian) | PID | length (2, = payload + 2) | payload | checksum (2, the sum
of PID, both length bytes and the payload, mod 65536).
"""

HEADER = b'\xef\x01'
PID_COMMAND = 0x01
PID_DATA = 0x02
PID_ACK = 0x07
PID_END_OF_DATA = 0x08
KNOWN_PIDS = (PID_COMMAND, PID_DATA, PID_ACK, PID_END_OF_DATA)

# The largest payload is a 256-byte data packet; anything longer is a corrupted length field.
MAX_LENGTH = 256 + 2
_PREFIX = 9  # header, address, PID, length
# A module's receiver abandons a packet that stops arriving; otherwise one lost byte would make it
# swallow the host's next command as the tail of the broken one.
RECEIVE_GAP_SECONDS = 0.5


def checksum(pid, length, payload):
    return (pid + (length >> 8) + (length & 0xFF) + sum(payload)) & 0xFFFF


def encode(address, pid, payload):
    length = len(payload) + 2
    return (HEADER + address.to_bytes(4, 'big') + bytes([pid]) + length.to_bytes(2, 'big')
            + bytes(payload) + checksum(pid, length, payload).to_bytes(2, 'big'))


class Packet:
    __slots__ = ('address', 'pid', 'payload', 'checksum_ok')

    def __init__(self, address, pid, payload, checksum_ok):
        self.address = address
        self.pid = pid
        self.payload = payload
        self.checksum_ok = checksum_ok


class PacketReader:
    """Cuts the host's byte stream into packets, resynchronising on the next header."""

    def __init__(self):
        self._buffer = bytearray()
        self._last_byte_at = 0.0

    def feed(self, data, now):
        if self._buffer and now - self._last_byte_at > RECEIVE_GAP_SECONDS:
            self._buffer.clear()
        self._last_byte_at = now
        self._buffer += data
        packets = []
        while True:
            start = self._buffer.find(HEADER)
            if start < 0:
                # Keep a trailing 0xEF: it may be the first half of a header split across reads.
                keep = 1 if self._buffer.endswith(HEADER[:1]) else 0
                del self._buffer[:len(self._buffer) - keep]
                return packets
            del self._buffer[:start]
            if len(self._buffer) < _PREFIX:
                return packets
            pid = self._buffer[6]
            length = int.from_bytes(self._buffer[7:9], 'big')
            if pid not in KNOWN_PIDS or length < 2 or length > MAX_LENGTH:
                del self._buffer[:1]
                continue
            end = _PREFIX + length
            if len(self._buffer) < end:
                return packets
            payload = bytes(self._buffer[_PREFIX:end - 2])
            received = int.from_bytes(self._buffer[end - 2:end], 'big')
            address = int.from_bytes(self._buffer[2:6], 'big')
            packets.append(Packet(address, pid, payload, received == checksum(pid, length, payload)))
            del self._buffer[:end]
