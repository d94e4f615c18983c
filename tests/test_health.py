"""Health routes against a real Redis and a real worker."""

from __future__ import annotations

import time

import pytest
from flask.testing import FlaskClient

from tests.conftest import wait_for_final

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("worker")]


def test_health_reports_redis_workers_tasks_and_queue(client: FlaskClient) -> None:
    started = time.monotonic()
    response = client.get("/health")
    assert time.monotonic() - started < 3
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["redis"]["ok"] is True and body["redis"]["latency_ms"] >= 0
    assert body["workers"]["count"] >= 1
    assert all(name.startswith("celery@") for name in body["workers"]["names"])
    assert "docs.process_document" in body["registered_tasks"]
    assert body["queue"]["pending"] >= 0
    assert body["version"]


def test_liveness(client: FlaskClient) -> None:
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_health_is_503_degraded_when_no_worker_answers(settings, redis_server) -> None:
    from main import create_app

    # Another database number: Celery's broadcasts are scoped to it, so no worker hears.
    url = redis_server.url.rsplit("/", 1)[0] + "/5"
    app = create_app(settings.with_overrides(redis_url=url, broker_url=url, result_backend=url))
    started = time.monotonic()
    response = app.test_client().get("/health")
    assert time.monotonic() - started < 3
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "degraded"
    assert body["redis"]["ok"] is True
    assert body["workers"]["count"] == 0


def test_worker_answers_health_checks_while_it_computes(client: FlaskClient) -> None:
    """A long offline analysis (pure CPU) does not stop the worker answering health
    checks; tests/test_offload.py shows the mechanism on its own."""
    paragraph = ("The regional depots expanded quickly while costs fell and customers in "
                 "Bergen, Lisbon and Oslo praised the new delivery routes. ") * 40
    text = "\n\n".join(f"Part {n}. {paragraph}" for n in range(300))
    response = client.post("/process-document", json={"text": text, "engine": "local"})
    status_url = response.get_json()["status_url"]
    deadline = time.monotonic() + 30
    while client.get(status_url).get_json()["state"] != "PROGRESS":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    for _ in range(3):
        started = time.monotonic()
        health = client.get("/health")
        assert health.status_code == 200, health.get_json()
        assert time.monotonic() - started < 3
    assert client.get(status_url).get_json()["state"] == "PROGRESS"  # still computing
    assert wait_for_final(client, status_url, timeout=120)[-1]["state"] == "SUCCESS"
