"""Structured logs: JSON lines, without document text or misleading tracebacks."""

from __future__ import annotations

import json
import logging

from docproc.logs import OMITTED, JsonFormatter, OmitTaskResults


def _line(record: logging.LogRecord) -> dict:
    assert OmitTaskResults().filter(record)
    return json.loads(JsonFormatter().format(record))


def _record(message: str, args: dict, data: dict) -> logging.LogRecord:
    record = logging.LogRecord("celery.app.trace", logging.INFO, __file__, 1, message, None,
                               None)
    record.args = args  # as Celery passes them: one mapping
    record.data = data
    return record


def test_a_task_result_never_reaches_the_log() -> None:
    values = {"id": "t1", "return_value": {"summary": "what the document says"}}
    line = _line(_record("Task %(id)s succeeded: %(return_value)s", values, values))
    assert "what the document says" not in json.dumps(line)
    assert OMITTED in line["message"]


def test_a_task_that_ended_itself_is_logged_without_a_traceback() -> None:
    values = {"id": "t1", "name": "docs.process_document", "description": "ignored",
              "exc": "Ignore()", "traceback": "Traceback (most recent call last): ..."}
    line = _line(_record("Task %(name)s[%(id)s] %(description)s", values, values))
    assert line["message"] == "Task docs.process_document[t1] ignored"
    assert "Traceback" not in json.dumps(line)
