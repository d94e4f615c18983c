"""Routes of the main job: submit a document, read its status."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid

from flask import Blueprint, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from celery_config import enqueue_document
from docproc.analysis import resolve_engine
from docproc.settings import Settings
from docproc.store import TaskRecord, utc_now
from web.context import services
from web.errors import ApiError
from web.status import build_status, decode_meta
from web.submission import Submission, parse_submission

log = logging.getLogger(__name__)
bp = Blueprint("documents", __name__)

QUEUE_UNAVAILABLE = "The queue (Redis) is unavailable; nothing was queued. Retry shortly."


@bp.post("/process-document")
def process_document() -> ResponseReturnValue:
    """Validate and store the document, queue its id, and answer 202 at once."""
    svc = services()
    submission = parse_submission(request, svc.settings.max_document_bytes)
    task_id = str(uuid.uuid4())
    record = TaskRecord(
        submitted_at=utc_now(),
        filename=submission.filename,
        format=submission.format,
        content_type=submission.content_type,
        bytes=len(submission.data),
        options=submission.options,
        metadata=submission.metadata,
        callback_url=submission.callback_url,
        result_key=svc.store.result_key(result_digest(submission, svc.settings)),
    )
    try:
        cached = svc.store.save_unless_cached(task_id, submission.data, record)
        if cached is not None:
            return _answer_from_cache(task_id, record, cached)
    except RedisError:
        raise ApiError(503, "queue_unavailable", QUEUE_UNAVAILABLE) from None
    try:
        enqueue_document(svc.celery, task_id, svc.settings.queue_name)
    except (OperationalError, RedisError, OSError):
        _forget_quietly(task_id)
        raise ApiError(503, "queue_unavailable", QUEUE_UNAVAILABLE) from None
    log.info("document queued", extra={"task_id": task_id, "format": submission.format,
                                       "bytes": len(submission.data)})
    status_url = url_for("documents.task_status", task_id=task_id)
    body = {"task_id": task_id, "state": "PENDING", "status_url": status_url}
    return jsonify(body), 202, {"Location": status_url}


@bp.get("/task-status/<task_id>")
def task_status(task_id: str) -> ResponseReturnValue:
    """The task's state, progress and, once finished, its result or error."""
    svc = services()
    meta_key = svc.celery.backend.get_key_for_task(task_id)
    try:
        record, raw_meta = svc.store.get_record_with(task_id, meta_key)
    except RedisError:
        message = "Task status is unavailable while Redis is unreachable; retry shortly."
        raise ApiError(503, "queue_unavailable", message) from None
    if record is None:
        raise ApiError(404, "task_not_found", f"No task {task_id!r} (never submitted, or expired).")
    return jsonify(build_status(task_id, record, decode_meta(raw_meta)))


def result_digest(submission: Submission, settings: Settings) -> str:
    """What makes two submissions give the same result: the bytes, the analyses, and the
    engine and model that will run (``auto`` and the default model resolved here)."""
    options = submission.options
    engine = resolve_engine(options.get("engine", "auto"), settings)
    model = options.get("model") or (settings.openai_model if engine == "openai" else None)
    key = json.dumps([sorted(options["analyses"]), engine, model, submission.format])
    digest = hashlib.sha256(key.encode() + b"\0")
    digest.update(submission.data)  # no copy of a document that may be megabytes long
    return digest.hexdigest()


def _answer_from_cache(task_id: str, record: TaskRecord, cached: dict) -> ResponseReturnValue:
    """Identical bytes and options were analysed already: a finished task at once, and
    no LLM call. The response and the status say so."""
    svc = services()
    record.started_at = record.finished_at = record.submitted_at
    record.cached_from = cached.get("task_id")
    svc.store.save_submission(task_id, None, record)
    svc.celery.backend.store_result(task_id, cached["result"], "SUCCESS")
    log.info("document answered from cache", extra={"task_id": task_id,
                                                    "cached_from": record.cached_from})
    status_url = url_for("documents.task_status", task_id=task_id)
    body = {"task_id": task_id, "state": "SUCCESS", "status_url": status_url, "cached": True}
    return jsonify(body), 202, {"Location": status_url}


def _forget_quietly(task_id: str) -> None:
    try:
        services().store.forget(task_id)
    except RedisError:
        log.warning("could not remove an unqueued submission", extra={"task_id": task_id})
