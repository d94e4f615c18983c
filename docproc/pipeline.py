"""extract -> chunk -> analyse each chunk -> combine, reporting progress at each step.

Knows neither Flask nor Celery: callers pass a progress callback and a ``should_stop``
checkpoint, so the whole pipeline runs and is tested in-process.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from docproc.analysis.base import Analysis, Engine, Usage
from docproc.chunking import split_into_chunks
from docproc.errors import Cancelled, DocumentUnreadable
from docproc.extract import Extracted, extract
from docproc.textstats import has_words, text_stats

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


@dataclass
class Prepared:
    """A document's text, split into the chunks the engine analyses."""

    extracted: Extracted
    chunks: list[str]
    extract_s: float


def prepare(data: bytes, fmt: str, filename: str | None, chunk_tokens: int) -> Prepared:
    """Extract the text and split it into chunks (the CPU-bound part of the work)."""
    started = time.perf_counter()
    extracted = extract(data, fmt, filename)
    if not has_words(extracted.text):
        reason = "; ".join(extracted.warnings) or "the document contains no text"
        raise DocumentUnreadable(f"No text could be extracted: {reason}.")
    chunks = split_into_chunks(extracted.text, chunk_tokens)
    return Prepared(extracted, chunks, time.perf_counter() - started)


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
    parallel: int = 1,
) -> dict[str, Any]:
    """Analyse one document and return the ``result`` object of the HTTP contract.

    Up to ``parallel`` chunks are analysed at once. Chunks found in ``cache`` are not
    analysed again, so a retried run pays only for what its predecessor did not finish.
    """
    progress(Progress(0, 0, 0.0, "extracting", f"extracting text from {fmt}"))
    prepared = prepare(data, fmt, filename, chunk_tokens)
    return analyse(prepared, analyses, engine, progress, should_stop, cache, parallel)


def analyse(
    prepared: Prepared,
    analyses: frozenset[str],
    engine: Engine,
    progress: ProgressCallback = _ignore,
    should_stop: Callable[[], bool] = _never,
    cache: ChunkCache | None = None,
    parallel: int = 1,
) -> dict[str, Any]:
    """Analyse the chunks of a prepared document, combine them, and build the result."""
    started = time.perf_counter()
    cache = cache or NoCache()
    chunks = prepared.chunks
    total = len(chunks)
    # A one-chunk document reports only the chunk: the steps around it take microseconds,
    # and every report is a Redis write. SUCCESS itself says 100%.
    several = total > 1
    if several:
        progress(Progress(0, total, EXTRACTED_PERCENT, "analyzing",
                          f"text extracted: {total} chunks to analyse"))
    parts = _analyse_chunks(engine, chunks, analyses, cache if several else NoCache(),
                            parallel, progress, should_stop)

    _checkpoint(should_stop)
    if several:
        progress(Progress(total, total, ANALYZED_PERCENT, "combining", "combining chunk results"))
    combined = engine.combine(parts, analyses)
    usage = sum((p.usage for p in parts), Usage()) + combined.usage
    analyze_s = time.perf_counter() - started

    extracted = prepared.extracted
    stats = text_stats(extracted.text)
    stats.update(pages=extracted.pages or 0, chunks=total)
    return {
        "engine": engine.name,
        "model": engine.model,
        **combined.fields,
        "stats": stats,
        "usage": usage.to_dict(),
        "timings": {
            "extract_s": round(prepared.extract_s, 3),
            "analyze_s": round(analyze_s, 3),
            "total_s": round(prepared.extract_s + analyze_s, 3),
        },
        "warnings": list(extracted.warnings),
        "format": extracted.format,
        **({"encoding": extracted.encoding} if extracted.encoding else {}),
    }


def _analyse_chunks(
    engine: Engine,
    chunks: list[str],
    analyses: frozenset[str],
    cache: ChunkCache,
    parallel: int,
    progress: ProgressCallback,
    should_stop: Callable[[], bool],
) -> list[Analysis]:
    """Every chunk's analysis, in document order; progress counts chunks as they finish,
    whatever order that is, so it only ever goes up."""
    total = len(chunks)
    parts: list[Analysis | None] = [None] * total
    done = 0

    def finished() -> None:
        span = ANALYZED_PERCENT - EXTRACTED_PERCENT
        percent = round(EXTRACTED_PERCENT + span * done / total, 1)
        message = f"analyzing chunk {done} of {total}"
        progress(Progress(done, total, percent, "analyzing", message))

    workers = max(1, min(parallel, total)) if engine.parallel_chunks else 1
    if workers == 1:
        for index, chunk in enumerate(chunks):
            _checkpoint(should_stop)
            parts[index] = _analyse_chunk(engine, chunk, index + 1, analyses, cache)
            done += 1
            finished()
        return parts  # type: ignore[return-value]
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="chunk")
    try:
        futures = {
            pool.submit(_analyse_chunk, engine, chunk, index + 1, analyses, cache): index
            for index, chunk in enumerate(chunks)
        }
        for future in as_completed(futures):
            parts[futures[future]] = future.result()
            done += 1
            finished()
            _checkpoint(should_stop)
    finally:
        # On a failure or cancellation, chunks not started yet are never sent.
        pool.shutdown(wait=False, cancel_futures=True)
    return parts  # type: ignore[return-value]


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
