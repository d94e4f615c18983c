"""The openai engine, through the real SDK, against the fake server (no mocks)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import openai
import pytest

from docproc.analysis.base import ANALYSES, Analysis, Usage
from docproc.analysis.openai_engine import (
    OpenAIEngine,
    label_for,
    make_openai_client,
    merge_keywords,
)
from docproc.analysis.schema import json_schema, response_format, validate_llm_output
from docproc.errors import AnalysisFailed, LLMOutputInvalid
from tests.fake_openai import FakeOpenAI

API_KEY = "sk-test-0123456789abcdefSECRET"
MODEL = "gpt-test-mini"
ALL = frozenset(ANALYSES)

CHUNKS = [
    "Acme Corp hired Alice Smith in Paris. Revenue grew strongly and investors cheered.",
    "Alice Smith met Bob Jones of Acme Corp. The merger talks with Globex continued.",
    "Globex and Acme Corp signed the agreement. Alice Smith called it historic progress.",
]


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(api_key=API_KEY) as fake:
        yield fake


@pytest.fixture
def fake(server: FakeOpenAI) -> Iterator[FakeOpenAI]:
    server.reset()
    server.latency_s = 0.0
    yield server
    server.reset()


@pytest.fixture
def client(fake: FakeOpenAI) -> openai.OpenAI:
    # max_retries=0: HTTP errors reach the test at once; the engine must not add retries.
    return make_openai_client(API_KEY, fake.base_url, timeout_s=10.0, max_retries=0)


@pytest.fixture
def engine(client: openai.OpenAI) -> OpenAIEngine:
    return OpenAIEngine(client, MODEL)


def _analyse_document(engine: OpenAIEngine, chunks: list[str], analyses: frozenset[str]):
    parts = [engine.analyze_chunk(chunk, analyses) for chunk in chunks]
    final = engine.combine(parts, analyses)
    total = sum((p.usage for p in parts), Usage()) + final.usage
    return parts, final, total


# -- a single chunk ------------------------------------------------------------------------


def test_single_chunk_returns_only_requested_fields(engine: OpenAIEngine, fake: FakeOpenAI):
    wanted = frozenset({"summary", "entities", "sentiment"})
    part = engine.analyze_chunk(CHUNKS[0], wanted)

    assert set(part.fields) == wanted
    assert part.fields["summary"].startswith("Summary: Acme Corp hired Alice Smith")
    assert {"text": "Acme", "type": "OTHER", "count": 1} in part.fields["entities"]
    assert part.fields["sentiment"] == {"label": "neutral", "score": 0.0}
    assert part.usage.llm_calls == 1
    assert part.usage.prompt_tokens > 0 and part.usage.completion_tokens > 0
    assert part.state["weight"] == len(CHUNKS[0])


def test_request_carries_text_model_schema_and_temperature(engine: OpenAIEngine, fake):
    wanted = frozenset({"keywords", "language"})
    engine.analyze_chunk(CHUNKS[1], wanted)

    [call] = fake.calls
    assert call["model"] == MODEL
    assert call["temperature"] == 0
    assert {"role": "user", "content": CHUNKS[1]} in call["messages"]
    assert call["messages"][0]["role"] == "system"
    fmt = call["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["strict"] is True
    schema = fmt["json_schema"]["schema"]
    assert set(schema["properties"]) == wanted
    assert set(schema["required"]) == wanted
    assert schema["additionalProperties"] is False
    [(_, _, headers, _)] = [r for r in fake.requests if r[1].endswith("/chat/completions")]
    assert headers["authorization"] == f"Bearer {API_KEY}"


def test_single_part_combine_makes_no_call(engine: OpenAIEngine, fake: FakeOpenAI):
    part = engine.analyze_chunk(CHUNKS[0], ALL)
    final = engine.combine([part], ALL)

    assert final.fields == part.fields
    assert final.usage == Usage()
    assert len(fake.calls) == 1


# -- several chunks: map, then reduce --------------------------------------------------------


def test_three_chunks_then_one_reduce_call(engine: OpenAIEngine, fake: FakeOpenAI):
    parts, final, total = _analyse_document(engine, CHUNKS, ALL)

    assert total.llm_calls == 4
    assert final.usage.llm_calls == 1
    assert set(final.fields) == ALL
    reduce_call = fake.calls[-1]
    reduce_schema = reduce_call["response_format"]["json_schema"]["schema"]
    assert set(reduce_schema["required"]) == {"summary", "key_points", "topics"}
    sent = json.loads(reduce_call["messages"][-1]["content"])
    assert [p["summary"] for p in sent["parts"]] == [p.fields["summary"] for p in parts]
    assert [p["part"] for p in sent["parts"]] == [1, 2, 3]
    assert "entities" not in sent["parts"][0]  # merged in code, not by the model
    assert final.fields["summary"].startswith("Summary: ")


def test_entities_merged_with_counts_summed(engine: OpenAIEngine):
    _, final, _ = _analyse_document(engine, CHUNKS, frozenset({"entities"}))

    counts = {(e["text"], e["type"]): e["count"] for e in final.fields["entities"]}
    assert counts[("Acme", "OTHER")] == 3
    assert counts[("Smith", "OTHER")] == 3
    assert counts[("Globex", "OTHER")] == 2
    ranked = [e["count"] for e in final.fields["entities"]]
    assert ranked == sorted(ranked, reverse=True)


def test_code_merged_fields_need_no_reduce_call(engine: OpenAIEngine, fake: FakeOpenAI):
    wanted = frozenset({"keywords", "sentiment", "language"})
    _, final, total = _analyse_document(engine, CHUNKS, wanted)

    assert final.usage == Usage()
    assert total.llm_calls == 3
    assert final.fields["sentiment"] == {"label": "neutral", "score": 0.0}
    assert final.fields["language"] == "en"
    assert final.fields["keywords"]


def test_sentiment_is_weighted_mean_and_language_the_majority(engine: OpenAIEngine):
    def part(score: float, language: str, weight: int) -> Analysis:
        fields = {"sentiment": {"label": label_for(score), "score": score}, "language": language}
        return Analysis(fields, state={"weight": weight})

    final = engine.combine(
        [part(0.9, "de", 100), part(-0.3, "en", 300), part(0.0, "en", 100)],
        frozenset({"sentiment", "language"}),
    )
    assert final.fields["sentiment"] == {"label": "neutral", "score": 0.0}
    assert final.fields["language"] == "en"
    assert label_for(0.06) == "positive" and label_for(-0.06) == "negative"


def test_keywords_merged_by_frequency_across_parts():
    merged = merge_keywords([["alpha", "Beta"], ["beta", "gamma"], ["delta", "BETA", "gamma"]])
    assert merged == ["Beta", "gamma", "alpha", "delta"]


def test_many_parts_reduce_hierarchically(engine: OpenAIEngine, fake: FakeOpenAI):
    parts = [Analysis({"summary": f"Part {i} summary.", "topics": ["General"]}) for i in range(45)]
    final = engine.combine(parts, frozenset({"summary", "topics"}))

    # 45 parts -> groups of 20, 20, 5 -> 3 calls; then the 3 results -> 1 call.
    assert final.usage.llm_calls == 4
    assert len(fake.calls) == 4
    assert all(len(json.loads(c["messages"][-1]["content"])["parts"]) <= 20 for c in fake.calls)


def test_combine_of_nothing_fails_clearly(engine: OpenAIEngine):
    with pytest.raises(AnalysisFailed, match="no analysed text"):
        engine.combine([], ALL)


# -- invalid answers ----------------------------------------------------------------------------


def test_malformed_answer_once_is_retried(engine: OpenAIEngine, fake: FakeOpenAI):
    fake.malformed_next(1)
    part = engine.analyze_chunk(CHUNKS[0], ALL)

    assert part.usage.llm_calls == 2
    assert len(fake.calls) == 2
    assert set(part.fields) == ALL


def test_malformed_answer_always_fails_after_three_attempts(engine: OpenAIEngine, fake):
    fake.malformed_next(3)
    with pytest.raises(LLMOutputInvalid) as caught:
        engine.analyze_chunk(CHUNKS[0], ALL)

    message = str(caught.value)
    assert "not valid JSON" in message and "3 attempts" in message
    assert "Acme" not in message and API_KEY not in message
    assert caught.value.code == "llm_output_invalid"
    assert caught.value.usage.llm_calls == 3
    assert len(fake.calls) == 3


def test_schema_violation_is_invalid(engine: OpenAIEngine, fake: FakeOpenAI):
    bad = json.dumps({"summary": "Fine.", "sentiment": {"label": "great", "score": 0.5}})
    fake.reply_next(bad, n=3)
    with pytest.raises(LLMOutputInvalid, match=r"sentiment\.label"):
        engine.analyze_chunk(CHUNKS[0], frozenset({"summary", "sentiment"}))


def test_truncated_answer_is_invalid(engine: OpenAIEngine, fake: FakeOpenAI):
    fake.reply_next('{"summary": "cut', n=3, finish_reason="length")
    with pytest.raises(LLMOutputInvalid, match="cut off"):
        engine.analyze_chunk(CHUNKS[0], frozenset({"summary"}))


def test_invalid_reduce_answer_is_retried_too(engine: OpenAIEngine, fake: FakeOpenAI):
    parts = [engine.analyze_chunk(chunk, ALL) for chunk in CHUNKS[:2]]
    fake.malformed_next(1, kind="schema")
    final = engine.combine(parts, ALL)
    assert final.usage.llm_calls == 2


# -- SDK errors propagate unchanged ------------------------------------------------------------


def test_wrong_api_key_raises_authentication_error_without_the_key(fake: FakeOpenAI):
    wrong_key = "sk-wrong-key-9876543210zyxwvuSECRET"
    client = make_openai_client(wrong_key, fake.base_url, timeout_s=10.0, max_retries=0)
    with pytest.raises(openai.AuthenticationError) as caught:
        OpenAIEngine(client, MODEL).analyze_chunk(CHUNKS[0], ALL)

    assert caught.value.status_code == 401
    assert wrong_key not in str(caught.value) and wrong_key not in repr(caught.value)
    assert len(fake.calls) == 0  # refused before it counted as a completion


def test_scripted_401_propagates(engine: OpenAIEngine, fake: FakeOpenAI):
    fake.fail_next(1, status=401)
    with pytest.raises(openai.AuthenticationError) as caught:
        engine.analyze_chunk(CHUNKS[0], ALL)
    assert API_KEY not in str(caught.value)


def test_server_error_propagates_and_is_not_retried_by_the_engine(engine, fake: FakeOpenAI):
    fake.fail_next(1, status=503)
    with pytest.raises(openai.InternalServerError):
        engine.analyze_chunk(CHUNKS[0], ALL)
    assert len(fake.calls) == 1


def test_sdk_retries_are_the_clients_business(fake: FakeOpenAI):
    client = make_openai_client(API_KEY, fake.base_url, timeout_s=10.0, max_retries=2)
    fake.fail_next(2, status=429, headers={"retry-after-ms": "10"})
    part = OpenAIEngine(client, MODEL).analyze_chunk(CHUNKS[0], frozenset({"summary"}))
    assert part.usage.llm_calls == 1  # the engine saw one successful call
    assert len(fake.calls) == 3


def test_dropped_connection_is_a_connection_error(engine: OpenAIEngine, fake: FakeOpenAI):
    fake.disconnect_next(1)
    with pytest.raises(openai.APIConnectionError):
        engine.analyze_chunk(CHUNKS[0], ALL)


def test_timeout_is_a_timeout_error(fake: FakeOpenAI):
    client = make_openai_client(API_KEY, fake.base_url, timeout_s=0.2, max_retries=0)
    fake.latency_s = 1.0
    with pytest.raises(openai.APITimeoutError):
        OpenAIEngine(client, MODEL).analyze_chunk(CHUNKS[0], ALL)


def test_client_factory_needs_a_key():
    with pytest.raises(ValueError, match="API key"):
        make_openai_client("", None, timeout_s=1.0, max_retries=0)


def test_engine_repr_hides_the_client(engine: OpenAIEngine):
    assert API_KEY not in repr(engine)


# -- the fake server itself --------------------------------------------------------------------


def test_fake_handles_concurrent_requests(engine: OpenAIEngine, fake: FakeOpenAI):
    fake.latency_s = 0.2
    texts = [f"Document number {i} about Testing." for i in range(16)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        parts = list(pool.map(lambda t: engine.analyze_chunk(t, frozenset({"summary"})), texts))

    assert sorted(p.fields["summary"] for p in parts) == sorted(f"Summary: {t}" for t in texts)
    assert len(fake.calls) == 16


def test_fake_lists_models_and_404s_the_rest(client: openai.OpenAI):
    assert [m.id for m in client.models.list()] == ["fake-model"]
    with pytest.raises(openai.NotFoundError):
        client.embeddings.create(model="x", input="y")


# -- validate_llm_output ---------------------------------------------------------------------


GOOD = {
    "summary": "  A summary.  ",
    "key_points": ["One.", " ", "one.", "Two."],
    "keywords": ["Alpha", "alpha", "", "beta"] + [f"k{i}" for i in range(30)],
    "entities": [
        {"text": "Acme", "type": "ORG", "count": 2},
        {"text": " acme ", "type": "org", "count": 3},
        {"text": "", "type": "OTHER", "count": 1},
        {"text": "Paris", "type": "LOCATION", "count": 9},
    ],
    "sentiment": {"label": "Positive", "score": 0.5},
    "language": "en-US",
    "topics": ["Business"],
}


def test_validate_normalises_a_good_answer():
    out = validate_llm_output(json.dumps(GOOD), ALL)

    assert out["summary"] == "A summary."
    assert out["key_points"] == ["One.", "Two."]
    assert out["keywords"][:3] == ["Alpha", "beta", "k0"] and len(out["keywords"]) == 20
    assert out["entities"] == [
        {"text": "Paris", "type": "LOCATION", "count": 9},
        {"text": "Acme", "type": "ORG", "count": 5},
    ]
    assert out["sentiment"] == {"label": "positive", "score": 0.5}
    assert out["language"] == "en"


def test_validate_keeps_only_requested_keys_and_clamps():
    raw = json.dumps({"summary": "S", "key_points": [f"p{i}" for i in range(15)], "x": 1})
    out = validate_llm_output(raw, frozenset({"summary", "key_points"}))
    assert out == {"summary": "S", "key_points": [f"p{i}" for i in range(10)]}


@pytest.mark.parametrize(
    ("raw", "analyses", "problem"),
    [
        ("not json", {"summary"}, "not valid JSON"),
        ("", {"summary"}, "empty answer"),
        ("[1, 2]", {"summary"}, "not an object"),
        ("{}", {"summary"}, "summary: Field required"),
        ('{"summary": 3}', {"summary"}, "summary: Input should be a valid string"),
        ('{"sentiment": {"label": "great", "score": 0}}', {"sentiment"}, "sentiment.label"),
        ('{"sentiment": {"label": "positive", "score": 1.5}}', {"sentiment"}, "sentiment.score"),
        ('{"entities": [{"text": "A", "type": "THING", "count": 1}]}', {"entities"}, "type"),
        ('{"entities": [{"text": "A", "type": "ORG", "count": 0}]}', {"entities"}, "count"),
        ('{"language": "english"}', {"language"}, "language"),
        ('{"keywords": "a, b"}', {"keywords"}, "keywords: Input should be a valid list"),
    ],
)
def test_validate_rejects_bad_answers(raw: str, analyses: set[str], problem: str):
    with pytest.raises(LLMOutputInvalid) as caught:
        validate_llm_output(raw, frozenset(analyses))
    assert problem in str(caught.value)
    assert "'great'" not in str(caught.value)  # reasons, never the model's words


def test_schema_is_strict_for_every_subset():
    def objects(node):
        if isinstance(node, dict):
            if node.get("type") == "object":
                yield node
            for value in node.values():
                yield from objects(value)
        elif isinstance(node, list):
            for value in node:
                yield from objects(value)

    for wanted in (ALL, frozenset({"sentiment"}), frozenset({"entities", "topics"})):
        schema = json_schema(wanted)
        assert set(schema["properties"]) == wanted
        assert "$ref" not in json.dumps(schema) and "$defs" not in schema
        for node in objects(schema):
            assert node["additionalProperties"] is False
            assert set(node["required"]) == set(node["properties"])
    assert response_format(ALL)["json_schema"]["strict"] is True
    with pytest.raises(ValueError, match="unknown analyses"):
        json_schema(frozenset({"summary", "poetry"}))
