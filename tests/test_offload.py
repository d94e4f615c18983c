"""CPU-bound engine calls leave gevent's loop free: other greenlets keep running."""

from __future__ import annotations

import itertools
import time

import gevent

from docproc.analysis.base import Analysis, Engine
from docproc.offload import OffloadedEngine, gevent_threads, inline


class BusyEngine(Engine):
    name = "busy"

    def analyze_chunk(self, text: str, analyses: frozenset[str]) -> Analysis:
        deadline = time.monotonic() + 0.6
        count = 0
        while time.monotonic() < deadline:  # pure Python: holds the GIL in slices
            count += 1
        return Analysis({"summary": text}, state={"count": count})

    def combine(self, parts: list[Analysis], analyses: frozenset[str]) -> Analysis:
        return parts[0]


def longest_pause(runner) -> float:
    ticks: list[float] = []

    def ticker() -> None:
        for _ in range(40):
            ticks.append(time.monotonic())
            gevent.sleep(0.02)

    greenlet = gevent.spawn(ticker)
    gevent.sleep(0)  # let it start
    result = OffloadedEngine(BusyEngine(), runner).analyze_chunk("text", frozenset())
    greenlet.join()
    assert result.fields == {"summary": "text"}
    return max(b - a for a, b in itertools.pairwise(ticks))


def test_offloaded_work_lets_the_loop_turn() -> None:
    assert longest_pause(inline) > 0.5  # in the loop's thread, everything waits
    assert longest_pause(gevent_threads) < 0.3
