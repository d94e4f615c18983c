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
from collections.abc import Iterator
from typing import Any

from celery import Task, shared_task
from celery.exceptions import Ignore, SoftTimeLimitExceeded

from celery_config import PROCESS_DOCUMENT
from docproc import pipeline
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
from docproc.store import TaskStore, connect, utc_now

log = logging.getLogger(__name__)

ENDED_STATES = frozenset({"SUCCESS", "FAILURE", "REVOKED"})


@functools.cache
def _store() -> tuple[Settings, TaskStore]:
    """Settings and Redis store of this worker process, built on first use (after fork)."""
    settings = Settings.from_env()
    redis = connect(settings.redis_url, settings.redis_timeout_s * 5)
    return settings, TaskStore(redis, settings.result_ttl_seconds)


class DocumentTask(Task):
    """Deletes a document's stored bytes and chunks only once its result is stored."""

    def after_return(self, status: str, retval: Any, task_id: str, args: Any, kwargs: Any,
                     einfo: Any) -> None:
        if status == "SUCCESS":
            _store()[1].discard_work(args[0])


class ProgressReporter:
    """Maps pipeline progress to Celery's PROGRESS state and the task record; percent never
    goes down, even when a retried or redelivered task starts again from the beginning."""

    def __init__(self, task: Task, task_id: str, store: TaskStore, floor: float) -> None:
        self.task = task
        self.task_id = task_id
        self.store = store
        self.floor = floor

    def __call__(self, progress: pipeline.Progress) -> None:
        report = progress.to_dict()
        self.floor = max(self.floor, progress.percent)
        report["percent"] = self.floor
        self.store.set_progress(self.task_id, report)
        self.task.update_state(task_id=self.task_id, state="PROGRESS", meta=report)


@shared_task(bind=True, base=DocumentTask, name=PROCESS_DOCUMENT)
def process_document(self: Task, task_id: str) -> dict[str, Any]:
    """Analyse the stored document ``task_id`` and return the contract's ``result``."""
    settings, store = _store()
    if _ended(self, task_id):
        log.info("duplicate delivery of an ended task ignored", extra={"task_id": task_id})
        raise Ignore()
    try:
        result = _analyse(self, task_id, settings, store)
    except Exception as exc:
        _retry_or_fail(self, task_id, exc, settings, store)
    log.info("task succeeded", extra={"task_id": task_id, "engine": result["engine"],
                                      "llm_calls": result["usage"]["llm_calls"]})
    return result


def _analyse(task: Task, task_id: str, settings: Settings, store: TaskStore) -> dict[str, Any]:
    record = store.get_record(task_id)
    data = store.load_document(task_id) if record else None
    if record is None or data is None:
        raise DocumentMissing("The document expired or was removed before a worker took it.")
    store.set_times(task_id, started_at=record.started_at or utc_now())
    log.info("task started", extra={"task_id": task_id, "format": record.format,
                                    "bytes": record.bytes, "retries": task.request.retries})
    options = record.options
    engine = create_engine(options.get("engine", "auto"), settings, options.get("model"))
    floor = float((record.progress or {}).get("percent", 0.0))
    report = ProgressReporter(task, task_id, store, floor)
    with soft_deadline(settings):
        report(pipeline.Progress(0, 0, 0.0, "extracting", f"extracting text from {record.format}"))
        prepared = prepare_document(data, record.format, record.filename, settings.chunk_tokens,
                                    timeout_s=settings.soft_time_limit_s)
        result = pipeline.analyse(
            prepared,
            frozenset(options["analyses"]),
            engine,
            progress=report,
            cache=store.chunk_cache(task_id),
            parallel=settings.llm_max_concurrency,
        )
    store.mark_finished(task_id)
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


def _retry_or_fail(task: Task, task_id: str, exc: Exception, settings: Settings,
                   store: TaskStore) -> None:
    """Retry a transient failure with backoff while retries remain; fail anything else."""
    if _caused_by(exc, SoftTimeLimitExceeded):  # the SDK wraps it in a connection error
        _fail(task, task_id, SoftTimeLimitExceeded(), settings, store)
    attempt = task.request.retries
    backoff = Backoff(settings.llm_retry_base_s, settings.llm_retry_max_s)
    delay = retry_delay(exc, attempt, backoff)
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
    store.mark_finished(task_id)
    task.update_state(task_id=task_id, state="FAILURE", meta=meta)
    store.discard_work(task_id)
    raise Ignore()


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _ended(task: Task, task_id: str) -> bool:
    """Whether the task already has a final state (read raw: no exception is rebuilt)."""
    raw = task.backend.client.get(task.backend.get_key_for_task(task_id))
    try:
        return bool(raw) and json.loads(raw).get("status") in ENDED_STATES
    except (ValueError, AttributeError):
        return False
