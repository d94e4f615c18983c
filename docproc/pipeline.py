"""extract -> chunk -> analyse each chunk -> combine, reporting progress at each step.

Knows neither Flask nor Celery: callers pass a progress callback and a ``should_stop``
checkpoint, so the whole pipeline runs and is tested in-process.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from docproc.analysis.base import Analysis, Engine, Usage
from docproc.chunking import split_into_chunks
from docproc.errors import Cancelled, DocumentUnreadable
from docproc.extract import extract
from docproc.textstats import text_stats

# Share of the progress bar each stage ends at; analysing chunks fills the span between.
EXTRACTED_PERCENT = 10.0
ANALYZED_PERCENT = 90.0


@dataclass(frozen=True)
class Progress:
    """One progress report: ``current`` of ``total`` steps of the current stage."""

    current: int
    total: int
    percent: float
    stage: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


ProgressCallback = Callable[[Progress], None]


class ChunkCache(Protocol):
    """Where analysed chunks are kept between runs of the same task (see store.ChunkCache)."""

    def get(self, index: int, text: str) -> dict[str, Any] | None: ...

    def put(self, index: int, text: str, analysis: dict[str, Any]) -> None: ...


class NoCache:
    """Every run analyses every chunk."""

    def get(self, index: int, text: str) -> dict[str, Any] | None:
        return None

    def put(self, index: int, text: str, analysis: dict[str, Any]) -> None:
        return None


def _never() -> bool:
    return False


def _ignore(_: Progress) -> None:
    return None


def run(
    data: bytes,
    fmt: str,
    filename: str | None,
    analyses: frozenset[str],
    engine: Engine,
    chunk_tokens: int,
    progress: ProgressCallback = _ignore,
    should_stop: Callable[[], bool] = _never,
    cache: ChunkCache | None = None,
) -> dict[str, Any]:
    """Analyse one document and return the ``result`` object of the HTTP contract.

    Chunks found in ``cache`` are not analysed again, so a retried run pays only for
    the chunks its predecessor did not finish.
    """
    cache = cache or NoCache()
    started = time.perf_counter()
    progress(Progress(0, 1, 0.0, "extracting", f"extracting text from {fmt}"))
    extracted = extract(data, fmt, filename)
    if not extracted.text.strip():
        reason = "; ".join(extracted.warnings) or "the document contains no text"
        raise DocumentUnreadable(f"No text could be extracted: {reason}.")
    chunks = split_into_chunks(extracted.text, chunk_tokens)
    extract_s = time.perf_counter() - started
    progress(Progress(1, 1, EXTRACTED_PERCENT, "extracting", "text extracted"))

    parts: list[Analysis] = []
    for index, chunk in enumerate(chunks, start=1):
        _checkpoint(should_stop)
        parts.append(_analyse_chunk(engine, chunk, index, analyses, cache))
        percent = EXTRACTED_PERCENT + (ANALYZED_PERCENT - EXTRACTED_PERCENT) * index / len(chunks)
        message = f"analyzing chunk {index} of {len(chunks)}"
        progress(Progress(index, len(chunks), round(percent, 1), "analyzing", message))

    _checkpoint(should_stop)
    progress(Progress(0, 1, ANALYZED_PERCENT, "combining", "combining chunk results"))
    combined = engine.combine(parts, analyses)
    usage = sum((p.usage for p in parts), Usage()) + combined.usage
    total_s = time.perf_counter() - started
    progress(Progress(1, 1, 100.0, "done", "analysis complete"))

    stats = text_stats(extracted.text)
    stats.update(pages=extracted.pages or 0, chunks=len(chunks))
    return {
        "engine": engine.name,
        "model": engine.model,
        **combined.fields,
        "stats": stats,
        "usage": usage.to_dict(),
        "timings": {
            "extract_s": round(extract_s, 3),
            "analyze_s": round(total_s - extract_s, 3),
            "total_s": round(total_s, 3),
        },
        "warnings": list(extracted.warnings),
        "format": extracted.format,
        **({"encoding": extracted.encoding} if extracted.encoding else {}),
    }


def _analyse_chunk(
    engine: Engine, chunk: str, index: int, analyses: frozenset[str], cache: ChunkCache
) -> Analysis:
    cached = cache.get(index, chunk)
    if cached is not None:
        return Analysis.from_dict(cached)
    part = engine.analyze_chunk(chunk, analyses)
    cache.put(index, chunk, part.to_dict())
    return part


def _checkpoint(should_stop: Callable[[], bool]) -> None:
    if should_stop():
        raise Cancelled("the task was cancelled")
