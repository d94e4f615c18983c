"""Real processes for integration tests (and the benchmark): redis-server and a worker.

Each runs on a free loopback port of its own, so tests never touch another Redis and can
stop and restart it for fault tests.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from redis import Redis

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_children() -> dict[int, list[int]]:
    """Every process's direct children, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def descendants(pid: int) -> list[int]:
    """Children of ``pid``, their children, and so on."""
    children = process_children()
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def wait_until(predicate, timeout: float, interval: float = 0.05, what: str = "condition"):
    """Poll ``predicate`` until it returns something truthy, or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


class RedisServer:
    """A private ``redis-server`` on a free port, in its own data directory."""

    def __init__(self, workdir: Path, appendonly: bool = False) -> None:
        if shutil.which("redis-server") is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.port = free_port()
        self.workdir = workdir
        self.appendonly = appendonly
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.workdir.mkdir(parents=True, exist_ok=True)
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--dir", str(self.workdir),
                "--appendonly", "yes" if self.appendonly else "no"]
        log = open(self.workdir / "redis.log", "ab")  # noqa: SIM115 - lives as long as the server
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        client = Redis(port=self.port, socket_timeout=0.5, socket_connect_timeout=0.5)
        wait_until(lambda: self._pings(client), 10, what="redis-server to answer")
        return self

    @staticmethod
    def _pings(client: Redis) -> bool:
        try:
            return bool(client.ping())
        except Exception:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None

    def client(self) -> Redis:
        return Redis(port=self.port, socket_timeout=2)


class WorkerProcess:
    """``python worker.py`` as a real process, with its own environment and log file."""

    def __init__(self, env: dict[str, str], log_path: Path, extra_args: list[str] | None = None):
        self.env = {**os.environ, **env, "PYTHONUNBUFFERED": "1"}
        self.log_path = log_path
        self.extra_args = extra_args or []
        self.process: subprocess.Popen | None = None

    def start(self, broker: Redis, timeout: float = 30) -> WorkerProcess:
        """Start and wait until the worker consumes its queue (it said so in its log)."""
        log = open(self.log_path, "ab")  # noqa: SIM115 - lives as long as the worker
        self._log_offset = log.tell()
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "worker.py"), *self.extra_args],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(self._ready, timeout, interval=0.1, what=f"worker (log: {self.log_path})")
        return self

    def _ready(self) -> bool:
        if self.process and self.process.poll() is not None:
            raise RuntimeError(f"worker exited: {self.log_tail()}")
        with open(self.log_path, "rb") as log:
            log.seek(self._log_offset)
            if b" ready." in log.read():
                return True
        return self._answers_ping()  # quieter log levels do not say "ready"

    def _answers_ping(self) -> bool:
        from celery_config import create_celery_app
        from docproc.settings import Settings

        if not hasattr(self, "_control"):
            self._control = create_celery_app(Settings.from_env(self.env)).control
        try:
            return bool(self._control.ping(timeout=0.3))
        except Exception:
            return False

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def terminate_main(self) -> None:
        """SIGTERM to the main process only, as a platform does: a warm shutdown."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait_exit(self, timeout: float) -> int:
        """The exit code, once the worker (and its pool) has gone."""
        assert self.process is not None
        return self.process.wait(timeout)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.process = None
