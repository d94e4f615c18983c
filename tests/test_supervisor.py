"""``WORKER_PROCESSES``: one start command, several worker processes, kept running.

Real processes on a Redis database of their own (so the session's worker never takes
these documents): they share the queue, a killed one is replaced, a signal stops them all.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from celery_config import create_celery_app
from docproc.settings import Settings
from main import create_app
from tests.conftest import wait_for_final
from tests.servers import ROOT, RedisServer, WorkerProcess, process_children, wait_until

pytestmark = pytest.mark.integration

DB = 7


def children(pid: int) -> list[int]:
    return sorted(process_children().get(pid, []))


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture
def url(redis_server: RedisServer) -> str:
    return f"redis://127.0.0.1:{redis_server.port}/{DB}"


@pytest.fixture
def supervised(worker_env: dict[str, str], url: str, redis_server: RedisServer,
               tmp_path: Path) -> Iterator[WorkerProcess]:
    env = {**worker_env, "REDIS_URL": url, "WORKER_PROCESSES": "2"}
    worker = WorkerProcess(env, tmp_path / "supervised.log").start(redis_server.client())
    yield worker
    for pid in children(worker.process.pid) if worker.process else []:
        os.kill(pid, signal.SIGKILL)
    worker.stop(signal.SIGKILL)


def names_answering(url: str) -> set[str]:
    replies = create_celery_app(Settings.on_redis(url)).control.ping(timeout=1.0) or []
    return {name.split("@")[0] for reply in replies for name in reply}


def wait_for_both(url: str) -> None:
    wait_until(lambda: names_answering(url) == {"worker1", "worker2"}, 30,
               what="worker1 and worker2 answering")


def client_on(url: str) -> FlaskClient:
    return create_app(Settings.on_redis(url, log_level="WARNING")).test_client()


def submit(client: FlaskClient, text: str) -> str:
    response = client.post("/process-document", json={"text": text, "engine": "local"})
    assert response.status_code == 202, response.get_json()
    return response.get_json()["status_url"]


def test_the_processes_share_the_queue_and_stop_together(supervised: WorkerProcess, url: str):
    wait_for_both(url)
    client = client_on(url)
    urls = [submit(client, f"Note {n} of the supervised run: the depot opened {time.time()}.")
            for n in range(6)]
    for status_url in urls:
        assert wait_for_final(client, status_url, timeout=60)[-1]["state"] == "SUCCESS"
    pids = children(supervised.process.pid)
    assert len(pids) == 2
    supervised.terminate_main()
    assert supervised.wait_exit(30) == 0
    wait_until(lambda: not any(alive(pid) for pid in pids), 10, what="children gone")


def test_a_killed_process_is_replaced(supervised: WorkerProcess, url: str):
    wait_for_both(url)
    first, second = children(supervised.process.pid)
    os.kill(first, signal.SIGKILL)
    wait_until(lambda: len(children(supervised.process.pid)) == 2
               and first not in children(supervised.process.pid), 30, what="a replacement")
    wait_for_both(url)
    assert second in children(supervised.process.pid)
    client = client_on(url)
    final = wait_for_final(client, submit(client, f"After the replacement {time.time()}."))
    assert final[-1]["state"] == "SUCCESS"


def test_the_processes_do_not_outlive_a_killed_supervisor(supervised: WorkerProcess, url: str):
    wait_for_both(url)
    pids = children(supervised.process.pid)
    supervised.process.send_signal(signal.SIGKILL)
    supervised.process.wait(10)
    wait_until(lambda: not any(alive(pid) for pid in pids), 30, what="orphans gone")


def test_a_process_that_cannot_start_stops_the_supervisor(worker_env: dict[str, str], url: str,
                                                         tmp_path: Path):
    env = {**os.environ, **worker_env, "REDIS_URL": url, "WORKER_PROCESSES": "2"}
    with open(tmp_path / "bad.log", "wb") as log:
        process = subprocess.Popen([sys.executable, str(ROOT / "worker.py"), "--no-such-option"],
                                   cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            assert process.wait(30) != 0
        finally:
            process.kill()
    assert "no-such-option" in (tmp_path / "bad.log").read_text()


def test_a_second_signal_is_not_passed_on(supervised: WorkerProcess, url: str):
    """Two Ctrl-Cs would make Celery shut down cold, which under gevent acknowledges
    running tasks without finishing them: only the first signal reaches the processes."""
    wait_for_both(url)
    pids = children(supervised.process.pid)
    supervised.process.send_signal(signal.SIGINT)
    time.sleep(0.2)
    supervised.process.send_signal(signal.SIGINT)
    assert supervised.wait_exit(30) == 0
    assert "already stopping" in supervised.log_tail(200)
    assert "Cold shutdown" not in supervised.log_tail(200)
    wait_until(lambda: not any(alive(pid) for pid in pids), 10, what="children gone")
