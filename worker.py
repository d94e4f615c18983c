"""Start a Celery worker with this project's settings: ``python worker.py [celery options]``."""

from __future__ import annotations

import sys

from docproc.settings import Settings


def main(argv: list[str] | None = None) -> int:
    """Run the worker until it is stopped; extra arguments go to ``celery worker``."""
    settings = Settings.from_env()
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
        *(sys.argv[1:] if argv is None else argv),
    ]
    celery_app.worker_main(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
