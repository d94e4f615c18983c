"""The openai engine end to end: web -> Redis -> worker -> real openai SDK -> fake server.

The worker runs with OPENAI_API_KEY set and OPENAI_BASE_URL pointing at a fake
OpenAI-compatible server in this test process, so ``auto`` picks the openai engine.
"""

from __future__ import annotations

import uuid

import pytest
from flask.testing import FlaskClient

from tests.conftest import FAKE_API_KEY, TEST_CHUNK_TOKENS, TEST_LLM_CONCURRENCY, wait_for_final
from tests.documents import make_pdf
from tests.fake_openai import FakeOpenAI

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("worker")]


@pytest.fixture(autouse=True)
def fresh_llm(fake_llm: FakeOpenAI) -> FakeOpenAI:
    fake_llm.reset()
    return fake_llm


def run_to_end(client: FlaskClient, **kwargs) -> tuple[dict, list[dict]]:
    if "text" in kwargs.get("json", {}):  # fresh text, or the result cache would answer
        kwargs["json"] = {**kwargs["json"],
                          "text": f"{kwargs['json']['text']} Run {uuid.uuid4().hex[:8]}."}
    response = client.post("/process-document", **kwargs)
    assert response.status_code == 202, response.get_json()
    history = wait_for_final(client, response.get_json()["status_url"])
    return history[-1], history


def test_single_chunk_document(client: FlaskClient, fake_llm: FakeOpenAI) -> None:
    text = "Helios Freight moved its headquarters to Rotterdam. Profits rose sharply this year."
    final, _ = run_to_end(client, json={"text": text, "analyses": ["summary", "keywords"]})
    assert final["state"] == "SUCCESS", final.get("error")
    result = final["result"]
    assert result["engine"] == "openai"
    assert result["model"] == "gpt-4.1-mini"
    assert result["summary"].startswith("Summary: Helios Freight moved")
    assert result["usage"]["llm_calls"] == 1 == len(fake_llm.calls)
    assert result["usage"]["prompt_tokens"] > 0 and result["usage"]["completion_tokens"] > 0
    request = fake_llm.calls[0]
    assert request["model"] == "gpt-4.1-mini"
    assert "Helios Freight" in str(request["messages"])
    schema = request["response_format"]["json_schema"]["schema"]
    assert set(schema["properties"]) == {"summary", "keywords"}
    auth = [h for m, p, h, _ in fake_llm.requests if p.endswith("/chat/completions")]
    assert auth[0]["authorization"] == f"Bearer {FAKE_API_KEY}"


def test_model_override_per_document(client: FlaskClient, fake_llm: FakeOpenAI) -> None:
    final, _ = run_to_end(client, json={"text": "A tiny note.", "model": "my-local-llama"})
    assert final["state"] == "SUCCESS", final.get("error")
    assert final["result"]["model"] == "my-local-llama"
    assert fake_llm.calls[0]["model"] == "my-local-llama"


def test_multi_chunk_pdf_is_map_reduced(client: FlaskClient, fake_llm: FakeOpenAI) -> None:
    sentence = "The logistics network expanded across northern Europe with new depots. "
    pages = [f"Page {n} marker word page{n}marker. " + sentence * 40 for n in range(1, 7)]
    final, history = run_to_end(client, data=make_pdf(pages), content_type="application/pdf",
                                query_string={"filename": "long.pdf"})
    assert final["state"] == "SUCCESS", final.get("error")
    result = final["result"]
    chunks = result["stats"]["chunks"]
    assert chunks >= 3, "the document should need several chunks at this chunk size"
    assert sum(len(p) for p in pages) > 2 * TEST_CHUNK_TOKENS * 4
    # one call per chunk, one to combine them; usage summed over every call
    assert result["usage"]["llm_calls"] == chunks + 1 == len(fake_llm.calls)
    prompt_sum = sum(len(str(c["messages"])) for c in fake_llm.calls)
    assert result["usage"]["prompt_tokens"] >= prompt_sum // 8
    reduce_call = str(fake_llm.calls[-1]["messages"])
    assert "Summary: Page 1 marker" in reduce_call
    assert result["stats"]["pages"] == 6
    analyzing = [s["progress"] for s in history if s["progress"]["stage"] == "analyzing"]
    assert all(p["total"] == chunks for p in analyzing)
    percents = [s["progress"]["percent"] for s in history]
    assert percents == sorted(percents)


