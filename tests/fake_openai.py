"""A fake OpenAI-compatible server (stdlib only), so the real SDK can be tested offline.

By default every chat completion gets a VALID answer for the json_schema the request
carried, derived from the user message so a test can see its text went through. A test
scripts failures with ``fail_next`` / ``reply_next`` / ``malformed_next`` /
``disconnect_next``; they are served in arrival order, then the default resumes.

Also a script, for benchmarks: ``python -m tests.fake_openai --port 8999 --latency 1.0``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import signal
import socket
import sys
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MALFORMED_JSON = '{"summary": "this answer stops in the middle'
SCHEMA_VIOLATION = '{"unexpected": "an object without any of the requested keys"}'


@dataclass
class Scripted:
    """One scripted reply: an HTTP error, a given message content, or a dropped connection."""

    status: int = 200
    body: Any = None  # error body (dict or str); with status 200, a raw non-completion body
    headers: dict[str, str] = field(default_factory=dict)
    content: str | None = None  # message content when status == 200
    finish_reason: str = "stop"
    disconnect: bool = False
    delay_s: float = 0.0


def _error_body(message: str, type_: str, code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": None, "code": code}}


def _user_text(messages: list[Any]) -> str:
    """The last user message as text (content may be a string or a list of parts)."""
    for message in reversed(messages):
        if not isinstance(message, dict) or message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, list):
            return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
        return content if isinstance(content, str) else ""
    return ""


def _prompt_chars(messages: list[Any]) -> int:
    return sum(len(json.dumps(m.get("content", ""))) for m in messages if isinstance(m, dict))


_WORD = re.compile(r"[^\W\d_][\w'-]*")


def _derived(name: str, text: str) -> Any:
    """Content for a well-known result key, derived from the user message."""
    words = text.split()
    if name == "summary":
        return "Summary: " + " ".join(words[:12])
    if name == "key_points":
        first = re.split(r"(?<=[.!?])\s+", text.strip(), maxsplit=1)[0]
        return [first[:300]] if first else []
    if name == "keywords":
        counts = Counter(w.lower() for w in _WORD.findall(text) if len(w) >= 5)
        return [w for w, _ in counts.most_common(3)]
    if name == "entities":
        counts = Counter(w for w in _WORD.findall(text) if w[0].isupper())
        return [{"text": w, "type": "OTHER", "count": n} for w, n in counts.most_common(50)]
    if name == "sentiment":
        return {"label": "neutral", "score": 0.0}
    if name == "language":
        return "en"
    if name == "topics":
        return ["General"]
    return None


def _generic(schema: dict[str, Any]) -> Any:
    """A value of the schema's type, for keys the fake knows nothing about."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    kind = kind[0] if isinstance(kind, list) else kind
    if kind == "object":
        return {k: _generic(v) for k, v in schema.get("properties", {}).items()}
    return {"string": "text", "number": 0.0, "integer": 1, "boolean": False, "array": []}.get(kind)


