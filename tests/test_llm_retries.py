"""LLM faults through the real worker and SDK: transient ones are retried (the client sees
RETRY, then SUCCESS), final ones fail at once naming their cause, never leaking the key."""

from __future__ import annotations

import itertools
import uuid

import pytest
from flask.testing import FlaskClient

from tests.conftest import FAKE_API_KEY, TEST_RETRY_BASE_S, TEST_RETRY_LIMIT, wait_for_final
from tests.fake_openai import FakeOpenAI, Scripted

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("worker")]

TEXT = {"text": "Helios Freight moved its headquarters to Rotterdam. Profits rose sharply."}


@pytest.fixture(autouse=True)
def fresh_llm(fake_llm: FakeOpenAI):
    fake_llm.reset()
    yield fake_llm
    fake_llm.reset()


def run(client: FlaskClient) -> tuple[dict, list[dict]]:
    # A fresh text each time: an identical one would be answered from the result cache.
    text = f"{TEXT['text']} Run {uuid.uuid4().hex[:8]}."
    response = client.post("/process-document", json={"text": text})
    assert response.status_code == 202, response.get_json()
    history = wait_for_final(client, response.get_json()["status_url"], timeout=30)
    return history[-1], history


def gaps(times: list[float]) -> list[float]:
    return [later - earlier for earlier, later in itertools.pairwise(times)]


def test_rate_limit_waits_at_least_retry_after(client: FlaskClient, fake_llm: FakeOpenAI):
    fake_llm.fail_next(2, status=429, headers={"Retry-After": "1.5"})
    final, history = run(client)
    assert final["state"] == "SUCCESS", final.get("error")
    retries = [s for s in history if s["state"] == "RETRY"]
    assert retries, "the client never saw RETRY"
    assert "RateLimitError" in retries[0]["error"]["message"]
    assert len(fake_llm.calls) == 3
    assert all(gap >= 1.5 for gap in gaps(fake_llm.call_times)), gaps(fake_llm.call_times)


@pytest.mark.parametrize("fault", [
    Scripted(status=503), Scripted(status=500), Scripted(disconnect=True),
    Scripted(delay_s=4.0),  # longer than OPENAI_TIMEOUT_SECONDS: the SDK times out
], ids=["503", "500", "connection-dropped", "timeout"])
def test_transient_failures_are_retried_with_backoff(client: FlaskClient,
                                                     fake_llm: FakeOpenAI, fault: Scripted):
    fake_llm.script(fault, fault)
    final, history = run(client)
    assert final["state"] == "SUCCESS", final.get("error")
    assert any(s["state"] == "RETRY" for s in history)
    assert len(fake_llm.calls) == 3
    # Equal jitter: retry n waits between half and all of base * 2**n.
    for attempt, gap in enumerate(gaps(fake_llm.call_times)):
        assert gap >= TEST_RETRY_BASE_S * 2**attempt / 2 * 0.9, (attempt, gap)
    percents = [s["progress"]["percent"] for s in history]
    assert percents == sorted(percents), percents


def test_gives_up_after_the_retry_limit(client: FlaskClient, fake_llm: FakeOpenAI):
    fake_llm.fail_next(TEST_RETRY_LIMIT + 5, status=502)
    final, _ = run(client)
    assert final["state"] == "FAILURE"
    assert final["error"]["type"] == "LLMTemporarilyUnavailable"
    assert f"gave up after {TEST_RETRY_LIMIT} retries" in final["error"]["message"]
    assert len(fake_llm.calls) == TEST_RETRY_LIMIT + 1


@pytest.mark.parametrize(("status", "error_type", "needle"), [
    (401, "AuthenticationError", "401"),
    (400, "BadRequestError", "400"),
    (404, "NotFoundError", "404"),
])
def test_final_errors_fail_at_once_naming_the_cause(client: FlaskClient, fake_llm: FakeOpenAI,
                                                     status: int, error_type: str, needle: str):
    body = {"error": {"message": f"Scripted {status}, key {FAKE_API_KEY} was used",
                      "type": "invalid_request_error", "code": None}}
    fake_llm.fail_next(1, status=status, body=body)
    final, history = run(client)
    assert final["state"] == "FAILURE"
    assert final["error"]["type"] == error_type
    assert needle in final["error"]["message"]
    assert not any(s["state"] == "RETRY" for s in history)
    assert len(fake_llm.calls) == 1
    assert FAKE_API_KEY not in str(history)


def test_a_body_that_is_not_a_completion_fails_cleanly(client: FlaskClient,
                                                       fake_llm: FakeOpenAI):
    fake_llm.script(Scripted(status=200, body="<html>proxy error page</html>"))
    final, _ = run(client)
    assert final["state"] == "FAILURE"
    assert final["error"]["type"] == "LLMOutputInvalid"
    assert "did not answer with a chat completion" in final["error"]["message"]
