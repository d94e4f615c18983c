"""Random and mutated bytes of every format: each outcome is a contract error at submission,
or, once accepted, an analysis that succeeds or fails with a domain error; never a crash."""

from __future__ import annotations

import base64
import functools
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docproc import pipeline
from docproc.analysis.local import LocalEngine
from docproc.errors import DocprocError, UnsupportedMediaType
from docproc.filetypes import detect
from docproc.settings import Settings
from main import create_app
from tests.documents import make_docx, make_html, make_pdf

FUZZ_QUEUE = "fuzz-nobody-consumes"
CONTRACT_ERRORS = {
    400: {"invalid_json", "missing_document", "empty_document", "invalid_option",
          "invalid_base64"},
    413: {"document_too_large"},
    415: {"unsupported_media_type"},
}
ALL_ANALYSES = frozenset({"summary", "key_points", "keywords", "entities", "sentiment",
                          "language", "topics"})


@functools.cache
def seeds() -> dict[str, bytes]:
    """One valid document of each format, to mutate."""
    return {
        "pdf": make_pdf(["Quarterly report of Acme Corp in Berlin.", "Revenue rose by 5%."]),
        "docx": make_docx(["Memo to the team.", "The Oslo office reopens."],
                          table=[["Item", "Cost"], ["Blades", "1200"]]),
        "html": make_html("<h1>News</h1><p>The rover landed.</p><script>x()</script>"),
        "text": "Plain notes, with accents: café, 20 €.\n".encode("cp1252"),
        "markdown": b"# Plan\n\n- migrate *billing*\n- [docs](http://x.example)\n",
        "csv": b"region,amount\nNorth,1200\nSouth,900\n",
        "json": b'{"project": {"name": "Gallifrey", "tags": ["a", "b"]}}',
    }


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A seed document with bytes flipped, cut, or inserted, or plain random bytes."""
    kind = draw(st.sampled_from([*seeds(), "random"]))
    if kind == "random":
        return draw(st.binary(min_size=1, max_size=2048))
    data = bytearray(seeds()[kind])
    for _ in range(draw(st.integers(1, 8))):
        position = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "cut", "insert"]))
        if action == "flip":
            data[position] = draw(st.integers(0, 255))
        elif action == "cut":
            del data[position: position + draw(st.integers(1, 256))]
        else:
            data[position:position] = draw(st.binary(min_size=1, max_size=64))
        if not data:
            data = bytearray(b"\x00")
    return bytes(data)


FUZZ = settings(max_examples=100, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@given(data=mutated())
@FUZZ
def test_extraction_and_analysis_end_cleanly(data: bytes) -> None:
    try:
        fmt = detect(data, None, None)
    except UnsupportedMediaType:
        return
    try:
        result = pipeline.run(data, fmt, None, ALL_ANALYSES, LocalEngine(), 500)
    except DocprocError as err:
        assert err.message  # a message a person can act on
        return
    assert result["stats"]["chunks"] >= 1


@pytest.fixture(scope="module")
def fuzz_app(redis_server) -> Flask:
    """The real app on the test Redis, queueing into a queue no worker reads."""
    app = create_app(Settings.on_redis(redis_server.url, queue_name=FUZZ_QUEUE,
                              max_document_bytes=64 * 1024, log_level="ERROR"))
    yield app
    redis_server.client().delete(FUZZ_QUEUE)


def check_contract(response) -> None:
    body = response.get_json()
    assert body is not None, response.data[:200]
    if response.status_code == 202:
        assert body["state"] == "PENDING"
        return
    assert response.status_code in CONTRACT_ERRORS, (response.status_code, body)
    assert body["error"]["code"] in CONTRACT_ERRORS[response.status_code], body
    assert body["error"]["message"]


@given(data=mutated(), filename=st.sampled_from([None, "a.pdf", "b.docx", "c.txt", "d.html",
                                                  "../../etc/passwd", "ü" * 300]),
       declared=st.sampled_from([None, "application/pdf", "text/plain", "image/png",
                                 "application/octet-stream", "text/html; charset=utf-8"]),
       way=st.sampled_from(["multipart", "base64", "raw"]))
@FUZZ
def test_submission_answers_by_the_contract(fuzz_app: Flask, data: bytes, filename: str | None,
                                            declared: str | None, way: str) -> None:
    client: FlaskClient = fuzz_app.test_client()
    if way == "multipart":
        file = (io.BytesIO(data), filename or "upload", declared or "application/octet-stream")
        response = client.post("/process-document", data={"file": file, "engine": "local"},
                               content_type="multipart/form-data")
    elif way == "base64":
        response = client.post("/process-document", json={
            "content_base64": base64.b64encode(data).decode(), "filename": filename,
            "engine": "local"})
    else:
        response = client.post("/process-document", data=data,
                               content_type=declared or "application/octet-stream",
                               query_string={"filename": filename or "", "engine": "local"})
    check_contract(response)


@given(body=st.one_of(st.binary(max_size=512), st.text(max_size=512).map(str.encode)))
@FUZZ
def test_arbitrary_json_bodies_answer_by_the_contract(fuzz_app: Flask, body: bytes) -> None:
    response = fuzz_app.test_client().post("/process-document", data=body,
                                           content_type="application/json")
    check_contract(response)
