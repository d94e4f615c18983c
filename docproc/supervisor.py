"""Several worker processes under one start command (``WORKER_PROCESSES``).

A gevent worker runs on one core however many tasks it holds, and a platform gives a
background worker one start command. So ``worker.py`` starts one worker process per core
and keeps them running: a process that dies is started again. The first SIGTERM, SIGINT or
SIGQUIT is passed on to every process as one SIGTERM, and each shuts down warm (running
tasks finish). Later signals are not passed on: a second one makes Celery shut down cold,
which under gevent acknowledges running tasks without finishing them. For the same reason
the processes are in a session of their own, so a terminal's Ctrl-C reaches them only
through here.

Each process asks the kernel to kill it should the supervisor be killed: a supervisor only
dies of SIGKILL, which means "stop now" for the whole worker (honcho sends it 5 s after
SIGTERM), and a process left behind would hold the terminal's output open and its tasks
past the platform's stop. Their running tasks are redelivered, as after any kill.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import time
from collections.abc import Callable
from types import FrameType

from docproc.lifetime import die_with_parent

log = logging.getLogger(__name__)

# A process that dies sooner than this after its start, this many times in a row, cannot
# start (a bad option, say): starting it again would only loop, so everything stops.
MIN_UPTIME_S = 10.0
QUICK_DEATHS_ALLOWED = 3
RESTART_PAUSE_S = 1.0


class Supervisor:
    """Runs ``command(index)`` for each index, until told to stop."""

    def __init__(self, command: Callable[[int], list[str]], count: int,
                 env: dict[str, str]) -> None:
        self.command = command
        self.count = count
        self.env = env
        self.children: dict[int, tuple[subprocess.Popen[bytes], float]] = {}
        self.quick_deaths: dict[int, int] = {}
        self.stopping = False
        self.exit_code = 0

    def run(self) -> int:
        """Start the processes and supervise them; returns the exit code for the caller."""
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
            signal.signal(signum, self._on_signal)
        for index in range(1, self.count + 1):
            self._start(index)
        while self.children:
            self._reap()
            time.sleep(0.2)
        return self.exit_code

    def _start(self, index: int) -> None:
        if self.stopping:  # a signal came first (during start-up, or a restart's pause)
            return
        process = subprocess.Popen(self.command(index), env=self.env, start_new_session=True,
                                   preexec_fn=die_with_parent)
        self.children[index] = (process, time.monotonic())
        log.info("worker process started", extra={"index": index, "pid": process.pid})
        if self.stopping:  # a signal came while it was starting: it missed the forward
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGTERM)

    def _reap(self) -> None:
        for index, (process, started) in list(self.children.items()):
            code = process.poll()
            if code is None:
                continue
            del self.children[index]
            if self.stopping:
                self.exit_code = self.exit_code or code
                continue
            uptime = time.monotonic() - started
            log.warning("worker process exited", extra={
                "index": index, "pid": process.pid, "code": code, "uptime_s": round(uptime, 1)})
            quick = self.quick_deaths.get(index, 0) + 1 if uptime < MIN_UPTIME_S else 0
            self.quick_deaths[index] = quick
            if quick >= QUICK_DEATHS_ALLOWED:
                self.exit_code = code or 1
                self._stop_all()
                continue
            time.sleep(RESTART_PAUSE_S * max(1, quick))
            self._start(index)  # unless a signal came during the pause

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self.stopping:  # a second signal would make Celery shut down cold: see above
            log.warning("already stopping; kill -9 this process to stop at once",
                        extra={"signal": name})
            return
        log.info("stopping worker processes", extra={"signal": name})
        self._stop_all()

    def _stop_all(self) -> None:
        """One SIGTERM to each process: a warm shutdown, whatever signal came here."""
        self.stopping = True
        for process, _ in list(self.children.values()):
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGTERM)
