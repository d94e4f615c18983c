"""The processes a benchmark run needs, each on a free loopback port: Redis, the fake LLM,
a worker (of any configuration), gunicorn (with the Procfile's settings), a no-op worker."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.servers import (
    ROOT,
    RedisServer,
    WorkerProcess,
    descendants,
    free_port,
    wait_until,
)

__all__ = ["ROOT", "Gunicorn", "RedisServer", "Service", "WorkerProcess", "fake_llm",
           "free_port", "noop_worker", "resident_kib", "wait_until"]


class Service:
    """A background process with its output in a log file; stopped (whole group) on exit."""

    def __init__(self, args: list[str], log: Path, env: dict[str, str] | None = None) -> None:
        self.log = log
        with open(log, "ab") as out:
            self.process = subprocess.Popen(args, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                            env={**os.environ, **(env or {})},
                                            start_new_session=True)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(5)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status < 500
    except OSError:
        return False


def fake_llm(latency_s: float, log: Path) -> tuple[Service, str]:
    """The fake OpenAI server in a process of its own (never in the load generator's)."""
    port = free_port()
    service = Service([sys.executable, "-m", "tests.fake_openai", "--port", str(port),
                       "--latency", str(latency_s)], log)
    base_url = f"http://127.0.0.1:{port}/v1"
    wait_until(lambda: _answers(f"{base_url}/models"), 15, what="fake LLM")
    return service, base_url


def procfile_web_command() -> str:
    """The web line of the Procfile: the benchmark serves both apps exactly as deployed."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return line.split(":", 1)[1].strip()
    raise RuntimeError("Procfile has no web line")


class Gunicorn(Service):
    """``app`` (e.g. ``main:app``) under the Procfile's gunicorn settings, on a free port."""

    def __init__(self, app: str, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        command = procfile_web_command().replace("main:app", app)
        command = re.sub(r"\$\{PORT:-\d+\}", str(self.port), command)
        command = re.sub(r"\$\{WEB_CONCURRENCY:-(\d+)\}", r"\1", command)
        command = command.replace("0.0.0.0", "127.0.0.1")
        args = command.split()
        args[0] = str(Path(sys.executable).with_name("gunicorn"))
        super().__init__(args, log, env)
        self.url = f"http://127.0.0.1:{self.port}"
        wait_until(lambda: _answers(f"{self.url}/health/live") or _answers(f"{self.url}/hello"),
                   30, what=f"gunicorn {app}")


def noop_worker(redis_url: str, log: Path, concurrency: int) -> Service:
    """A bare Celery worker for ``bench.noop_app`` (prefork, as plain Celery runs)."""
    args = [sys.executable, "-m", "celery", "-A", "bench.noop_app", "worker", "-Q", "noop",
            f"--concurrency={concurrency}", "--without-gossip", "--without-mingle",
            "--loglevel=WARNING"]
    return Service(args, log, {"REDIS_URL": redis_url})


def resident_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants, in KiB (from /proc)."""
    total = 0
    for child in [pid, *descendants(pid)]:
        try:
            status = Path(f"/proc/{child}/status").read_text()
        except OSError:
            continue
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        total += int(match.group(1)) if match else 0
    return total
