"""Domain errors. Each carries a stable code; only the web layer maps codes to HTTP statuses."""

from __future__ import annotations

import re


class DocprocError(Exception):
    """Base class: a failure a person can understand from its message."""

    code = "processing_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnsupportedMediaType(DocprocError):
    """The bytes are not a format the service can read (an image, an archive, a program)."""

    code = "unsupported_media_type"


class DocumentUnreadable(DocprocError):
    """The format is supported but this document cannot be read (encrypted, corrupt)."""

    code = "document_unreadable"


class DocumentMissing(DocprocError):
    """The stored document is gone (expired before a worker took it)."""

    code = "document_missing"


class AnalysisFailed(DocprocError):
    """The analysis engine could not produce a result."""

    code = "analysis_failed"


class LLMOutputInvalid(AnalysisFailed):
    """The language model's answer did not match the result schema, even after retrying."""

    code = "llm_output_invalid"


class Cancelled(DocprocError):
    """The client cancelled the task; the pipeline stopped at a checkpoint."""

    code = "cancelled"


MAX_ERROR_MESSAGE = 500
# OpenAI-style keys, even masked ("sk-proj-****abcd"), never reach a client or a log.
_KEY_LIKE = re.compile(r"\b(?:sk|rk|pk)-[\w*-]{6,}")


def describe_failure(exc: BaseException, secrets: tuple[str, ...] = ()) -> tuple[str, str]:
    """The ``(type, message)`` a client sees for a failed task: the exception's own class
    name (so ``AuthenticationError`` says what went wrong) and its message, with secrets
    redacted and the length bounded, since SDK messages may quote request bodies."""
    try:
        message = str(exc) or type(exc).__name__
    except Exception:  # a broken __str__ must not hide the failure itself
        message = type(exc).__name__
    for secret in secrets:
        if secret:
            message = message.replace(secret, "***")
    message = _KEY_LIKE.sub("***", message)
    if len(message) > MAX_ERROR_MESSAGE:
        message = message[: MAX_ERROR_MESSAGE - 1] + "…"
    return type(exc).__name__, message


class TaskTimedOut(DocprocError):
    """The task ran past its time limit and was stopped."""

    code = "task_timed_out"


class LLMTemporarilyUnavailable(AnalysisFailed):
    """The language model failed in a way worth retrying (rate limit, 5xx, timeout)."""

    code = "llm_temporarily_unavailable"
