"""CPU-bound work off an event loop: a pool of real threads that gevent's hub waits on.

Under the gevent pool every task shares one OS thread; a pure-Python computation there
(the local engine on a long text, decoding a large text file) would stop every other task,
the LLM calls in flight and the worker's replies to health checks until it ends. In a real
thread it holds the GIL only in slices, so the loop keeps turning. Only work that touches
no socket may go there: gevent's sockets belong to the hub's thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from docproc.analysis.base import Analysis, Engine

T = TypeVar("T")
Runner = Callable[..., Any]


def inline(function: Callable[..., T], *args: Any) -> T:
    """The runner when there is no event loop to protect."""
    return function(*args)


def gevent_threads(function: Callable[..., T], *args: Any) -> T:
    """Run ``function`` in gevent's native thread pool; the calling greenlet waits."""
    import gevent

    return gevent.get_hub().threadpool.apply(function, args)


class OffloadedEngine(Engine):
    """An engine whose CPU-bound calls run through ``runner`` (for the local engine)."""

    def __init__(self, engine: Engine, runner: Runner) -> None:
        self.engine = engine
        self.runner = runner
        self.name = engine.name
        self.model = engine.model
        self.parallel_chunks = engine.parallel_chunks

    def analyze_chunk(self, text: str, analyses: frozenset[str]) -> Analysis:
        return self.runner(self.engine.analyze_chunk, text, analyses)

    def combine(self, parts: list[Analysis], analyses: frozenset[str]) -> Analysis:
        return self.runner(self.engine.combine, parts, analyses)
