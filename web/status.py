"""Build the status body of the contract from the task record and Celery's task meta."""

from __future__ import annotations

import json
from typing import Any

from docproc.store import TaskRecord

FINAL_STATES = frozenset({"SUCCESS", "FAILURE", "REVOKED"})
_QUEUED = {"current": 0, "total": 0, "percent": 0.0, "stage": "queued",
           "message": "waiting for a worker"}
_DONE = {"current": 1, "total": 1, "percent": 100.0, "stage": "done",
         "message": "analysis complete"}


# Failures Celery records itself (the task code never ran to the end), in words.
_CELERY_ERRORS = {
    "TimeLimitExceeded": "The task ran past its hard time limit (TASK_TIME_LIMIT_SECONDS) "
                         "and its process was stopped.",
    "WorkerLostError": "The worker process running the task died.",
}


def decode_meta(raw: bytes | None) -> dict[str, Any]:
    """Celery's stored meta, read as plain JSON: no exception class is ever rebuilt, so
    an error type the web cannot import still shows as its name and message."""
    if not raw:
        return {"status": "PENDING"}
    try:
        meta = json.loads(raw)
    except ValueError:
        return {"status": "FAILURE", "result": {"exc_type": "CorruptResult",
                                                "exc_message": "unreadable task result"}}
    return meta if isinstance(meta, dict) else {"status": "PENDING"}


def build_status(task_id: str, record: TaskRecord, meta: dict[str, Any]) -> dict[str, Any]:
    """The body of ``GET /task-status/<id>``."""
    state = meta.get("status") or "PENDING"
    if state == "STARTED" or (state == "PENDING" and record.progress):
        state = "PROGRESS"  # workers report progress in the record, not in Celery's meta
    info = meta.get("result")
    body: dict[str, Any] = {
        "task_id": task_id,
        "state": state,
        "progress": _progress(state, info, record.progress),
        "submitted_at": record.submitted_at,
        "started_at": record.started_at,
        "finished_at": record.finished_at or (_date_done(meta) if state in FINAL_STATES else None),
        "document": {"filename": record.filename, "content_type": record.content_type,
                     "format": record.format, "bytes": record.bytes},
        "options": record.options,
        "metadata": record.metadata,
    }
    if record.cached_from:
        body["cached"] = True  # the result of an identical earlier submission, reused
        body["cached_from"] = record.cached_from
    if state == "SUCCESS" and isinstance(info, dict):
        body["result"] = info
    elif state in ("FAILURE", "RETRY", "REVOKED"):
        body["error"] = _error(state, info)
    return body


def _progress(state: str, info: Any, last: dict[str, Any] | None) -> dict[str, Any]:
    """Progress as the client should see it; ``last`` is the worker's last report, kept in
    the task record, so a RETRY or a redelivery never shows percent going back to 0."""
    keys = ("current", "total", "percent", "stage", "message")
    if state == "SUCCESS":
        return dict(_DONE)
    if state in ("FAILURE", "REVOKED"):
        percent = float((last or {}).get("percent", 0.0))
        return {**_QUEUED, "percent": percent, "stage": "done", "message": state.lower()}
    if last:
        report = {k: last.get(k) for k in keys}
        if state == "RETRY":
            report["message"] = "waiting to retry: " + str(report.get("message") or "")
        return report
    if state == "PROGRESS" and isinstance(info, dict) and "percent" in info:
        return {k: info.get(k) for k in keys}
    return dict(_QUEUED)


def _error(state: str, info: Any) -> dict[str, str]:
    if state == "REVOKED":
        return {"type": "Revoked", "message": "The task was cancelled."}
    if isinstance(info, dict) and "exc_type" in info:
        message = info.get("exc_message")
        if isinstance(message, list | tuple):
            message = " ".join(str(m) for m in message)
        kind = str(info["exc_type"])
        return {"type": kind, "message": _CELERY_ERRORS.get(kind) or str(message or kind)}
    return {"type": "Unknown", "message": str(info) if info else "the task failed"}


def _date_done(meta: dict[str, Any]) -> str | None:
    done = meta.get("date_done")
    if not isinstance(done, str):
        return None
    return done[:19] + "Z" if len(done) >= 19 else done