def answer_for(schema: dict[str, Any] | None, text: str) -> dict[str, Any]:
    """A valid answer for ``schema``: each required property, derived from ``text``."""
    if not schema:
        return {"summary": _derived("summary", text)}
    properties = schema.get("properties", {})
    out = {}
    for name in schema.get("required", list(properties)):
        value = _derived(name, text)
        out[name] = _generic(properties.get(name, {})) if value is None else value
    return out


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # keep-alive connections must not hold up stop()
    request_queue_size = 256  # the default backlog of 5 drops bursts of connections
    fake: FakeOpenAI

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hung up (or stop() cutting a connection) is not worth a traceback.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's connection pool expects
    server: _Server
    timeout = 60  # an idle keep-alive connection frees its thread eventually

    def log_message(self, format: str, *args: Any) -> None:
        pass  # tests stay quiet

    def setup(self) -> None:
        super().setup()
        self.server.fake._track(self.connection, add=True)

    def finish(self) -> None:
        self.server.fake._track(self.connection, add=False)
        super().finish()

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-request-id", f"req_{uuid.uuid4().hex[:16]}")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _authorised(self) -> bool:
        expected = self.server.fake.api_key
        if expected is None or self.headers.get("Authorization") == f"Bearer {expected}":
            return True
        # Unlike the real API, never echo the key back, even masked.
        message = "Incorrect API key provided."
        self._send(401, _error_body(message, "invalid_request_error", "invalid_api_key"))
        return False

    def do_GET(self) -> None:
        fake = self.server.fake
        fake._log_request("GET", self.path, dict(self.headers), None)
        if not self._authorised():
            return
        if self.path.rstrip("/") == "/v1/models":
            model = {"id": fake.model, "object": "model", "created": 0, "owned_by": "fake"}
            self._send(200, {"object": "list", "data": [model]})
        else:
            self._send(404, _error_body(f"Unknown path {self.path}", "invalid_request_error"))

    def do_POST(self) -> None:
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = None
        fake._log_request("POST", self.path, dict(self.headers), body)
        if not self._authorised():
            return
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send(404, _error_body(f"Unknown path {self.path}", "invalid_request_error"))
            return
        if not isinstance(body, dict) or "model" not in body or "messages" not in body:
            msg = "The body must be a JSON object with 'model' and 'messages'."
            self._send(400, _error_body(msg, "invalid_request_error"))
            return
        fake._record_call(body)
        scripted = fake._next_scripted()
        with fake._in_flight():
            fake._sleep(fake.latency_s + (scripted.delay_s if scripted else 0.0))
        if (scripted and scripted.disconnect) or fake._stopping.is_set():
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if scripted and (scripted.status != 200 or scripted.body is not None):
            error = scripted.body
            if error is None:
                error = _error_body(f"Scripted error {scripted.status}", "server_error")
            data = error.encode() if isinstance(error, str) else error
            self._send(scripted.status, data, scripted.headers)
            return
        self._send(200, fake._completion(body, scripted), scripted.headers if scripted else None)


