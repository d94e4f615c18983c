"""Celery tasks: thin adapters between the queue and ``docproc.pipeline``.

A task loads its document by id, calls the pipeline, maps progress to ``update_state``,
and maps errors to a retry (transient LLM failures) or to a FAILURE whose stored meta is
plain JSON (type and message), so no exception class ever has to be pickled, imported or
rebuilt to read it. Running the same message twice is safe: a task that has ended is not
run again, and analysed chunks are kept per task so a rerun resumes instead of starting over.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import redis
from celery import Task, shared_task
from celery.exceptions import Ignore, SoftTimeLimitExceeded

from celery_config import PROCESS_DOCUMENT
from docproc import offload, pipeline
from docproc.analysis import create_engine
from docproc.errors import (
    DocumentMissing,
    LLMTemporarilyUnavailable,
    TaskTimedOut,
    describe_failure,
)
from docproc.isolation import prepare_document
from docproc.retry_policy import Backoff, retry_delay
from docproc.settings import Settings
from docproc.store import TaskRecord, TaskStore, connect, utc_now

log = logging.getLogger(__name__)

ENDED_STATES = frozenset({"SUCCESS", "FAILURE", "REVOKED"})


@functools.cache
def _store() -> tuple[Settings, TaskStore]:
    """Settings and Redis store of this worker process, built on first use (after fork)."""
    settings = Settings.from_env()
    redis = connect(settings.redis_url, settings.redis_timeout_s * 5)
    return settings, TaskStore(redis, settings.result_ttl_seconds)


class DocumentTask(Task):
    """The document task's base: one result backend per process, and clean-up once the
    result is stored."""

    _process_backend: Any = None

    @property
    def backend(self) -> Any:
        # Celery keeps a backend per thread; under gevent every greenlet is a thread, so
        # each task would build a backend and open new Redis connections.
        if DocumentTask._process_backend is None:
            DocumentTask._process_backend = self.app.backend
        return DocumentTask._process_backend

    @backend.setter
    def backend(self, value: Any) -> None:
        DocumentTask._process_backend = value

    def after_return(self, status: str, retval: Any, task_id: str, args: Any, kwargs: Any,
                     einfo: Any) -> None:
        if status == "SUCCESS":  # only now: a rerun before this point still has its input
            _store()[1].finish(args[0], retval, getattr(self.request, "result_key", None))
        elif status == "FAILURE":
            _store()[1].finish(args[0])


class ProgressReporter:
    """Keeps the pipeline's progress in the task record, which the status route reads; the
    first report also records the start. Percent never goes down, even when a retried or
    redelivered task starts again from the beginning."""

    def __init__(self, task_id: str, store: TaskStore, floor: float,
                 started_at: str | None) -> None:
        self.task_id = task_id
        self.store = store
        self.floor = floor
        self.started_at = started_at

    def __call__(self, progress: pipeline.Progress) -> None:
        report = progress.to_dict()
        self.floor = max(self.floor, progress.percent)
        report["percent"] = self.floor
        self.store.set_progress(self.task_id, report, started_at=self.started_at)
        self.started_at = None


@shared_task(bind=True, base=DocumentTask, name=PROCESS_DOCUMENT)
def process_document(self: Task, task_id: str) -> dict[str, Any]:
    """Analyse the stored document ``task_id`` and return the contract's ``result``."""
    settings, store = _store()
    record, data, meta = store.load_task(task_id, self.backend.get_key_for_task(task_id))
    if _final_state(meta):
        log.info("duplicate delivery of an ended task ignored", extra={"task_id": task_id})
        if data is not None:  # the first run died between storing its result and cleaning up
            store.finish(task_id)
        raise Ignore()
    # One reporter for every attempt, so a rerun after a Redis outage keeps the floor.
    floor = float(((record.progress if record else None) or {}).get("percent", 0.0))
    started_at = None if record and record.started_at else utc_now()
    report = ProgressReporter(task_id, store, floor, started_at)
    try:
        result = _patiently(
            lambda: _analyse(self, task_id, record, data, settings, store, report), settings)
    except Exception as exc:
        _retry_or_fail(self, task_id, exc, settings, store)
    log.info("task succeeded", extra={"task_id": task_id, "engine": result["engine"],
                                      "llm_calls": result["usage"]["llm_calls"]})
    return result


def _analyse(task: Task, task_id: str, record: TaskRecord | None, data: bytes | None,
             settings: Settings, store: TaskStore, report: ProgressReporter) -> dict[str, Any]:
    if record is None or data is None:
        raise DocumentMissing("The document expired or was removed before a worker took it.")
    task.request.result_key = record.result_key  # after_return keeps the result there
    log.info("task started", extra={"task_id": task_id, "format": record.format,
                                    "bytes": record.bytes, "retries": task.request.retries})
    options = record.options
    engine = create_engine(options.get("engine", "auto"), settings, options.get("model"))
    runner = offload.gevent_threads if settings.worker_pool == "gevent" else offload.inline
    if engine.name == "local":  # pure CPU; the openai engine waits on sockets, in the loop
        engine = offload.OffloadedEngine(engine, runner)
    with soft_deadline(settings):
        report(pipeline.Progress(0, 0, 0.0, "extracting", f"extracting text from {record.format}"))
        prepared = prepare_document(data, record.format, record.filename, settings.chunk_tokens,
                                    timeout_s=settings.soft_time_limit_s, runner=runner)
        result = pipeline.analyse(
            prepared,
            frozenset(options["analyses"]),
            engine,
            progress=report,
            cache=store.chunk_cache(task_id),
            parallel=settings.chunk_concurrency,
        )
    return result


