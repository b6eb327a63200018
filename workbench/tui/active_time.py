"""Working time, as opposed to wall time: an annotator who walks away is not labelling.

Time counts between inputs (keys, clicks); a gap longer than IDLE_PAUSE counts as IDLE_PAUSE,
so 32 idle minutes on one item add one minute, not 32, to its `duration_ms` and to the
session's rate. No textual import: plain arithmetic on an injected clock.
"""
from __future__ import annotations

from collections.abc import Callable

IDLE_PAUSE = 60.0  # seconds without input after which the clock pauses


class ActiveClock:
    def __init__(self, clock: Callable[[], float], pause: float = IDLE_PAUSE):
        self.clock, self.pause = clock, pause
        self.last_input = clock()
        self.credited = 0.0  # working seconds up to the last input

    def _gap(self, now: float) -> float:
        return min(max(0.0, now - self.last_input), self.pause)

    def touch(self) -> None:
        """An input now: the time since the previous one counts, up to the pause."""
        now = self.clock()
        self.credited += self._gap(now)
        self.last_input = now

    def now(self) -> float:
        """Working seconds so far (the running gap counted up to the pause)."""
        return self.credited + self._gap(self.clock())
