"""Every error row of the contract: right status, right code, JSON body, nothing queued."""

from __future__ import annotations

import base64
import io
import json
import zipfile

import pytest
from flask.testing import FlaskClient
from redis import Redis

from docproc.settings import Settings
from main import create_app
from tests.documents import make_pdf
from tests.servers import RedisServer, free_port

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200)


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return buffer.getvalue()


def _assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and len(body["error"]["message"]) > 10
    return body


@pytest.fixture
def queue_untouched(redis_server: RedisServer, settings: Settings):
    """Asserts that a request left no message in the queue and no document in Redis."""
    redis = redis_server.client()
    before = set(redis.keys("docproc:*")), redis.llen(settings.queue_name)
    yield
    assert (set(redis.keys("docproc:*")), redis.llen(settings.queue_name)) == before


pytestmark = pytest.mark.usefixtures("queue_untouched")


def test_invalid_json(client: FlaskClient) -> None:
    response = client.post("/process-document", data=b"{not json",
                           content_type="application/json")
    _assert_error(response, 400, "invalid_json")


def test_json_that_is_not_an_object(client: FlaskClient) -> None:
    _assert_error(client.post("/process-document", json=["text"]), 400, "invalid_json")


@pytest.mark.parametrize("kwargs", [
    {"json": {"analyses": ["summary"]}},
    {"data": {"engine": "local"}, "content_type": "multipart/form-data"},
    {},
])
def test_missing_document(client: FlaskClient, kwargs: dict) -> None:
    _assert_error(client.post("/process-document", **kwargs), 400, "missing_document")


@pytest.mark.parametrize("kwargs", [
    {"json": {"text": "   \n\t "}},
    {"json": {"content_base64": "", "filename": "a.pdf"}},
    {"data": {"file": (io.BytesIO(b""), "empty.pdf")}, "content_type": "multipart/form-data"},
    {"data": b"", "content_type": "text/plain"},
])
def test_empty_document(client: FlaskClient, kwargs: dict) -> None:
    _assert_error(client.post("/process-document", **kwargs), 400, "empty_document")


@pytest.mark.parametrize("options", [
    {"analyses": ["summary", "horoscope"]},
    {"analyses": "summary,nope"},
    {"analyses": [1, 2]},
    {"engine": "gpt-9000"},
    {"model": "bad model name with spaces"},
    {"metadata": "not an object"},
    {"metadata": ["a", "list"]},
    {"metadata": {"blob": "x" * 5000}},
    {"callback_url": "ftp://example.com/hook"},
    {"callback_url": "not a url"},
    {"callback_url": "http://[::1"},
])
def test_invalid_option(client: FlaskClient, options: dict) -> None:
    response = client.post("/process-document", json={"text": "Some text.", **options})
    _assert_error(response, 400, "invalid_option")


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_metadata_that_is_not_plain_json_is_refused(client: FlaskClient, number: str) -> None:
    body = '{"text": "Some text.", "metadata": {"x": ' + number + "}}"
    response = client.post("/process-document", data=body, content_type="application/json")
    _assert_error(response, 400, "invalid_option")


@pytest.mark.parametrize("content_type", [5, ["text/plain"], {"a": 1}])
def test_a_declared_type_that_is_not_a_string_is_refused(client: FlaskClient,
                                                         content_type: object) -> None:
    encoded = base64.b64encode(b"Some text.").decode()
    response = client.post("/process-document", json={"content_base64": encoded,
                                                       "content_type": content_type})
    _assert_error(response, 400, "invalid_option")


def test_invalid_option_in_multipart_form(client: FlaskClient) -> None:
    data = {"file": (io.BytesIO(b"hello world"), "a.txt"), "analyses": "summary,bogus"}
    response = client.post("/process-document", data=data, content_type="multipart/form-data")
    _assert_error(response, 400, "invalid_option")


def test_invalid_base64(client: FlaskClient) -> None:
    response = client.post("/process-document",
                           json={"content_base64": "!!!not base64!!!", "filename": "a.pdf"})
    _assert_error(response, 400, "invalid_base64")


def test_document_too_large_raw(client: FlaskClient, settings: Settings) -> None:
    body = b"a" * (settings.max_document_bytes + 1)
    response = client.post("/process-document", data=body, content_type="text/plain")
    _assert_error(response, 413, "document_too_large")


def test_document_too_large_beyond_the_request_limit(client: FlaskClient,
                                                     settings: Settings) -> None:
    body = b"a" * (settings.max_document_bytes * 2 + 2 * 1024 * 1024)
    response = client.post("/process-document", data=body, content_type="text/plain")
    _assert_error(response, 413, "document_too_large")


