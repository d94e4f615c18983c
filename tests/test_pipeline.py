"""The pipeline in-process: chunk order, progress, resumption from the cache, parallelism."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from docproc import pipeline
from docproc.analysis.base import Analysis, Engine, Usage


class RecordingEngine(Engine):
    """Echoes each chunk's first word; records how many chunks it analysed at once."""

    name = "recording"
    parallel_chunks = True

    def __init__(self, delay_s: float = 0.05, fail_on: str | None = None) -> None:
        self.delay_s = delay_s
        self.fail_on = fail_on
        self.seen: list[str] = []
        self.busy = 0
        self.max_busy = 0
        self.lock = threading.Lock()

    def analyze_chunk(self, text: str, analyses: frozenset[str]) -> Analysis:
        with self.lock:
            self.seen.append(text.split()[0])
            self.busy += 1
            self.max_busy = max(self.max_busy, self.busy)
        time.sleep(self.delay_s)
        with self.lock:
            self.busy -= 1
        if self.fail_on and text.startswith(self.fail_on):
            raise RuntimeError("engine broke")
        return Analysis({"summary": text.split()[0]}, Usage(1, 1, 1))

    def combine(self, parts: list[Analysis], analyses: frozenset[str]) -> Analysis:
        return Analysis({"summary": " ".join(p.fields["summary"] for p in parts)})


class DictCache:
    def __init__(self) -> None:
        self.data: dict[tuple[int, str], dict[str, Any]] = {}

    def get(self, index: int, text: str) -> dict[str, Any] | None:
        return self.data.get((index, text))

    def put(self, index: int, text: str, analysis: dict[str, Any]) -> None:
        self.data[(index, text)] = analysis


TEXT = "\n\n".join(f"w{n} " + "filler words here. " * 30 for n in range(1, 9)).encode()
ANALYSES = frozenset({"summary"})


def run(engine: Engine, parallel: int, cache=None, progress=None) -> dict[str, Any]:
    return pipeline.run(TEXT, "text", None, ANALYSES, engine, chunk_tokens=150,
                        progress=progress or (lambda p: None), cache=cache, parallel=parallel)


def test_parallel_chunks_keep_document_order_and_bound_concurrency() -> None:
    engine = RecordingEngine()
    reports: list[pipeline.Progress] = []
    result = run(engine, parallel=3, progress=reports.append)
    assert result["summary"] == " ".join(f"w{n}" for n in range(1, 9))
    assert engine.max_busy == 3
    percents = [r.percent for r in reports]
    assert percents == sorted(percents) and percents[-1] == 90.0  # SUCCESS says 100
    analyzing = [r.current for r in reports if r.stage == "analyzing"]
    assert analyzing == list(range(0, 9))
    assert result["usage"]["llm_calls"] == 8


def test_sequential_when_parallel_is_one() -> None:
    engine = RecordingEngine(delay_s=0)
    run(engine, parallel=1)
    assert engine.max_busy == 1
    assert engine.seen == [f"w{n}" for n in range(1, 9)]


def test_a_rerun_resumes_from_the_cache() -> None:
    cache = DictCache()
    with pytest.raises(RuntimeError):
        run(RecordingEngine(delay_s=0, fail_on="w5"), parallel=1, cache=cache)
    assert len(cache.data) == 4
    engine = RecordingEngine(delay_s=0)
    result = run(engine, parallel=4, cache=cache)
    assert sorted(engine.seen) == sorted(f"w{n}" for n in range(5, 9))
    assert result["summary"].split() == [f"w{n}" for n in range(1, 9)]


def test_a_failing_chunk_fails_the_document_and_stops_the_rest() -> None:
    engine = RecordingEngine(delay_s=0.05, fail_on="w1")
    with pytest.raises(RuntimeError):
        run(engine, parallel=2)
    time.sleep(0.3)
    assert len(engine.seen) < 8  # chunks not started when w1 failed are never sent
