"""Health checks: liveness for the platform, readiness for uptime monitors."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from redis.exceptions import RedisError

from docproc import __version__
from web.context import Services, services

bp = Blueprint("health", __name__)

WORKER_REPLY_TIMEOUT_S = 1.0
HEALTH_DEADLINE_S = 2.5
_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="health")


@bp.get("/health/live")
def live() -> ResponseReturnValue:
    """200 while this process runs, whatever Redis and the workers do."""
    return jsonify(status="ok")


@bp.get("/health")
def health() -> ResponseReturnValue:
    """Can the whole system process documents? 200 if Redis and a worker answer, else 503."""
    svc = services()
    redis = _check_redis(svc)
    workers: dict[str, Any] = {"count": 0, "names": []}
    registered: list[str] = []
    if redis["ok"]:
        # The broadcast runs in a thread so a stuck broker can never hold this request.
        future = _pool.submit(_ask_workers, svc)
        try:
            workers, registered = future.result(timeout=HEALTH_DEADLINE_S)
        except (FutureTimeout, OSError, RedisError, Exception):
            workers["error"] = "workers did not answer in time"
    status = "ok" if redis["ok"] and workers["count"] else ("degraded" if redis["ok"] else "down")
    body = {
        "status": status,
        "redis": redis,
        "workers": workers,
        "registered_tasks": registered,
        "queue": {"name": svc.settings.queue_name, "pending": redis.pop("pending", None)},
        "version": __version__,
    }
    return jsonify(body), 200 if status == "ok" else 503


def _check_redis(svc: Services) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        pipe = svc.redis.pipeline(transaction=False)
        pipe.ping()
        pipe.llen(svc.settings.queue_name)
        _, pending = pipe.execute()
    except RedisError as err:
        return {"ok": False, "error": type(err).__name__}
    latency = round((time.perf_counter() - started) * 1000, 2)
    return {"ok": True, "latency_ms": latency, "pending": pending}


def _ask_workers(svc: Services) -> tuple[dict[str, Any], list[str]]:
    """One broadcast: the workers that answer it, and the tasks they have registered.

    On a connection of its own, made for this check and closed after it: a pooled one may
    be dead after a Redis restart, and Kombu would retry on it without end, leaving this
    thread stuck and, in time, the pool that runs health checks full."""
    with svc.celery.connection_for_read() as connection:
        connection.ensure_connection(max_retries=1)
        inspect = svc.celery.control.inspect(timeout=WORKER_REPLY_TIMEOUT_S,
                                             connection=connection)
        replies = inspect.registered() or {}
    names = sorted(replies)
    tasks = sorted({t.split(" ")[0] for ts in replies.values() for t in ts or []})
    return {"count": len(names), "names": names}, tasks
