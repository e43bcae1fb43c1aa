"""Slow guessing: after a few failures for one key (a name, an address), each further try
must wait longer, doubling up to a ceiling. A success clears the key.

>>> t = Throttle(free=2, first_delay=1.0, max_delay=4.0)
>>> [t.fail("ann", now=0) for _ in range(5)]
[0.0, 0.0, 1.0, 2.0, 4.0]
>>> t.wait("ann", now=3.5), t.wait("ann", now=4.5), t.wait("ben", now=0)
(0.5, 0.0, 0.0)
>>> t.succeed("ann"); t.wait("ann", now=3.5)
0.0
"""

import time

# Past this many keys (typed names, addresses), those quiet for FORGET_AFTER seconds are dropped
# (the oldest half when none is quiet).
MAX_KEYS = 100_000
FORGET_AFTER = 3600.0


class Throttle:
    """Failures per key in memory: ``free`` of them cost nothing, then 1, 2, 4 ... × ``first_delay``."""

    def __init__(self, free, first_delay, max_delay):
        if free < 0 or first_delay <= 0 or max_delay < first_delay:
            raise ValueError(f"Throttle: expected free >= 0 and 0 < first_delay <= max_delay, "
                             f"got free={free}, first_delay={first_delay}, max_delay={max_delay}")
        self.free, self.first_delay, self.max_delay = free, first_delay, max_delay
        self._failures = {}                     # key -> (count, time the next try is allowed)

    def delay_after(self, failures):
        """The wait imposed after ``failures`` consecutive failures."""
        if failures <= self.free:
            return 0.0
        return min(self.first_delay * 2 ** (failures - self.free - 1), self.max_delay)

    def wait(self, key, now=None):
        """Seconds until ``key`` may try again (0.0: now)."""
        now = time.monotonic() if now is None else now
        _, allowed = self._failures.get(key, (0, now))
        return max(0.0, allowed - now)

    def fail(self, key, now=None):
        """Count a failure for ``key``; returns the delay it now imposes."""
        now = time.monotonic() if now is None else now
        if len(self._failures) >= MAX_KEYS:
            self._forget_idle(now)
        count = self._failures.get(key, (0, now))[0] + 1
        delay = self.delay_after(count)
        self._failures[key] = (count, now + delay)
        return delay

    def succeed(self, key):
        self._failures.pop(key, None)

    def _forget_idle(self, now):
        """Keys guessed at with made-up names must not fill the hub's memory: forget quiet ones."""
        quiet = [k for k, (_, allowed) in self._failures.items() if allowed < now - FORGET_AFTER]
        for key in quiet or list(self._failures)[:len(self._failures) // 2]:
            del self._failures[key]
