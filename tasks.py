"""Celery tasks: thin adapters between the queue and ``docproc.pipeline``.

A task loads its document by id, calls the pipeline, maps progress to ``update_state``
and ends any failure in a FAILURE whose stored meta is plain JSON (type and message), so
no exception class ever has to be pickled, imported or rebuilt to read it.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from celery import Task, shared_task
from celery.exceptions import Ignore

from celery_config import PROCESS_DOCUMENT
from docproc import pipeline
from docproc.analysis import create_engine
from docproc.errors import DocumentMissing, describe_failure
from docproc.settings import Settings
from docproc.store import TaskStore, connect, utc_now

log = logging.getLogger(__name__)


@functools.cache
def _store() -> tuple[Settings, TaskStore]:
    """Settings and Redis store of this worker process, built on first use (after fork)."""
    settings = Settings.from_env()
    redis = connect(settings.redis_url, settings.redis_timeout_s * 5)
    return settings, TaskStore(redis, settings.result_ttl_seconds)


class ProgressReporter:
    """Maps pipeline progress to Celery's PROGRESS state; percent never goes down,
    even when a redelivered task starts again from the beginning."""

    def __init__(self, task: Task, task_id: str, started_at: str) -> None:
        self.task = task
        self.task_id = task_id
        self.started_at = started_at
        previous = task.backend.get_task_meta(task_id)
        info = previous.get("result") if previous.get("status") == "PROGRESS" else None
        self.floor = float(info.get("percent", 0.0)) if isinstance(info, dict) else 0.0

    def __call__(self, progress: pipeline.Progress) -> None:
        report = progress.to_dict()
        self.floor = max(self.floor, progress.percent)
        report["percent"] = self.floor
        self.task.update_state(task_id=self.task_id, state="PROGRESS", meta=report)


@shared_task(bind=True, name=PROCESS_DOCUMENT)
def process_document(self: Task, task_id: str) -> dict[str, Any]:
    """Analyse the stored document ``task_id`` and return the contract's ``result``."""
    settings, store = _store()
    try:
        result = _analyse(self, task_id, settings, store)
    except Exception as exc:
        _fail(self, task_id, exc, settings)
    log.info("task succeeded", extra={"task_id": task_id, "engine": result["engine"],
                                      "llm_calls": result["usage"]["llm_calls"]})
    return result


def _analyse(task: Task, task_id: str, settings: Settings, store: TaskStore) -> dict[str, Any]:
    record = store.get_record(task_id)
    data = store.load_document(task_id) if record else None
    if record is None or data is None:
        raise DocumentMissing("The document expired or was removed before a worker took it.")
    started_at = utc_now()
    store.set_times(task_id, started_at=started_at)
    log.info("task started", extra={"task_id": task_id, "format": record.format,
                                    "bytes": record.bytes})
    try:
        options = record.options
        engine = create_engine(options.get("engine", "auto"), settings, options.get("model"))
        return pipeline.run(
            data,
            record.format,
            record.filename,
            frozenset(options["analyses"]),
            engine,
            settings.chunk_tokens,
            progress=ProgressReporter(task, task_id, started_at),
        )
    finally:
        store.set_times(task_id, finished_at=utc_now())
        store.delete_document(task_id)


def _fail(task: Task, task_id: str, exc: Exception, settings: Settings) -> None:
    """Store FAILURE as plain JSON and stop: Celery would otherwise swap an exception it
    cannot pickle (most SDK errors) for a base class, losing the type that names the cause."""
    error_type, message = describe_failure(exc, secrets=(settings.openai_api_key or "",))
    log.warning("task failed", extra={"task_id": task_id, "error_type": error_type,
                                      "error": message})
    meta = {"exc_type": error_type, "exc_message": [message], "exc_module": "builtins"}
    task.update_state(task_id=task_id, state="FAILURE", meta=meta)
    raise Ignore()
