"""The status body is built from raw task meta: no exception class is ever imported."""

from __future__ import annotations

import json

from docproc.store import TaskRecord
from web.status import build_status, decode_meta

RECORD = TaskRecord(submitted_at="2026-12-03T18:00:00Z", filename="a.pdf", format="pdf",
                    content_type="application/pdf", bytes=10,
                    options={"analyses": ["summary"], "engine": "local", "model": None})


def test_never_started_is_pending_and_queued() -> None:
    body = build_status("t1", RECORD, decode_meta(None))
    assert body["state"] == "PENDING"
    assert body["progress"]["stage"] == "queued"
    assert "result" not in body and "error" not in body


def test_failure_of_an_exception_class_the_web_cannot_import() -> None:
    raw = json.dumps({"status": "FAILURE", "result": {
        "exc_type": "WeirdPluginError", "exc_module": "plugin_nobody_has.errors",
        "exc_message": ["it broke", {"detail": 3}]}, "date_done": "2026-12-03T18:00:05.123"})
    body = build_status("t1", RECORD, decode_meta(raw.encode()))
    assert body["state"] == "FAILURE"
    assert body["error"]["type"] == "WeirdPluginError"
    assert "it broke" in body["error"]["message"]
    assert body["finished_at"] == "2026-12-03T18:00:05Z"


def test_corrupt_meta_is_a_failure_not_a_crash() -> None:
    body = build_status("t1", RECORD, decode_meta(b"\x80not json"))
    assert body["state"] == "FAILURE"
    assert body["error"]["type"] == "CorruptResult"


def test_progress_is_passed_through() -> None:
    meta = {"status": "PROGRESS", "result": {"current": 2, "total": 4, "percent": 50.0,
                                             "stage": "analyzing",
                                             "message": "analyzing chunk 2 of 4"}}
    body = build_status("t1", RECORD, meta)
    assert body["progress"]["percent"] == 50.0 and body["progress"]["current"] == 2


def test_success_has_result_and_full_progress() -> None:
    body = build_status("t1", RECORD, {"status": "SUCCESS", "result": {"summary": "s"}})
    assert body["progress"]["percent"] == 100.0
    assert body["result"] == {"summary": "s"}


def test_celery_recorded_failures_are_put_in_words() -> None:
    meta = {"status": "FAILURE", "result": {"exc_type": "TimeLimitExceeded",
                                            "exc_message": [600], "exc_module": "billiard"}}
    body = build_status("t1", RECORD, meta)
    assert body["error"]["type"] == "TimeLimitExceeded"
    assert "time limit" in body["error"]["message"]


def test_retry_keeps_the_last_progress() -> None:
    record = TaskRecord(**{**RECORD.__dict__, "progress": {
        "current": 2, "total": 4, "percent": 50.0, "stage": "analyzing",
        "message": "analyzing chunk 2 of 4"}})
    meta = {"status": "RETRY", "result": {"exc_type": "LLMTemporarilyUnavailable",
                                          "exc_message": ["RateLimitError: slow down"]}}
    body = build_status("t1", record, meta)
    assert body["state"] == "RETRY"
    assert body["progress"]["percent"] == 50.0
    assert body["error"]["type"] == "LLMTemporarilyUnavailable"
