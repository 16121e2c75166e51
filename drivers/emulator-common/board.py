"""Everything around a module's protocol logic: the cable (pty), power, the finger on the glass,
the UART speed check, and the test's levers (hold a reply, unplug mid-transfer, inject noise).

A protocol module (r30x.Module, gt521.Module) implements:
  baud                    its UART speed right now
  power_on_delay          seconds from power-on until it listens
  power_on(board)         resets volatile state; may transmit unsolicited bytes
  receive(data, now)      bytes the host sent at the right speed (now: time.monotonic())
  state()                 a JSON-able dict for tests
  command_names           the names command_received() reports (datasheet names)
  control(request)        module-specific control commands; raises KeyError for unknown ones
and calls back board.command_received(name) and board.transmit(command, frames, after).
"""

import selectors
import time

from ptyhost import PtyPort

UNPLUG_DRAIN_LIMIT_SECONDS = 1.0
# Without root, a host's exclusive lock hides how much it has read: give it this long instead.
UNKNOWN_DRAIN_WAIT_SECONDS = 0.2
HOST_POLL_SECONDS = 0.02


def garble(data):
    """What the host reads when the module talks at another speed: never a valid byte sequence.

    A real mismatch gives speed-dependent junk; this stand-in sets the top bit of every byte, so
    neither protocol's header (EF 01, 55 AA, 5A A5: each has a byte below 0x80) can ever form and
    a test sees deterministic bytes.
    """
    return bytes(((byte ^ 0x5A) | 0x80) for byte in data)


class Sensor:
    def __init__(self):
        self.finger = None
        self.quality = 'good'

    def place(self, finger, quality):
        self.finger = finger
        self.quality = quality

    def lift(self):
        self.finger = None
        self.quality = 'good'


