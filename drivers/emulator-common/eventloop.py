"""A single-threaded loop over file descriptors and timers, so a module's state changes in one
place at a time (no locks) and timing follows the monotonic clock."""

import heapq
import itertools
import selectors
import time


class Timer:
    __slots__ = ('when', 'callback', 'cancelled')

    def __init__(self, when, callback):
        self.when = when
        self.callback = callback
        self.cancelled = False

    def cancel(self):
        self.cancelled = True


class EventLoop:
    def __init__(self):
        self._selector = selectors.DefaultSelector()
        self._timers = []
        self._order = itertools.count()
        self._stopped = False

    def call_later(self, seconds, callback):
        timer = Timer(time.monotonic() + max(0.0, seconds), callback)
        heapq.heappush(self._timers, (timer.when, next(self._order), timer))
        return timer

    def watch(self, fd, events, callback):
        """callback(mask) runs when fd is ready for any of events (selectors.EVENT_READ/WRITE)."""
        try:
            self._selector.modify(fd, events, callback)
        except KeyError:
            self._selector.register(fd, events, callback)

    def unwatch(self, fd):
        try:
            self._selector.unregister(fd)
        except (KeyError, ValueError):
            pass

    def stop(self):
        self._stopped = True

    def run(self):
        while not self._stopped:
            self._run_due_timers()
            if self._stopped:
                break
            timeout = None
            if self._timers:
                timeout = max(0.0, self._timers[0][0] - time.monotonic())
            for key, mask in self._selector.select(timeout):
                key.data(mask)
                if self._stopped:
                    break

    def _run_due_timers(self):
        now = time.monotonic()
        while self._timers and self._timers[0][0] <= now:
            _, _, timer = heapq.heappop(self._timers)
            if not timer.cancelled:
                timer.callback()