def test_document_too_large_base64(client: FlaskClient, settings: Settings) -> None:
    encoded = base64.b64encode(b"a" * (settings.max_document_bytes + 10)).decode()
    response = client.post("/process-document",
                           json={"content_base64": encoded, "filename": "big.txt"})
    _assert_error(response, 413, "document_too_large")


@pytest.mark.parametrize(("content", "filename"), [
    (_zip(), "archive.zip"),
    (_zip(), "report.docx"),  # a ZIP is not a DOCX because of its name
    (EXE, "setup.exe"),
    (EXE, "report.pdf"),
    (PNG, "scan.png"),
    (bytes(range(256)) * 8, "blob.bin"),
])
def test_unsupported_media_type(client: FlaskClient, content: bytes, filename: str) -> None:
    data = {"file": (io.BytesIO(content), filename)}
    response = client.post("/process-document", data=data, content_type="multipart/form-data")
    _assert_error(response, 415, "unsupported_media_type")


def test_unsupported_media_type_raw_body(client: FlaskClient) -> None:
    response = client.post("/process-document", data=PNG, content_type="image/png")
    _assert_error(response, 415, "unsupported_media_type")


def test_queue_unavailable_when_redis_is_down(settings: Settings) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    app = create_app(settings.with_overrides(redis_url=dead, broker_url=dead,
                                             result_backend=dead))
    client = app.test_client()
    pdf = make_pdf(["A page of text."])
    response = client.post("/process-document", data=pdf, content_type="application/pdf")
    _assert_error(response, 503, "queue_unavailable")
    status = client.get("/task-status/0b6b6c2e-2b8c-4f55-9a55-8a1f1e5c2d11")
    _assert_error(status, 503, "queue_unavailable")
    assert client.get("/health/live").status_code == 200
    health = client.get("/health")
    assert health.status_code == 503
    assert health.get_json()["status"] == "down"


def test_unknown_task_is_404(client: FlaskClient) -> None:
    _assert_error(client.get("/task-status/0b6b6c2e-2b8c-4f55-9a55-8a1f1e5c2d11"),
                  404, "task_not_found")
    _assert_error(client.get("/task-status/not-even-a-uuid"), 404, "task_not_found")


def test_unknown_route_is_json_404(client: FlaskClient) -> None:
    _assert_error(client.get("/nothing-here"), 404, "not_found")


def test_wrong_method_is_json_405(client: FlaskClient) -> None:
    response = client.get("/process-document")
    _assert_error(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]
    _assert_error(client.put("/task-status/abc"), 405, "method_not_allowed")


def test_errors_carry_a_request_id(client: FlaskClient) -> None:
    response = client.post("/process-document", json={}, headers={"X-Request-ID": "req-42"})
    assert response.headers["X-Request-ID"] == "req-42"
    generated = client.post("/process-document", json={}).headers["X-Request-ID"]
    assert len(generated) >= 16


def test_error_bodies_are_valid_json_text(client: FlaskClient) -> None:
    text = client.get("/nothing-here").get_data(as_text=True)
    assert json.loads(text)["error"]["code"] == "not_found"


def test_json_nested_past_the_parser_limit_is_invalid_json(client: FlaskClient) -> None:
    body = b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = client.post("/process-document", data=body, content_type="application/json")
    _assert_error(response, 400, "invalid_json")


@pytest.mark.parametrize("text", ["\u00a0\u2003\u3000\u200b", "\u200b" * 1000, " \n\t "])
def test_text_without_words_is_an_empty_document(client: FlaskClient, text: str) -> None:
    _assert_error(client.post("/process-document", json={"text": text}), 400, "empty_document")
    raw = client.post("/process-document", data=text.encode("utf-8") + b"\xe2\x80\x8b",
                      content_type="text/plain")
    _assert_error(raw, 400, "empty_document")


def test_text_and_base64_together_are_ambiguous(client: FlaskClient) -> None:
    response = client.post("/process-document", json={
        "text": "hello there", "content_base64": base64.b64encode(b"other").decode()})
    _assert_error(response, 400, "invalid_option")


def test_options_answers_json(client: FlaskClient) -> None:
    response = client.options("/process-document")
    assert response.status_code == 200 and response.is_json
    assert "POST" in response.get_json()["allow"]


def test_a_large_multipart_text_field_is_a_document_not_a_413(redis_server: RedisServer) -> None:
    """Flask keeps form fields to 500 KB by default; a "text" field is the document, held
    to MAX_DOCUMENT_BYTES like a file. A database no worker reads: nothing runs."""
    url = f"redis://127.0.0.1:{redis_server.port}/9"
    client = create_app(Settings.on_redis(url, log_level="WARNING")).test_client()
    text = "The depot opened a new route to the northern region. " * 12_000  # ~650 KB
    try:
        response = client.post("/process-document", data={"text": text},
                               content_type="multipart/form-data")
        assert response.status_code == 202, response.get_json()
    finally:
        Redis.from_url(url).flushdb()
