"""The test's control channel: JSON lines on stdin, replies and events as JSON lines on stdout.

Request:  {"id": 7, "cmd": "place", "finger": "alice-right-index", "quality": "good"}
Reply:    {"id": 7, "ok": true, "result": ...}  or  {"id": 7, "ok": false, "error": "..."}
Events:   {"event": "ready", "path": ..., "slave": ..., "baud": ...} first, then "command",
          "held", "ignored", "garbled", "unplugged", "replugged".
End of stdin (the test process died) or SIGTERM: unplug, remove the link, exit 0.
"""

import json
import os
import selectors
import signal
import sys

from board import Board
from eventloop import EventLoop

QUALITIES = ('good', 'poor')


def emit(message):
    sys.stdout.write(json.dumps(message, separators=(',', ':')) + '\n')
    sys.stdout.flush()


def add_common_arguments(parser):
    parser.add_argument('--link', required=True,
                        help='stable path to publish the pty slave at (a symlink, like /dev/serial/by-id)')
    parser.add_argument('--power-on-delay-ms', type=int, default=None,
                        help="time from power-on until the module listens (default: the model's)")


class ControlChannel:
    def __init__(self, loop, board):
        self.loop = loop
        self.board = board
        self._buffer = b''

    def on_stdin(self, _mask):
        chunk = os.read(sys.stdin.fileno(), 65536)
        if not chunk:
            self.loop.stop()
            return
        self._buffer += chunk
        *lines, self._buffer = self._buffer.split(b'\n')
        for line in lines:
            if line.strip():
                self._handle(line)

    def _handle(self, line):
        request_id = None
        try:
            request = json.loads(line)
            if not isinstance(request, dict) or not isinstance(request.get('cmd'), str):
                raise ValueError('a request is a JSON object with a string "cmd"')
            request_id = request.get('id')
            result = self._dispatch(request)
            emit({'id': request_id, 'ok': True, 'result': result})
        except (ValueError, KeyError, TypeError) as error:
            emit({'id': request_id, 'ok': False, 'error': f'{type(error).__name__}: {error}'})

    def _dispatch(self, request):
        board = self.board
        command = request['cmd']
        if command == 'place':
            finger = request['finger']
            quality = request.get('quality', 'good')
            if not isinstance(finger, str) or not finger:
                raise ValueError('place needs a non-empty "finger" name')
            if quality not in QUALITIES:
                raise ValueError(f'quality must be one of {QUALITIES}, got {quality!r}')
            board.module.fingers.remember(finger)
            board.sensor.place(finger, quality)
            return None
        if command == 'lift':
            board.sensor.lift()
            return None
        if command == 'unplug':
            board.unplug()
            return None
        if command == 'replug':
            board.replug()
            return {'path': board.port.link_path, 'slave': board.port.slave_path}
        if command == 'power_cycle':
            board.power_cycle()
            return None
        if command == 'noise':
            board.noise(bytes.fromhex(request['hex']))
            return None
        if command == 'hold':
            board.hold(request['command'])
            return None
        if command == 'release':
            return {'released': board.release()}
        if command == 'unplug_after_data_packets':
            count = request['n']
            if not isinstance(count, int) or count < 1:
                raise ValueError('"n" must be a positive integer')
            board.unplug_after_data_packets(count)
            return None
        if command == 'state':
            return {**board.describe(), **board.module.state()}
        return board.module.control(request)


def _exit_on_signal(_signum, _frame):
    raise SystemExit(0)


def run(module, link_path):
    loop = EventLoop()
    board = Board(loop, link_path, module, emit)
    channel = ControlChannel(loop, board)
    loop.watch(sys.stdin.fileno(), selectors.EVENT_READ, channel.on_stdin)
    # Raising (rather than setting a flag) interrupts a select() that has nothing else to wake it.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGINT, _exit_on_signal)
    # Announced from inside the loop, after a zero power-on delay has run: the host must not be
    # able to open the port before the module's power-on bytes went (unheard) down the line.
    loop.call_later(0, lambda: emit({'event': 'ready', 'path': board.port.link_path,
                                     'slave': board.port.slave_path, 'baud': module.baud}))
    try:
        loop.run()
    finally:
        board.unplug()