class Board:
    def __init__(self, loop, link_path, module, emit):
        self.loop = loop
        self.module = module
        self.emit = emit
        self.sensor = Sensor()
        self.port = PtyPort(link_path)
        self.powered = False
        self.counts = {}
        self._hold_names = set()
        self._held = None
        self._held_input = bytearray()
        self._unplug_after_data_packets = None
        self._data_packets = 0
        self._cable_cut = False
        self._waiting_for_host = False
        self._plug_generation = 0
        self._power_timer = None
        self.ignored_bytes = 0
        self._watch_port()
        self._power_up()

    # --- the module's side -------------------------------------------------------------------

    def command_received(self, name):
        self.counts[name] = self.counts.get(name, 0) + 1
        self.emit({'event': 'command', 'name': name, 'count': self.counts[name]})

    def transmit(self, command, frames, after=None):
        """Sends frames ((bytes, is_data_packet) pairs), then runs after() (e.g. a new baud rate
        that must apply only once the reply is out). A held command keeps all of it back."""
        if command in self._hold_names:
            self._hold_names.discard(command)
            self._held = (frames, after)
            self.emit({'event': 'held', 'name': command})
            return
        self._send(frames, after)

    def data_packet_received(self):
        if self._count_data_packet():
            self.unplug()

    def send_unsolicited(self, data):
        self._send([(data, False)], None)

    def call_later(self, seconds, callback):
        return self.loop.call_later(seconds, callback)

    # --- the test's levers --------------------------------------------------------------------

    def hold(self, name):
        if name not in self.module.command_names:
            raise ValueError(f'{name!r} is not a command of this module; one of {sorted(self.module.command_names)}')
        self._hold_names.add(name)

    def release(self):
        held, self._held = self._held, None
        self._hold_names.clear()
        if held is not None:
            self._send(*held)
        pending, self._held_input = bytes(self._held_input), bytearray()
        if pending and self._held is None:
            self._deliver(pending)
        return held is not None

    def unplug_after_data_packets(self, count):
        self._unplug_after_data_packets = count
        self._data_packets = 0

    def noise(self, data):
        self._queue(data)

    def unplug(self):
        if not self.port.plugged:
            return
        self.loop.unwatch(self.port.master)
        self._waiting_for_host = False
        self._plug_generation += 1
        self.port.unplug()
        self._cable_cut = False
        self._power_down()
        self.emit({'event': 'unplugged'})

    def replug(self):
        if self.port.plugged:
            return
        self.port.replug()
        self._watch_port()
        self.emit({'event': 'replugged', 'path': self.port.link_path, 'slave': self.port.slave_path})
        self._power_up()

    def power_cycle(self):
        self._power_down()
        self._power_up()

    def describe(self):
        return {
            'plugged': self.port.plugged,
            'powered': self.powered,
            'path': self.port.link_path,
            'slave': self.port.slave_path,
            'baud': self.module.baud,
            'hostBaud': self.port.host_speed(),
            'finger': self.sensor.finger,
            'quality': self.sensor.quality,
            'counts': dict(self.counts),
            'ignoredBytes': self.ignored_bytes,
            'holding': self._held is not None,
        }

    # --- internals ----------------------------------------------------------------------------

    def _power_up(self):
        self.powered = False
        self._power_timer = self.loop.call_later(self.module.power_on_delay, self._powered)

    def _powered(self):
        self._power_timer = None
        if not self.port.plugged:
            return
        self.powered = True
        self.module.power_on(self)

    def _power_down(self):
        if self._power_timer is not None:
            self._power_timer.cancel()
            self._power_timer = None
        self.powered = False
        self._held = None
        self._held_input.clear()
        self._hold_names.clear()
        self._unplug_after_data_packets = None

    def _watch_port(self):
        """Selects on the pty while a host has it open, polls for one otherwise: epoll reports
        the hang-up of a pty nobody opened on every wait, which would spin the loop."""
        master = self.port.master
        if master is None or self._waiting_for_host:
            return
        # fd numbers come back after a close: a generation tells this plug-in from the last.
        generation = self._plug_generation
        if not self.port.host_connected():
            self.loop.unwatch(master)
            self._waiting_for_host = True
            self.loop.call_later(HOST_POLL_SECONDS, lambda: self._host_poll(generation))
            return
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if self.port.has_pending else 0)
        self.loop.watch(master, events, lambda mask: self._on_port_ready(generation, mask))

    def _host_poll(self, generation):
        if generation != self._plug_generation:
            return
        self._waiting_for_host = False
        self._watch_port()

    def _on_port_ready(self, generation, mask):
        if generation != self._plug_generation:
            return
        if mask & selectors.EVENT_READ:
            data = self.port.read()
            if data:
                self._on_input(data)
        if mask & selectors.EVENT_WRITE:
            self.port.flush()
        self._watch_port()

    def _flush(self):
        self.port.flush()
        self._watch_port()

    def _on_input(self, data):
        if not data or self._cable_cut:
            return
        if not self.powered:
            # A module still booting has its UART off: the bytes are simply lost.
            self.ignored_bytes += len(data)
            self.emit({'event': 'ignored', 'reason': 'booting', 'bytes': len(data)})
            return
        host_speed = self.port.host_speed()
        if host_speed != self.module.baud:
            # The module's UART samples at its own rate: no header is recognised, nothing is
            # answered. Silence (not an error reply) is what a host probing speeds must expect.
            self.ignored_bytes += len(data)
            self.emit({'event': 'ignored', 'reason': 'baud', 'bytes': len(data),
                       'hostBaud': host_speed, 'moduleBaud': self.module.baud})
            return
        if self._held is not None:
            self._held_input += data
            return
        self._deliver(data)

    def _deliver(self, data):
        self.module.receive(data, time.monotonic())

    def _send(self, frames, after):
        if not self.port.plugged or self._cable_cut:
            return
        outgoing = bytearray()
        for data, is_data_packet in frames:
            outgoing += data
            if is_data_packet and self._count_data_packet():
                break
        if self.port.host_speed() != self.module.baud:
            outgoing = garble(outgoing)
            self.emit({'event': 'garbled', 'bytes': len(outgoing)})
        # One write per reply: the kernel then hands it to the host's side in one piece, which
        # the unplug-after-n-packets lever relies on.
        self._queue(bytes(outgoing))
        if self._cable_cut:
            self._unplug_once_read(time.monotonic() + UNPLUG_DRAIN_LIMIT_SECONDS, seen_unread=False)
        elif after is not None:
            after()

    def _queue(self, data):
        if self.port.queue(data):
            self._flush()
        else:
            # Nobody has the port open: the bytes fall on the floor, as on a real line.
            self.emit({'event': 'unheard', 'bytes': len(data)})

    def _count_data_packet(self):
        """Counts a data packet either way; True when it is the one to pull the cable after."""
        if self._unplug_after_data_packets is None:
            return False
        self._data_packets += 1
        if self._data_packets < self._unplug_after_data_packets:
            return False
        self._unplug_after_data_packets = None
        self._cable_cut = True
        return True

    def _unplug_once_read(self, deadline, seen_unread):
        # Closing the master discards what the host has not read yet; a test that asks for "n
        # packets, then the cable goes" must see exactly n packets. The kernel moves written
        # bytes to the host's side a moment later, so "nothing unread" only means "all read"
        # after the bytes were once seen waiting; missing that moment costs the deadline.
        if not self.port.plugged:
            return
        unread = self.port.unread_by_host()
        if unread is None:
            self.loop.call_later(UNKNOWN_DRAIN_WAIT_SECONDS, self.unplug)
            return
        seen_unread = seen_unread or unread > 0
        if (not seen_unread or unread) and time.monotonic() < deadline:
            self.loop.call_later(0.005, lambda: self._unplug_once_read(deadline, seen_unread))
            return
        self.unplug()
