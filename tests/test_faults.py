"""Nothing lost, nothing stuck: real processes killed, stopped and restarted.

This module has its own redis-server (append-only, so it can be restarted with its data),
its own fake LLM and its own workers, so killing them never disturbs the other tests.
The worker runs with a short visibility timeout and time limit, so redelivery after a
crash and the end of runaway tasks happen within seconds.
"""

from __future__ import annotations

import json
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from celery_config import PROCESS_DOCUMENT, create_celery_app
from docproc.settings import Settings
from main import create_app
from tests.conftest import FAKE_API_KEY, wait_for_final
from tests.fake_openai import FakeOpenAI
from tests.servers import RedisServer, WorkerProcess, wait_until

pytestmark = pytest.mark.integration

VISIBILITY_TIMEOUT_S = 10
TIME_LIMIT_S = 8
CHUNK_TOKENS = 200  # about 800 characters a chunk
CHUNKS = 6
LLM_CONCURRENCY = 2  # chunks analysed at once: the kill lands between pairs


def long_text() -> str:
    """CHUNKS paragraphs of about 700 characters: one chunk each; new text at every call,
    so the result cache never answers for it."""
    body = "The depot network grew across the northern region with new routes and staff. " * 9
    run = uuid.uuid4().hex[:8]
    return "\n\n".join(f"Section {n} marker sec{n}mark. {body} Run {run}."
                       for n in range(1, CHUNKS + 1))


@pytest.fixture(scope="module")
def redis_aof(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("faults") / "redis", appendonly=True).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def llm() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture(autouse=True)
def fresh_llm(llm: FakeOpenAI) -> Iterator[FakeOpenAI]:
    llm.reset()
    llm.latency_s = 0.0
    yield llm
    llm.reset()
    llm.latency_s = 0.0