class FakeOpenAI:
    """An OpenAI-compatible HTTP server on 127.0.0.1 in a daemon thread.

    ``calls`` are the JSON bodies of chat completion requests received (a snapshot list);
    ``requests`` are (method, path, headers with lower-case names, body) of every request.
    With ``api_key`` set, any other bearer token gets a 401, as the real API would.
    """

    def __init__(
        self,
        latency_s: float = 0.0,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str | None = None,
        model: str = "fake-model",
    ) -> None:
        self.latency_s = latency_s
        self.api_key = api_key
        self.model = model
        self._address = (host, port)
        self._lock = threading.Lock()
        self._calls: list[dict[str, Any]] = []
        self._call_times: list[float] = []
        self._busy = 0
        self.max_in_flight = 0  # most chat completions being answered at the same time
        self._requests: list[tuple[str, str, dict[str, str], Any]] = []
        self._script: deque[Scripted] = deque()
        self._connections: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> str:
        """Start serving; return the base_url to give the SDK."""
        if self._server is None:
            self._stopping.clear()
            self._server = _Server(self._address, _Handler)
            self._server.fake = self
            self._thread = threading.Thread(
                target=self._server.serve_forever, name="fake-openai", daemon=True
            )
            self._thread.start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving and drop open connections (so no pooled connection outlives it)."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeOpenAI:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeOpenAI is not started")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self._address[0]}:{self.port}/v1"

    # -- what it received ----------------------------------------------------------------
    @property
    def calls(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._calls)

    @property
    def call_times(self) -> list[float]:
        """``time.monotonic()`` at which each chat completion arrived."""
        with self._lock:
            return list(self._call_times)

    @property
    def requests(self) -> list[tuple[str, str, dict[str, str], Any]]:
        with self._lock:
            return list(self._requests)

    def reset(self) -> None:
        """Forget received requests and pending scripted replies."""
        with self._lock:
            self._calls.clear()
            self._call_times.clear()
            self.max_in_flight = 0
            self._requests.clear()
            self._script.clear()

    # -- scripting -----------------------------------------------------------------------
    def script(self, *replies: Scripted) -> None:
        """Queue replies for the next chat completions, in arrival order."""
        with self._lock:
            self._script.extend(replies)

    def fail_next(
        self,
        n: int = 1,
        status: int = 500,
        body: dict[str, Any] | str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """The next ``n`` chat completions fail with ``status`` (e.g. 429 + Retry-After)."""
        if body is None:
            kind = {401: "invalid_request_error", 429: "rate_limit_error"}.get(status)
            body = _error_body(f"Scripted error {status}", kind or "server_error")
        self.script(*(Scripted(status, body, dict(headers or {})) for _ in range(n)))

    def reply_next(self, content: str, n: int = 1, finish_reason: str = "stop") -> None:
        """The next ``n`` chat completions answer exactly ``content``."""
        self.script(*(Scripted(content=content, finish_reason=finish_reason) for _ in range(n)))

    def malformed_next(self, n: int = 1, kind: str = "json") -> None:
        """The next ``n`` answers are not JSON (``kind="json"``) or miss the schema ("schema")."""
        if kind not in ("json", "schema"):
            raise ValueError("kind must be 'json' or 'schema'")
        self.reply_next(MALFORMED_JSON if kind == "json" else SCHEMA_VIOLATION, n)

    def disconnect_next(self, n: int = 1) -> None:
        """The next ``n`` chat completions get the connection closed without an answer."""
        self.script(*(Scripted(disconnect=True) for _ in range(n)))

    # -- used by the handler -------------------------------------------------------------
    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            (self._connections.add if add else self._connections.discard)(conn)

    def _log_request(self, method: str, path: str, headers: dict[str, str], body: Any) -> None:
        with self._lock:
            lowered = {name.lower(): value for name, value in headers.items()}
            self._requests.append((method, path, lowered, body))

    def _record_call(self, body: dict[str, Any]) -> None:
        with self._lock:
            self._calls.append(body)
            self._call_times.append(time.monotonic())

    @contextlib.contextmanager
    def _in_flight(self) -> Iterator[None]:
        with self._lock:
            self._busy += 1
            self.max_in_flight = max(self.max_in_flight, self._busy)
        try:
            yield
        finally:
            with self._lock:
                self._busy -= 1

    def _next_scripted(self) -> Scripted | None:
        with self._lock:
            return self._script.popleft() if self._script else None

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)

    def _completion(self, body: dict[str, Any], scripted: Scripted | None) -> dict[str, Any]:
        messages = body.get("messages") or []
        if scripted is not None and scripted.content is not None:
            content = scripted.content
        else:
            fmt = body.get("response_format") or {}
            text = _user_text(messages)
            if fmt.get("type") == "json_schema":
                schema = (fmt.get("json_schema") or {}).get("schema")
                content = json.dumps(answer_for(schema, text))
            elif fmt.get("type") == "json_object":
                content = json.dumps(answer_for(None, text))
            else:
                content = _derived("summary", text)
        prompt_tokens = max(1, _prompt_chars(messages) // 4)
        completion_tokens = max(1, len(content) // 4)
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", self.model),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content, "refusal": None},
                    "logprobs": None,
                    "finish_reason": scripted.finish_reason if scripted else "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
            "system_fingerprint": "fp_fake",
        }


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted; print the base_url on stdout."""
    parser = argparse.ArgumentParser(description="A fake OpenAI-compatible server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8999)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per completion")
    parser.add_argument("--api-key", default=None, help="require this bearer token")
    args = parser.parse_args(argv)
    fake = FakeOpenAI(args.latency, host=args.host, port=args.port, api_key=args.api_key)
    try:
        print(fake.start(), flush=True)
    except OSError as exc:
        print(f"fake_openai: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
