"""The worker's broker connection, held to what a busy gevent worker asks of it."""

from __future__ import annotations

import threading

from celery_config import create_celery_app
from docproc.settings import Settings
from tests.servers import RedisServer


def test_the_broker_pool_serves_every_task_of_a_full_worker_at_once(redis_server: RedisServer):
    """Under gevent, each finishing task acknowledges from its own greenlet. Past Kombu's
    default of 10 connections at once, it raised MaxConnectionsError, dropped the
    consumer's connection and, now and then, the message it was taking."""
    settings = Settings.on_redis(redis_server.url, worker_concurrency=40)
    app = create_celery_app(settings)
    errors: list[BaseException] = []
    with app.connection_for_read() as connection:
        client = connection.default_channel.client  # what acknowledgements go through

        def hold_a_connection() -> None:
            try:
                client.blpop(["docproc:test:nothing-here"], timeout=0.5)
            except Exception as exc:
                errors.append(exc)

        threads = [threading.Thread(target=hold_a_connection)
                   for _ in range(settings.worker_concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