@pytest.fixture
def start_worker(redis_aof: RedisServer, llm: FakeOpenAI,
                 tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    """Start workers for one test (``start_worker(RESULT_TTL_SECONDS="2")``); all are
    stopped when it ends, whatever state the test left them in."""
    started: list[WorkerProcess] = []

    def start(**overrides: str) -> WorkerProcess:
        env = {
            "REDIS_URL": redis_aof.url, "CELERY_BROKER_URL": "", "CELERY_RESULT_BACKEND": "",
            "OPENAI_API_KEY": FAKE_API_KEY, "OPENAI_BASE_URL": llm.base_url,
            "OPENAI_TIMEOUT_SECONDS": "60", "CHUNK_TOKENS": str(CHUNK_TOKENS),
            "VISIBILITY_TIMEOUT_SECONDS": str(VISIBILITY_TIMEOUT_S),
            "TASK_TIME_LIMIT_SECONDS": str(TIME_LIMIT_S),
            "LLM_RETRY_BASE_SECONDS": "0.2", "LLM_RETRY_MAX_SECONDS": "1",
            "WORKER_CONCURRENCY": "2", "LLM_MAX_CONCURRENCY": str(LLM_CONCURRENCY),
            "WORKER_PROCESSES": "1",  # the process killed here is the one doing the work
            **overrides,
        }
        worker = WorkerProcess(env, tmp_path / f"worker-{len(started)}.log")
        started.append(worker)
        return worker.start(redis_aof.client())

    yield start
    for worker in started:
        worker.stop(signal.SIGKILL)


def make_client(redis: RedisServer, **overrides: object) -> FlaskClient:
    settings = Settings.on_redis(redis.url, log_level="WARNING", **overrides)
    return create_app(settings).test_client()


@pytest.fixture
def client(redis_aof: RedisServer) -> FlaskClient:
    return make_client(redis_aof)


def submit(client: FlaskClient, **json: object) -> str:
    response = client.post("/process-document", json=json)
    assert response.status_code == 202, response.get_json()
    return response.get_json()["status_url"]


def status(client: FlaskClient, url: str) -> dict:
    return client.get(url).get_json()


def wait_for_chunks(client: FlaskClient, url: str, done: int) -> list[dict]:
    """Poll until the task has analysed ``done`` chunks; returns the statuses seen."""
    seen: list[dict] = []

    def reached() -> bool:
        seen.append(status(client, url))
        progress = seen[-1]["progress"]
        return progress["stage"] == "analyzing" and progress["current"] >= done

    wait_until(reached, 30, what=f"{done} chunks analysed")
    return seen


def chunk_calls(llm: FakeOpenAI) -> list[str]:
    """The section markers of the chunk prompts the fake LLM received, in order."""
    markers = []
    for call in llm.calls:
        user = call["messages"][-1]["content"]
        markers += [f"sec{n}mark" for n in range(1, CHUNKS + 1) if f"sec{n}mark." in user
                    and user.startswith("Section")]
    return markers


def test_worker_killed_mid_task_is_redelivered_and_resumes(client: FlaskClient,
                                                            start_worker, llm: FakeOpenAI):
    llm.latency_s = 0.5
    worker = start_worker()
    url = submit(client, text=long_text())
    history = wait_for_chunks(client, url, done=2)
    worker.stop(signal.SIGKILL)  # the whole worker, pool and all: nothing acknowledges
    killed_at = time.monotonic()
    assert status(client, url)["state"] == "PROGRESS"

    start_worker()
    history += wait_for_final(client, url, timeout=60)
    assert history[-1]["state"] == "SUCCESS", history[-1].get("error")
    assert history[-1]["result"]["stats"]["chunks"] == CHUNKS
    # Redelivery is bounded by the visibility timeout plus one restore sweep (1 s here),
    # and the rest of the work (4 chunks and the reduce) takes about 2.5 s.
    assert time.monotonic() - killed_at < VISIBILITY_TIMEOUT_S + 1 + 10
    percents = [s["progress"]["percent"] for s in history]
    assert percents == sorted(percents), percents
    # Resumed: the chunks done before the kill were not paid for again; at most those
    # in flight at the kill were asked twice.
    markers = chunk_calls(llm)
    assert set(markers) == {f"sec{n}mark" for n in range(1, CHUNKS + 1)}
    assert len(markers) <= CHUNKS + LLM_CONCURRENCY, markers


def test_sigterm_lets_the_running_task_finish(client: FlaskClient, start_worker,
                                              llm: FakeOpenAI):
    llm.latency_s = 0.4
    worker = start_worker()
    url = submit(client, text=long_text())
    wait_for_chunks(client, url, done=1)
    worker.terminate_main()  # what Render and honcho send: a warm shutdown
    assert worker.wait_exit(30) == 0, worker.log_tail()
    final = status(client, url)
    assert final["state"] == "SUCCESS", final
    assert len(chunk_calls(llm)) == CHUNKS


def test_redis_outage_fails_fast_and_everything_recovers(redis_aof: RedisServer,
                                                         start_worker):
    start_worker()
    client = make_client(redis_aof)
    before = submit(client, text="Written before the outage. A calm note.", engine="local")
    assert wait_for_final(client, before)[-1]["state"] == "SUCCESS"
    redis_aof.stop()
    try:
        timed = {}
        for name, call in {
            "submit": lambda: client.post("/process-document", json={"text": "x y z"}),
            "status": lambda: client.get(before),
            "health": lambda: client.get("/health"),
            "live": lambda: client.get("/health/live"),
        }.items():
            started = time.monotonic()
            response = call()
            timed[name] = (response.status_code, time.monotonic() - started,
                           response.get_json())
        assert timed["submit"][0] == 503 and timed["submit"][1] < 2, timed["submit"]
        assert timed["submit"][2]["error"]["code"] == "queue_unavailable"
        assert timed["status"][0] == 503 and timed["status"][1] < 2, timed["status"]
        assert timed["status"][2]["error"]["code"] == "queue_unavailable"
        assert timed["health"][0] == 503 and timed["health"][1] < 3, timed["health"]
        assert timed["health"][2]["status"] == "down"
        assert timed["live"][0] == 200 and timed["live"][1] < 1, timed["live"]
    finally:
        redis_aof.start()

    # Neither the web app nor the worker is restarted: both reconnect by themselves.
    def accepted() -> str | None:
        response = client.post("/process-document",
                               json={"text": "Written after the outage.", "engine": "local"})
        return response.get_json()["status_url"] if response.status_code == 202 else None

    after = wait_until(accepted, 15, interval=0.5, what="submissions to be accepted again")
    assert wait_for_final(client, after, timeout=60)[-1]["state"] == "SUCCESS"
    assert status(client, before)["state"] == "SUCCESS"  # kept across the restart (AOF)
    wait_until(lambda: client.get("/health").status_code == 200, 15, what="health ok")


def test_documents_queued_before_a_redis_restart_are_processed(redis_aof: RedisServer,
                                                               start_worker):
    client = make_client(redis_aof)
    urls = [submit(client, text=f"Queued note number {n}. All is well.", engine="local")
            for n in range(3)]
    redis_aof.stop()  # no worker is running: the messages wait in the queue
    redis_aof.start()
    start_worker()
    for url in urls:
        assert wait_for_final(client, url, timeout=60)[-1]["state"] == "SUCCESS"


def test_runaway_task_ends_in_a_failure_that_says_so(client: FlaskClient, start_worker,
                                                     llm: FakeOpenAI, redis_aof: RedisServer):
    redis_aof.client().flushdb()  # nothing left by earlier tests may reach the LLM first
    start_worker()
    llm.latency_s = 60  # the LLM never answers in time
    started = time.monotonic()
    final = wait_for_final(client, submit(client, text="A short text."), timeout=30)[-1]
    assert final["state"] == "FAILURE"
    assert final["error"]["type"] == "TaskTimedOut"
    assert "time limit" in final["error"]["message"]
    assert time.monotonic() - started < TIME_LIMIT_S + 5


def test_keys_return_to_baseline_after_many_tasks(redis_aof: RedisServer, start_worker):
    ttl = 5
    redis = redis_aof.client()
    redis.flushdb()  # what earlier tests left has a day's TTL; the worker declares its queue
    start_worker(RESULT_TTL_SECONDS=str(ttl))
    client = make_client(redis_aof, result_ttl_seconds=ttl)
    time.sleep(1)
    baseline = redis.dbsize()
    urls = [submit(client, text=f"Note {n}: the meeting went well.", engine="local")
            for n in range(25)]
    pending = set(urls)
    while pending:  # poll them all in turn: a record lives only ttl seconds
        url = pending.pop()
        body = status(client, url)
        if body["state"] != "SUCCESS":
            assert body["state"] in ("PENDING", "PROGRESS"), body
            pending.add(url)
    assert redis.dbsize() > baseline
    wait_until(lambda: redis.dbsize() <= baseline, ttl + 10, interval=0.5,
               what=f"keys back to {baseline} (now {redis.dbsize()}: {_docproc_keys(redis)})")
    assert client.get(urls[0]).status_code == 404  # expired, not an eternal PENDING


def _docproc_keys(redis) -> list[bytes]:
    return [k for k in redis.keys("*") if b"binding" not in k][:10]


def test_same_message_twice_gives_one_consistent_result(client: FlaskClient, start_worker,
                                                         redis_aof: RedisServer,
                                                         llm: FakeOpenAI):
    start_worker()
    url = submit(client, text=long_text())
    task_id = url.rsplit("/", 1)[1]
    final = wait_for_final(client, url, timeout=60)[-1]
    assert final["state"] == "SUCCESS"
    calls = len(llm.calls)

    # The broker hands the same message out again (as after a visibility timeout).
    celery = create_celery_app(Settings.on_redis(redis_aof.url))
    celery.send_task(PROCESS_DOCUMENT, args=[task_id], task_id=task_id, queue="documents")
    wait_until(lambda: redis_aof.client().llen("documents") == 0, 10, what="queue drained")
    time.sleep(1)
    again = status(client, url)
    assert again["state"] == "SUCCESS"
    assert again["result"] == final["result"]  # not recomputed, not overwritten
    assert len(llm.calls) == calls  # and the LLM was not paid again


def test_concurrent_duplicates_share_the_analysed_chunks(client: FlaskClient, start_worker,
                                                         redis_aof: RedisServer,
                                                         llm: FakeOpenAI):
    llm.latency_s = 0.3
    worker = start_worker()
    url = submit(client, text=long_text())
    task_id = url.rsplit("/", 1)[1]
    wait_for_chunks(client, url, done=3)
    celery = create_celery_app(Settings.on_redis(redis_aof.url))
    celery.send_task(PROCESS_DOCUMENT, args=[task_id], task_id=task_id, queue="documents")
    final = wait_for_final(client, url, timeout=60)[-1]
    assert final["state"] == "SUCCESS"
    wait_until(lambda: redis_aof.client().llen("documents") == 0, 10, what="queue drained")
    time.sleep(3)  # let the duplicate finish too
    settled = status(client, url)
    assert settled["state"] == "SUCCESS"
    for key in ("summary", "keywords", "entities", "stats"):
        assert settled["result"][key] == final["result"][key]
    # The duplicate reused the chunks already analysed: far fewer than twice the calls.
    assert len(chunk_calls(llm)) <= CHUNKS + 2 * LLM_CONCURRENCY, chunk_calls(llm)
    assert "Traceback" not in worker.log_tail(200)


def test_redis_outage_mid_task_is_waited_out(client: FlaskClient, start_worker,
                                             redis_aof: RedisServer, llm: FakeOpenAI):
    llm.latency_s = 0.5
    start_worker()
    url = submit(client, text=long_text())
    history = wait_for_chunks(client, url, done=2)
    redis_aof.stop()
    time.sleep(3)  # the task's LLM calls go on; its Redis writes fail meanwhile
    redis_aof.start()
    history += wait_for_final(client, url, timeout=90)
    assert history[-1]["state"] == "SUCCESS", history[-1].get("error")
    percents = [s["progress"]["percent"] for s in history]
    assert percents == sorted(percents), percents


def test_a_message_lost_by_the_broker_is_sent_again(client: FlaskClient, start_worker,
                                                    redis_aof: RedisServer):
    """Kombu can drop a message when a worker dies between taking it off the queue and
    recording it as unacknowledged; the sweep finds the never-started task and sends it
    again."""
    redis = redis_aof.client()
    redis.flushdb()
    url = submit(client, text="A note whose message the broker loses.", engine="local")
    assert redis.delete("documents") == 1  # the message vanishes; record and bytes remain
    start_worker()
    final = wait_for_final(client, url, timeout=VISIBILITY_TIMEOUT_S + 20)[-1]
    assert final["state"] == "SUCCESS", final
    assert redis.zcard("docproc:unfinished") == 0


def test_a_long_queue_is_not_mistaken_for_lost_messages(redis_aof: RedisServer):
    from celery_config import requeue_lost
    from docproc.store import TaskStore

    redis = redis_aof.client()
    redis.flushdb()
    client = make_client(redis_aof)
    urls = [submit(client, text=f"Waiting note {n}.", engine="local") for n in range(3)]
    settings = Settings.on_redis(redis_aof.url, visibility_timeout_s=10, task_time_limit_s=8)
    store = TaskStore(redis, settings.result_ttl_seconds)
    redis.zadd("docproc:unfinished", {u.rsplit("/", 1)[1]: 1.0 for u in urls})  # long ago
    celery = create_celery_app(settings)
    assert requeue_lost(celery, store, settings, redis) == []  # all still in the queue
    assert redis.llen("documents") == 3


def test_a_started_task_whose_message_is_gone_is_sent_again(redis_aof: RedisServer):
    """A cold shutdown under gevent acknowledges running tasks it never finished: the
    task has started, its message is neither queued nor held, and it must not stay in
    PROGRESS for ever. One still held by a worker (in ``unacked``) is left alone."""
    from celery_config import requeue_lost
    from docproc.store import TaskStore

    redis = redis_aof.client()
    redis.flushdb()
    client = make_client(redis_aof)
    gone, held = (submit(client, text=f"Started note {n} {uuid.uuid4()}.", engine="local")
                  .rsplit("/", 1)[1] for n in range(2))
    settings = Settings.on_redis(redis_aof.url, visibility_timeout_s=10, task_time_limit_s=8)
    store = TaskStore(redis, settings.result_ttl_seconds)
    store.set_progress(gone, {"percent": 40.0, "stage": "analyzing"}, started_at="then")
    messages = redis.lrange("documents", 0, -1)
    redis.delete("documents")  # both taken by a worker; only one is still recorded
    held_message = next(m for m in messages if held.encode() in m)
    redis.hset("unacked", "tag-1", json.dumps([json.loads(held_message), "", "documents"]))
    redis.zadd("docproc:unfinished", {gone: 1.0, held: 1.0})  # long ago
    assert requeue_lost(create_celery_app(settings), store, settings, redis) == [gone]
    assert [gone.encode() in m for m in redis.lrange("documents", 0, -1)] == [True]


def test_a_status_whose_record_expired_under_a_late_write_is_404(redis_aof: RedisServer):
    """A worker's progress or finish write after the record expired leaves a hash with
    only those fields: that is no record, and the answer is 404, not a 500."""
    redis = redis_aof.client()
    task_id = str(uuid.uuid4())
    redis.hset(f"docproc:task:{task_id}", mapping={"finished_at": json.dumps("2026-01-01")})
    response = make_client(redis_aof).get(f"/task-status/{task_id}")
    assert response.status_code == 404, response.get_json()
    assert response.get_json()["error"]["code"] == "task_not_found"
