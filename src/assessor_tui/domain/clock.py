"""Hybrid logical clock: stamps that order edits across devices whose clocks disagree.

A stamp is ``"<13-digit unix ms>-<4-digit counter>-<device>"``, so comparing two
stamps as strings orders them by time, then counter, then device.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


def parse(stamp: str) -> tuple[int, int, str]:
    ms, counter, device = stamp.split("-", 2)
    return int(ms), int(counter), device


def stamp_ms(stamp: str) -> int:
    return parse(stamp)[0]


@dataclass
class HybridClock:
    """Never goes backwards, even when the wall clock does."""

    device: str
    now_ms: Callable[[], int] = field(default=wall_ms, repr=False)
    last_ms: int = 0
    counter: int = 0

    def tick(self) -> str:
        now = self.now_ms()
        if now > self.last_ms:
            self.last_ms, self.counter = now, 0
        else:
            self.counter += 1
        return f"{self.last_ms:013d}-{self.counter:04d}-{self.device}"

    def observe(self, stamp: str) -> None:
        """Move past a stamp seen elsewhere (another device, or an earlier session)."""
        ms, counter, _ = parse(stamp)
        if (ms, counter) > (self.last_ms, self.counter):
            self.last_ms, self.counter = ms, counter