@contextlib.contextmanager
def soft_deadline(settings: Settings) -> Iterator[None]:
    """Under the gevent pool, which has only a hard limit, raise Celery's soft time limit
    ourselves, so a runaway task still ends in a FAILURE that says so (prefork raises it
    by a signal)."""
    if settings.worker_pool != "gevent":
        yield
        return
    import gevent

    with gevent.Timeout(settings.soft_time_limit_s, SoftTimeLimitExceeded()):
        yield


def _patiently(work: Callable[[], dict[str, Any]], settings: Settings) -> dict[str, Any]:
    """Run ``work``, and again while Redis is away (up to REDIS_OUTAGE_PATIENCE_SECONDS):
    a retry through the broker cannot be sent then, and the message, still unacknowledged,
    is safest with this worker. Chunks already analysed are kept, so a rerun is cheap."""
    deadline = time.monotonic() + settings.outage_patience_s
    backoff = Backoff(0.5, 5.0)
    attempt = 0
    while True:
        try:
            return work()
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            if time.monotonic() >= deadline:
                raise
            log.warning("redis unavailable mid-task; waiting", extra={
                "error_type": type(exc).__name__, "attempt": attempt + 1})
            time.sleep(backoff.delay(attempt))
            attempt += 1


def _retry_or_fail(task: Task, task_id: str, exc: Exception, settings: Settings,
                   store: TaskStore) -> None:
    """Retry a transient failure with backoff while retries remain; fail anything else."""
    if _caused_by(exc, SoftTimeLimitExceeded):  # the SDK wraps it in a connection error
        _fail(task, task_id, SoftTimeLimitExceeded(), settings, store)
    attempt = task.request.retries
    backoff = Backoff(settings.llm_retry_base_s, settings.llm_retry_max_s)
    # A retry waits in a worker's hands: past the visibility timeout it is handed out again.
    delay = retry_delay(exc, attempt, backoff, longest_s=settings.visibility_timeout_s / 2)
    if delay is None or attempt >= settings.llm_retry_limit:
        if delay is not None:
            exc = _gave_up(exc, settings)
        _fail(task, task_id, exc, settings, store)
    error_type, message = describe_failure(exc, secrets=(settings.openai_api_key or "",))
    log.warning("task will retry", extra={"task_id": task_id, "error_type": error_type,
                                          "delay_s": round(delay, 2), "retry": attempt + 1})
    reason = LLMTemporarilyUnavailable(
        f"{error_type}: {message} Retrying in {delay:.1f} s "
        f"(retry {attempt + 1} of {settings.llm_retry_limit})."
    )
    raise task.retry(exc=reason, countdown=delay, max_retries=settings.llm_retry_limit)


def _gave_up(exc: Exception, settings: Settings) -> Exception:
    error_type, message = describe_failure(exc, secrets=(settings.openai_api_key or "",))
    return LLMTemporarilyUnavailable(
        f"The language model kept failing ({error_type}: {message}); gave up after "
        f"{settings.llm_retry_limit} retries (LLM_RETRY_LIMIT)."
    )


def _fail(task: Task, task_id: str, exc: Exception, settings: Settings,
          store: TaskStore) -> None:
    """Store FAILURE as plain JSON and stop: Celery would otherwise swap an exception it
    cannot pickle (most SDK errors) for a base class, losing the type that names the cause."""
    if isinstance(exc, DocumentMissing) and _ended(task, task_id):
        raise Ignore()  # a duplicate that arrived after the first run cleaned up
    if isinstance(exc, SoftTimeLimitExceeded):
        exc = TaskTimedOut(
            f"The task ran longer than its time limit of {settings.task_time_limit_s} s "
            "(TASK_TIME_LIMIT_SECONDS) and was stopped."
        )
    error_type, message = describe_failure(exc, secrets=(settings.openai_api_key or "",))
    log.warning("task failed", extra={"task_id": task_id, "error_type": error_type,
                                      "error": message})
    meta = {"exc_type": error_type, "exc_message": [message], "exc_module": "builtins"}
    task.update_state(task_id=task_id, state="FAILURE", meta=meta)
    store.finish(task_id)
    raise Ignore()


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _final_state(raw_meta: bytes | None) -> bool:
    """Whether Celery's stored meta says the task has ended (read raw: nothing rebuilt)."""
    try:
        return bool(raw_meta) and json.loads(raw_meta).get("status") in ENDED_STATES
    except (ValueError, AttributeError):
        return False


def _ended(task: Task, task_id: str) -> bool:
    return _final_state(task.backend.client.get(task.backend.get_key_for_task(task_id)))
