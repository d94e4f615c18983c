"""Which failures are retried, and how long the task waits before each retry."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx2 as httpx
import openai
import pytest
import redis

from docproc.errors import DocumentUnreadable
from docproc.retry_policy import Backoff, is_retryable, retry_after_s, retry_delay

REQUEST = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")


def status_error(status: int, headers: dict[str, str] | None = None) -> openai.APIStatusError:
    response = httpx.Response(status, headers=headers or {}, request=REQUEST)
    classes = {400: openai.BadRequestError, 401: openai.AuthenticationError,
               404: openai.NotFoundError, 429: openai.RateLimitError,
               500: openai.InternalServerError}
    return classes.get(status, openai.APIStatusError)("boom", response=response, body=None)


@pytest.mark.parametrize(("exc", "retryable"), [
    (status_error(429), True), (status_error(500), True), (status_error(503), True),
    (status_error(408), True), (status_error(409), True),
    (openai.APITimeoutError(REQUEST), True), (openai.APIConnectionError(request=REQUEST), True),
    (redis.ConnectionError("gone"), True), (redis.TimeoutError("slow"), True),
    (status_error(400), False), (status_error(401), False), (status_error(404), False),
    (DocumentUnreadable("encrypted"), False), (ValueError("bug"), False),
])
def test_what_is_retried(exc: BaseException, retryable: bool) -> None:
    assert is_retryable(exc) is retryable


def test_retry_after_in_seconds_milliseconds_and_http_dates() -> None:
    assert retry_after_s(status_error(429, {"Retry-After": "7"})) == 7
    assert retry_after_s(status_error(429, {"retry-after-ms": "1500"})) == 1.5
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 < retry_after_s(status_error(429, {"Retry-After": later})) <= 30
    assert retry_after_s(status_error(429, {"Retry-After": "soon"})) is None
    assert retry_after_s(status_error(429)) is None


def test_backoff_grows_is_capped_and_jittered() -> None:
    backoff = Backoff(base_s=1, max_s=10)
    rng = random.Random(4)
    for attempt in range(8):
        ceiling = min(10, 2**attempt)
        delays = {backoff.delay(attempt, rng) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jitter: retries do not all come at once


def test_retry_after_is_a_floor_and_final_errors_have_no_delay() -> None:
    backoff = Backoff(base_s=0.1, max_s=1)
    assert retry_delay(status_error(429, {"Retry-After": "20"}), 0, backoff) == 20
    assert retry_delay(status_error(401), 0, backoff) is None


@pytest.mark.parametrize("retry_after", ["3600", "inf", "1e12"])
def test_a_wait_never_exceeds_the_longest_allowed(retry_after: str) -> None:
    backoff = Backoff(1.0, 60.0)
    assert retry_delay(status_error(429, {"Retry-After": retry_after}), 0, backoff,
                       longest_s=450) == 450


def test_an_infinite_retry_after_in_milliseconds_is_capped_too() -> None:
    backoff = Backoff(1.0, 60.0)
    error = status_error(429, {"retry-after-ms": "1e300"})
    assert retry_delay(error, 0, backoff, longest_s=450) == 450
