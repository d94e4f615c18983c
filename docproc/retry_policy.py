"""Which failures are worth retrying, and after how long.

LLM rate limits, server errors, dropped connections and timeouts pass, and so does a
Redis that stalls or drops the connection mid-task; bad keys, bad
requests and unknown models do not, and retrying them would only hide the cause. The
task layer asks ``retry_delay`` and turns its answer into a Celery retry.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import openai
import redis

# Statuses the API documents as transient: timeout, conflict, rate limit, server errors.
_RETRYABLE_STATUSES = frozenset({408, 409, 429})


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter: attempt n waits about base * 2**n, capped."""

    base_s: float = 2.0
    max_s: float = 60.0

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Half fixed, half random ("equal jitter"): retries spread out, none come at once."""
        ceiling = min(self.max_s, self.base_s * 2**attempt)
        return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)


def is_retryable(exc: BaseException) -> bool:
    """Transient failures of the LLM, or of Redis mid-task: worth another try after a pause."""
    if isinstance(exc, openai.APIConnectionError | redis.ConnectionError | redis.TimeoutError):
        return True  # APIConnectionError includes APITimeoutError
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in _RETRYABLE_STATUSES or exc.status_code >= 500
    return False


def retry_after_s(exc: BaseException) -> float | None:
    """The server's own ``Retry-After`` (seconds or an HTTP date; or ``retry-after-ms``)."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def retry_delay(exc: BaseException, attempt: int, backoff: Backoff,
                longest_s: float = math.inf) -> float | None:
    """Seconds to wait before attempt ``attempt + 1``, or None if ``exc`` is final.

    A ``Retry-After`` is a floor, never shortened by the jitter; backoff alone is capped.
    Nothing waits longer than ``longest_s``: a retry held longer than the broker's
    visibility timeout would be handed out again, and an absurd ``Retry-After`` (days,
    infinity) would not be a wait at all.
    """
    if not is_retryable(exc):
        return None
    delay = backoff.delay(attempt)
    server_says = retry_after_s(exc)
    if server_says is not None:
        delay = max(delay, server_says) if math.isfinite(server_says) else longest_s
    return min(delay, longest_s)
