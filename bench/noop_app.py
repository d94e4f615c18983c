"""A bare Celery app with a no-op task on the same Redis: the queue's own speed limit.

``REDIS_URL=... celery -A bench.noop_app worker`` serves it; the benchmark measures how many
no-op tasks a second it drains, and compares the service with that.
"""

from __future__ import annotations

import os

from celery import Celery

app = Celery("noop", broker=os.environ.get("REDIS_URL"), backend=os.environ.get("REDIS_URL"))
app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"],
                task_default_queue="noop", worker_hijack_root_logger=False)


@app.task(name="bench.noop")
def noop() -> None:
    """Does nothing: what is measured is Celery and Redis."""
