"""Fixtures over real parts: a private redis-server, a fake OpenAI server, a real Celery
worker process started from ``worker.py``, and the Flask app with its test client."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from docproc.settings import Settings
from main import create_app
from tests.fake_openai import FakeOpenAI
from tests.servers import RedisServer, WorkerProcess

FAKE_API_KEY = "sk-test-fake-key-0123456789"
# Small chunks, so a few pages of text already make a multi-chunk document.
TEST_CHUNK_TOKENS = 1500
TEST_LLM_TIMEOUT_S = 2.0
TEST_RETRY_BASE_S = 0.2
TEST_RETRY_LIMIT = 3
TEST_LLM_CONCURRENCY = 4


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("integration")


@pytest.fixture(scope="session")
def redis_server(workdir: Path) -> Iterator[RedisServer]:
    server = RedisServer(workdir / "redis").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def fake_llm() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture(scope="session")
def worker_env(redis_server: RedisServer, fake_llm: FakeOpenAI) -> dict[str, str]:
    return {
        "REDIS_URL": redis_server.url,
        "CELERY_BROKER_URL": "",
        "CELERY_RESULT_BACKEND": "",
        "OPENAI_API_KEY": FAKE_API_KEY,
        "OPENAI_BASE_URL": fake_llm.base_url,
        "OPENAI_MAX_RETRIES": "0",
        "OPENAI_TIMEOUT_SECONDS": str(TEST_LLM_TIMEOUT_S),
        # Fast backoff, so retry tests take a second, not a minute.
        "LLM_RETRY_BASE_SECONDS": str(TEST_RETRY_BASE_S),
        "LLM_RETRY_MAX_SECONDS": "1.0",
        "LLM_RETRY_LIMIT": str(TEST_RETRY_LIMIT),
        "CHUNK_TOKENS": str(TEST_CHUNK_TOKENS),
        "WORKER_CONCURRENCY": "8",
        "WORKER_PROCESSES": "1",  # tests/test_supervisor.py runs several
        "LLM_MAX_CONCURRENCY": str(TEST_LLM_CONCURRENCY),
        "LOG_LEVEL": "INFO",
    }


@pytest.fixture(scope="session")
def worker(worker_env: dict[str, str], redis_server: RedisServer,
           workdir: Path) -> Iterator[WorkerProcess]:
    process = WorkerProcess(worker_env, workdir / "worker.log").start(redis_server.client())
    yield process
    process.stop()


@pytest.fixture(scope="session")
def settings(redis_server: RedisServer) -> Settings:
    return Settings.on_redis(
        redis_server.url,
        max_document_bytes=2 * 1024 * 1024,
        log_level="WARNING",
    )


@pytest.fixture(scope="session")
def app(settings: Settings) -> Flask:
    return create_app(settings)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def wait_for_final(client: FlaskClient, status_url: str, timeout: float = 60) -> list[dict]:
    """Poll a status URL until the task ends; returns every status body seen, in order."""
    seen: list[dict] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.get(status_url)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        seen.append(body)
        if body["state"] in ("SUCCESS", "FAILURE", "REVOKED"):
            return seen
        time.sleep(0.05)
    raise AssertionError(f"task did not finish within {timeout}s; last status: {seen[-1]}")