def test_malformed_llm_output_is_retried(client: FlaskClient, fake_llm: FakeOpenAI) -> None:
    fake_llm.malformed_next(1)
    final, _ = run_to_end(client, json={"text": "Short text for one call."})
    assert final["state"] == "SUCCESS", final.get("error")
    assert final["result"]["usage"]["llm_calls"] == 2


def test_llm_output_that_never_fits_the_schema_fails(client: FlaskClient,
                                                     fake_llm: FakeOpenAI) -> None:
    fake_llm.malformed_next(10, kind="schema")
    final, _ = run_to_end(client, json={"text": "Short text for one call."})
    assert final["state"] == "FAILURE"
    assert final["error"]["type"] == "LLMOutputInvalid"
    assert "schema" in final["error"]["message"].lower()
    fake_llm.reset()


def test_bad_api_key_fails_without_leaking_it(client: FlaskClient, fake_llm: FakeOpenAI) -> None:
    fake_llm.fail_next(1, status=401)
    final, _ = run_to_end(client, json={"text": "Short text for one call."})
    assert final["state"] == "FAILURE"
    assert final["error"]["type"] == "AuthenticationError", final["error"]
    assert FAKE_API_KEY not in str(final)


def test_chunks_are_analysed_in_parallel_within_the_limit(client: FlaskClient,
                                                           fake_llm: FakeOpenAI) -> None:
    fake_llm.latency_s = 0.3
    try:
        paragraph = "Freight volumes rose at every depot in the northern region this year. " * 40
        text = "\n\n".join(f"Part {n}. {paragraph}" for n in range(1, 11))
        final, history = run_to_end(client, json={"text": text})
    finally:
        fake_llm.latency_s = 0.0
    assert final["state"] == "SUCCESS", final.get("error")
    chunks = final["result"]["stats"]["chunks"]
    assert chunks > TEST_LLM_CONCURRENCY
    assert fake_llm.max_in_flight == TEST_LLM_CONCURRENCY  # parallel, and never more
    assert final["result"]["usage"]["llm_calls"] == chunks + 1
    done = [s["progress"]["current"] for s in history if s["progress"]["stage"] == "analyzing"]
    assert done == sorted(done)
    percents = [s["progress"]["percent"] for s in history]
    assert percents == sorted(percents)


def test_identical_resubmission_reuses_the_result(client: FlaskClient,
                                                  fake_llm: FakeOpenAI) -> None:
    text = f"Orion Shipping opened a depot in Gdansk. Cache test {uuid.uuid4().hex[:8]}."
    response = client.post("/process-document",
                           json={"text": text, "analyses": ["summary", "keywords"]})
    first = wait_for_final(client, response.get_json()["status_url"])[-1]
    assert first["state"] == "SUCCESS" and "cached" not in first
    calls = len(fake_llm.calls)

    again = client.post("/process-document",
                        json={"text": text, "analyses": "keywords,summary"})
    assert again.status_code == 202
    assert again.get_json()["state"] == "SUCCESS" and again.get_json()["cached"] is True
    status = client.get(again.get_json()["status_url"]).get_json()
    assert status["state"] == "SUCCESS" and status["cached"] is True
    assert status["cached_from"] == first["task_id"]
    assert status["result"] == first["result"]
    assert status["progress"]["percent"] == 100
    assert len(fake_llm.calls) == calls  # the LLM was not asked again

    # Other analyses, another model, or other bytes are new work.
    for body in ({"text": text, "analyses": ["summary"]},
                 {"text": text, "analyses": ["summary", "keywords"], "model": "other-model"},
                 {"text": text + " ", "analyses": ["summary", "keywords"]}):
        fresh = client.post("/process-document", json=body).get_json()
        assert fresh["state"] == "PENDING"
        assert wait_for_final(client, fresh["status_url"])[-1]["state"] == "SUCCESS"
    assert len(fake_llm.calls) == calls + 3
