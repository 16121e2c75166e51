"""The module's end of a serial cable: a pseudo-terminal whose slave the agent opens.

A stable symlink stands in for udev's /dev/serial/by-id link: unplug closes the master (the host's
open port sees a hangup) and removes the link; replug makes a new pty pair and points the link at
its slave, so the host must reopen by the stable path exactly as with a real USB adapter.

The emulator does not keep the slave open itself: like a USB adapter whose port nobody opened, a
pty without a host reader must lose what the module sends, not save it for the next open. The
master reports POLLHUP while no process has the slave open, which tells the two states apart.
"""

import fcntl
import os
import select
import struct
import termios
import tty

# struct termios2 (asm-generic/termbits.h): four tcflag_t, c_line, c_cc[19], c_ispeed, c_ospeed.
# serialport sets rates without a B-constant (28800, 76800, ...) through TCSETS2 with BOTHER, so
# only TCGETS2 sees them; the plain termios speed field would read as "BOTHER".
_TERMIOS2_SIZE = 44
_TERMIOS2_OSPEED_OFFSET = 40
_TCGETS2 = (2 << 30) | (_TERMIOS2_SIZE << 16) | (ord('T') << 8) | 0x2A

_STANDARD_SPEEDS = {
    getattr(termios, f'B{rate}'): rate
    for rate in (50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19200,
                 38400, 57600, 115200, 230400, 460800, 500000, 576000, 921600, 1000000)
    if hasattr(termios, f'B{rate}')
}


def read_host_speed(fd):
    """The speed the host configured on the slave; on Linux a pty master's termios ioctls act on
    its slave, so the module side can read it without opening the slave itself."""
    try:
        raw = fcntl.ioctl(fd, _TCGETS2, bytes(_TERMIOS2_SIZE))
        return struct.unpack_from('I', raw, _TERMIOS2_OSPEED_OFFSET)[0]
    except OSError:
        # Architectures whose termios2 layout differs: standard rates are still visible.
        return _STANDARD_SPEEDS.get(termios.tcgetattr(fd)[5], 0)


class PtyPort:
    """One plug-in of the module: created plugged, unplug() and replug() toggle it."""

    def __init__(self, link_path):
        self.link_path = os.path.abspath(link_path)
        self.master = None
        self.slave_path = None
        self._pending = bytearray()
        self.replug()

    @property
    def plugged(self):
        return self.master is not None

    def replug(self):
        if self.plugged:
            return
        master, slave = os.openpty()
        # Raw from the start: a cooked slave would echo the host's bytes back and translate CR/LF
        # before the host gets to configure it. The settings stay with the pty after the close.
        tty.setraw(slave)
        self.slave_path = os.ttyname(slave)
        os.close(slave)
        os.set_blocking(master, False)
        self.master = master
        self._pending.clear()
        temporary = f'{self.link_path}.{os.getpid()}.tmp'
        if os.path.lexists(temporary):
            os.unlink(temporary)
        os.symlink(self.slave_path, temporary)
        os.replace(temporary, self.link_path)

    def unplug(self):
        if not self.plugged:
            return
        if os.path.lexists(self.link_path):
            os.unlink(self.link_path)
        os.close(self.master)
        self.master = None
        self.slave_path = None
        self._pending.clear()

    def host_connected(self):
        """Whether some process has the slave open."""
        if not self.plugged:
            return False
        poller = select.poll()
        poller.register(self.master, select.POLLIN)
        return not any(events & select.POLLHUP for _, events in poller.poll(0))

    def unread_by_host(self):
        """Bytes written to the host that it has not read yet; None when that cannot be known.

        Only a second open of the slave can ask its line discipline, and the host's TIOCEXCL
        lock refuses that to unprivileged users.
        """
        if not self.host_connected():
            return 0
        try:
            probe = os.open(self.slave_path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        except OSError:
            return None
        try:
            raw = fcntl.ioctl(probe, termios.FIONREAD, bytes(4))
        finally:
            os.close(probe)
        return len(self._pending) + struct.unpack('i', raw)[0]

    def host_speed(self):
        return read_host_speed(self.master) if self.plugged else 0

    def read(self):
        """Bytes the host wrote since the last call (empty when none, unplugged or no host)."""
        if not self.plugged:
            return b''
        try:
            return os.read(self.master, 4096)
        except OSError:
            # EAGAIN: nothing yet; EIO: no host has the slave open.
            return b''

    def queue(self, data):
        """Queues bytes for the host; False (and dropped) when no host has the port open."""
        if not self.host_connected():
            self._pending.clear()
            return False
        self._pending += data
        return True

    @property
    def has_pending(self):
        return bool(self._pending)

    def flush(self):
        """Writes what the pty accepts now; the rest waits for the next writable event."""
        if not self.plugged or not self._pending:
            return
        try:
            written = os.write(self.master, self._pending)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            # The host closed the port meanwhile: the bytes are lost, as on a real line.
            self._pending.clear()
            return
        del self._pending[:written]
