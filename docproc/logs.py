"""Structured logs: one JSON object a line, with whatever ``extra=`` fields a call adds.

Never pass secrets or document text as fields: the formatter writes what it is given.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Formats a record as a JSON line: time, level, logger, message and extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


OMITTED = "<result omitted>"


class OmitTaskResults(logging.Filter):
    """Celery logs each task's return value on success; ours quotes the document (summary,
    key points), so it is left out of the line. A task that ended itself (``Ignore``, after
    storing its FAILURE, which its own log line explains) is logged without the traceback
    Celery attaches, which reads like a crash."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict) and "return_value" in record.args:
            record.args = {**record.args, "return_value": OMITTED}
        data = getattr(record, "data", None)  # Celery repeats the values as an extra
        if isinstance(data, dict) and "return_value" in data:
            record.data = {**data, "return_value": OMITTED}
        if isinstance(data, dict) and data.get("description") == "ignored":
            record.data = {k: v for k, v in data.items() if k != "traceback"}
        return True


def configure_logging(level: str | int = "INFO") -> None:
    """Send every logger's records to stderr as JSON lines (idempotent)."""
    root = logging.getLogger()
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
    root.setLevel(level)
    trace = logging.getLogger("celery.app.trace")
    if not any(isinstance(f, OmitTaskResults) for f in trace.filters):
        trace.addFilter(OmitTaskResults())
