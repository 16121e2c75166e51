"""The far end of a pseudo-terminal, driven over stdin/stdout by transport tests.

Prints the slave's path, then obeys one command per line:
  send HEX   write bytes to the master (they arrive at whoever opened the slave)
  speed      print "speed N": the slave's output baud rate, read with TCGETS2 so non-standard
             rates (BOTHER, e.g. 28800) show as numbers rather than as the BOTHER flag
  unplug     close the master, which hangs the slave up like a pulled USB adapter
Bytes the slave's user writes are reported as "rx HEX" lines.
"""
import fcntl
import os
import select
import struct
import sys
import tty

TCGETS2 = 0x802C542A  # _IOR('T', 0x2A, struct termios2), 44 bytes on Linux
TERMIOS2_SIZE = 44


def out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def output_speed(fd):
    raw = fcntl.ioctl(fd, TCGETS2, bytes(TERMIOS2_SIZE))
    _ispeed, ospeed = struct.unpack_from("II", raw, TERMIOS2_SIZE - 8)
    return ospeed


def main():
    master, slave = os.openpty()
    tty.setraw(slave)
    out(os.ttyname(slave))
    stdin = sys.stdin.fileno()
    # Raw reads, split by hand: a buffered readline() would hide a second queued line from select().
    pending = b""
    while True:
        readable, _, _ = select.select([stdin] + ([master] if master is not None else []), [], [])
        if master is not None and master in readable:
            try:
                data = os.read(master, 4096)
            except OSError:
                data = b""
            if data:
                out("rx " + data.hex())
        if stdin in readable:
            chunk = os.read(stdin, 65536)
            if not chunk:
                return
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                master = obey(line.decode().strip(), master, slave)


def obey(line, master, slave):
    command, _, argument = line.partition(" ")
    if command == "send" and master is not None:
        os.write(master, bytes.fromhex(argument))
    elif command == "speed":
        out("speed %d" % output_speed(slave))
    elif command == "unplug" and master is not None:
        os.close(master)
        out("unplugged")
        return None
    return master


main()
