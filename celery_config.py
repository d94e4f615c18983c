"""The Celery app, configured from the environment through ``docproc.settings``.

``celery -A celery_config worker`` and ``python worker.py`` both use ``celery_app``; the
web app builds its own instance with ``create_celery_app(settings)`` and sends tasks by
name, so it never imports the task code.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

from celery import Celery, signals

from docproc.gc_tuning import tune_for_server
from docproc.logs import configure_logging
from docproc.settings import Settings
from docproc.store import TaskStore, connect

PROCESS_DOCUMENT = "docs.process_document"
QUEUE_SCAN_LIMIT = 10_000  # messages; reading a longer queue every sweep costs Redis too much
LOOK_AGAIN_S = 0.5
log = logging.getLogger(__name__)


def create_celery_app(settings: Settings) -> Celery:
    """A Celery app on Redis: JSON only, late acks, a small prefetch."""
    app = Celery("docproc", broker=settings.broker_url, backend=settings.result_backend)
    app.docproc_settings = settings  # the worker's sweep runs with what the app was built with
    app.conf.update(
        include=["tasks"],
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        task_default_queue=settings.queue_name,
        task_routes={PROCESS_DOCUMENT: {"queue": settings.queue_name}},
        # A task is acknowledged only once it has finished, and put back in the queue
        # when its worker dies, so a crash never loses a document.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=settings.prefetch_multiplier,
        # The soft limit raises in the task (a clean FAILURE); the hard one kills the
        # process, for work stuck in C code (a pathological PDF) that never sees the first.
        task_time_limit=settings.task_time_limit_s,
        task_soft_time_limit=settings.soft_time_limit_s,
        result_expires=settings.result_ttl_seconds,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=settings.redis_timeout_s,
        broker_transport_options={
            # A message its worker never acknowledged (the worker was killed) goes back
            # to the queue once it is this old; the sweep looks every restore interval,
            # so redelivery takes at most visibility_timeout + that interval.
            "visibility_timeout": settings.visibility_timeout_s,
            "unacked_restore_interval": settings.restore_interval_s,
            "unacked_restore_throttle": 1,
            # The sweep's lock: Kombu keeps it 300 s, so a sweep cut short by a Redis
            # stall would block redelivery that long.
            "unacked_mutex_expire": max(10, settings.restore_interval_s * 3),
            "socket_timeout": settings.redis_timeout_s,
            "socket_connect_timeout": settings.redis_timeout_s,
            "max_connections": settings.broker_pool_size,
        },
        result_backend_transport_options={
            "socket_timeout": settings.redis_timeout_s * 5,
            "socket_connect_timeout": settings.redis_timeout_s,
        },
        redis_socket_timeout=settings.redis_timeout_s * 5,
        redis_socket_connect_timeout=settings.redis_timeout_s,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )
    return app


def enqueue_document(app: Celery, task_id: str, queue: str) -> None:
    """Publish the document task for ``task_id``: Celery's own message, sent without what
    ``send_task`` adds for a caller that will wait on the result (a pub/sub subscription
    to it, dropped again when the AsyncResult is collected: two more Redis commands per
    submission). Nothing here waits on results; they are read from their keys. Straight
    to the queue (the anonymous exchange): a named one costs a lookup of its bindings."""
    message = app.amqp.create_task_message(task_id, PROCESS_DOCUMENT, [task_id], {})
    with app.producer_or_acquire() as producer:
        app.amqp.send_task_message(producer, PROCESS_DOCUMENT, message, queue=queue,
                                   exchange="", routing_key=queue, retry=False)


@signals.worker_process_init.connect  # each prefork child, after the fork
@signals.worker_ready.connect  # the worker itself (under gevent or threads, the only process)
def _tune_gc(**_: Any) -> None:
    tune_for_server()


@signals.worker_ready.connect
def _start_redelivery_sweep(sender: Any = None, **_: Any) -> None:
    """Kombu sweeps unacknowledged messages back into the queue only from the prefork
    event loop; under gevent it never does, and a killed worker's task would wait forever.
    So every worker sweeps on its own, every ``restore_interval_s`` (the sweep holds a
    Redis lock, so several workers never restore one message twice)."""
    app = sender.app
    thread = threading.Thread(target=_sweep_forever, args=(app, app.docproc_settings),
                              name="redelivery-sweep", daemon=True)
    thread.start()


def _sweep_forever(app: Celery, settings: Settings) -> None:
    interval = settings.restore_interval_s
    store = TaskStore(connect(settings.redis_url, settings.redis_timeout_s * 5),
                      settings.result_ttl_seconds)
    while True:
        try:
            with app.connection_for_read() as connection:
                channel = connection.default_channel
                while True:
                    channel.qos.restore_visible(num=100, interval=1)
                    requeue_lost(app, store, settings, channel.client)
                    time.sleep(interval)
        except Exception as exc:  # Redis away: try again after a pause
            log.warning("redelivery sweep failed", extra={"error": type(exc).__name__})
            time.sleep(interval)


def requeue_lost(app: Celery, store: TaskStore, settings: Settings, redis: Any) -> list[str]:
    """Send again the unfinished tasks whose message is neither held by a worker (reserved
    or running: Kombu's ``unacked``) nor waiting in the queue: Kombu lost it (a worker
    killed, or its connection dropped, between taking it off the queue and recording it),
    or a cold shutdown acknowledged a task it never finished. Returns their ids."""
    cutoff = time.time() - settings.lost_message_after_s
    stale = store.unfinished_before(cutoff)
    if not stale or not redis.set("docproc:requeue-lock", "1", nx=True,
                                  ex=settings.restore_interval_s):
        return []
    stale = store.still_waiting(stale)
    lost = _not_held(redis, stale)  # running tasks are held: most stop here
    if lost and redis.llen(settings.queue_name) > QUEUE_SCAN_LIMIT:
        lost = []  # a long backlog: they are most likely in it; look again once it shrinks
    if lost:
        queued = _queued_ids(redis, settings.queue_name)
        lost = [task_id for task_id in lost if task_id not in queued]
    if lost:  # a worker may have been between taking and recording one: look once more
        time.sleep(LOOK_AGAIN_S)
        lost = _not_held(redis, lost)
    for task_id in lost:
        enqueue_document(app, task_id, settings.queue_name)
        log.warning("lost message sent again", extra={"task_id": task_id})
    store.touch_unfinished(stale)  # held, waiting or re-sent: look again a period later
    return lost


def _not_held(redis: Any, task_ids: list[str]) -> list[str]:
    held = _unacked_ids(redis)
    return [task_id for task_id in task_ids if task_id not in held]


def _queued_ids(redis: Any, queue: str) -> set[str]:
    """Ids of the task messages waiting in ``queue``."""
    return {_task_id(json.loads(raw)) for raw in redis.lrange(queue, 0, -1)}


def _unacked_ids(redis: Any) -> set[str]:
    """Ids of the task messages workers hold, reserved or running, not yet acknowledged."""
    return {_task_id(json.loads(raw)[0]) for raw in redis.hvals("unacked")}


def _task_id(message: Any) -> str:
    try:
        return str(message["headers"]["id"])
    except (KeyError, TypeError):
        return ""


@signals.setup_logging.connect
def _json_logging(loglevel: Any = None, **_: Any) -> None:
    """Replace Celery's log format with the project's structured JSON lines."""
    configure_logging(loglevel or "INFO")


def __getattr__(name: str) -> Celery:
    """``celery_app`` (alias ``app``, which ``celery -A celery_config`` looks for) is built
    from the environment on first access, so importing this module reads nothing."""
    if name in ("celery_app", "app"):
        app = create_celery_app(Settings.from_env())
        globals().update(celery_app=app, app=app)
        return app
    raise AttributeError(name)
