"""Start the Celery worker with this project's settings: ``python worker.py [celery options]``.

With ``WORKER_PROCESSES`` above 1 (the default for gevent and threads: one per core), this
starts that many worker processes and supervises them (``docproc.supervisor``).
"""

from __future__ import annotations

import os
import sys

from docproc.settings import Settings


def main(argv: list[str] | None = None) -> int:
    """Run the worker until it is stopped; extra arguments go to ``celery worker``."""
    settings = Settings.from_env()
    extra = sys.argv[1:] if argv is None else argv
    if settings.worker_processes > 1:
        return _supervise(settings, extra)
    if settings.worker_pool == "gevent":
        # Before anything opens a socket: Redis, HTTP and threads must all cooperate.
        from gevent import monkey

        monkey.patch_all()
    from celery_config import celery_app

    args = [
        "worker",
        f"--pool={settings.worker_pool}",
        f"--loglevel={settings.log_level}",
        f"--concurrency={settings.worker_concurrency}",
        f"--queues={settings.queue_name}",
        "--without-gossip",
        "--without-mingle",
        *extra,
    ]
    celery_app.worker_main(args)
    return 0


def _supervise(settings: Settings, extra: list[str]) -> int:
    from docproc.logs import configure_logging
    from docproc.supervisor import Supervisor

    configure_logging(settings.log_level)

    def command(index: int) -> list[str]:
        return [sys.executable, os.path.abspath(__file__), f"--hostname=worker{index}@%h",
                *extra]

    env = {**os.environ, "WORKER_PROCESSES": "1"}
    return Supervisor(command, settings.worker_processes, env).run()


if __name__ == "__main__":
    sys.exit(main())
