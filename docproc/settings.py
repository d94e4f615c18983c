"""The only reader of the environment: a typed, validated, frozen settings object."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from dotenv import load_dotenv

DEFAULT_REDIS_URL = "redis://localhost:6379/0"
DEFAULT_OPENAI_MODEL = "gpt-4.1-mini"


class SettingsError(ValueError):
    """A variable in the environment has a value the service cannot use."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be positive, got {value}")
    return value


def _str(env: Mapping[str, str], name: str, default: str | None = None) -> str | None:
    raw = env.get(name, "").strip()
    return raw or default


# Default concurrency per pool: I/O-bound greenlets are cheap; processes cost a core.
_POOL_CONCURRENCY = {
    "gevent": lambda: 200,
    "threads": lambda: 50,
    "prefork": lambda: os.cpu_count() or 2,
    "solo": lambda: 1,
}


def _default_processes(pool: str) -> int:
    """One process per core this process may use, for the pools that live in a single
    process (prefork forks its own, solo is one by definition)."""
    if pool not in ("gevent", "threads"):
        return 1
    return usable_cores()


def usable_cores() -> int:
    """Cores this process may run on, within a container's CPU quota (cgroup v2 or v1),
    which the affinity mask alone does not show."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)
    quota = _cgroup_cpu_quota()
    return max(1, min(cores, math.ceil(quota))) if quota else max(1, cores)


def _cgroup_cpu_quota() -> float | None:
    for path, parse in (("/sys/fs/cgroup/cpu.max", _cpu_max),
                        ("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", _cfs_quota)):
        try:
            return parse(Path(path).read_text())
        except (OSError, ValueError, ZeroDivisionError):
            continue
    return None


def _cpu_max(text: str) -> float | None:
    quota, period = text.split()[:2]
    return None if quota == "max" else int(quota) / int(period)


def _cfs_quota(text: str) -> float | None:
    quota = int(text)
    period = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us").read_text())
    return None if quota <= 0 else quota / period


@dataclass(frozen=True)
class Settings:
    """Everything the web app, the worker and the pipeline may be configured with."""

    redis_url: str = DEFAULT_REDIS_URL
    broker_url: str = DEFAULT_REDIS_URL
    result_backend: str = DEFAULT_REDIS_URL
    queue_name: str = "documents"
    openai_api_key: str | None = field(default=None, repr=False)
    openai_base_url: str | None = None
    openai_model: str = DEFAULT_OPENAI_MODEL
    openai_timeout_s: float = 60.0
    # The SDK's own retries are invisible to clients; the task retries instead (RETRY state).
    openai_max_retries: int = 0
    llm_retry_limit: int = 5
    # LLM calls in flight at once per worker process, all tasks together.
    llm_max_concurrency: int = 256
    # Chunks of one document analysed at once (1: one after the other).
    chunk_concurrency: int = 64
    # How long a running task waits for Redis to come back before it gives up.
    redis_outage_patience_s: int = 60
    llm_retry_base_s: float = 2.0
    llm_retry_max_s: float = 60.0
    max_document_bytes: int = 20 * 1024 * 1024
    result_ttl_seconds: int = 86400
    chunk_tokens: int = 3000
    # gevent: many tasks (and LLM calls) in flight per process; prefork: one per process.
    worker_pool: str = "gevent"
    worker_concurrency: int = 200
    # Worker processes one start command runs: gevent and threads run on one core each.
    worker_processes: int = 1
    redis_timeout_s: float = 1.0
    task_time_limit_s: int = 600
    visibility_timeout_s: int = 900
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the environment (or a given mapping) once, validating every value."""
        if env is None:
            load_dotenv(override=False)  # a local .env fills in what the environment lacks
            env = os.environ
        redis_url = _str(env, "REDIS_URL", DEFAULT_REDIS_URL)
        pool = (_str(env, "WORKER_POOL", "gevent") or "gevent").lower()
        if pool not in _POOL_CONCURRENCY:
            raise SettingsError(f"WORKER_POOL must be one of {', '.join(_POOL_CONCURRENCY)}, "
                                f"got {pool!r}")
        return cls(
            redis_url=redis_url,
            broker_url=_str(env, "CELERY_BROKER_URL", redis_url),
            result_backend=_str(env, "CELERY_RESULT_BACKEND", redis_url),
            queue_name=_str(env, "CELERY_QUEUE", "documents"),
            openai_api_key=_str(env, "OPENAI_API_KEY"),
            openai_base_url=_str(env, "OPENAI_BASE_URL"),
            openai_model=_str(env, "OPENAI_MODEL", DEFAULT_OPENAI_MODEL),
            openai_timeout_s=_float(env, "OPENAI_TIMEOUT_SECONDS", 60.0),
            openai_max_retries=_int(env, "OPENAI_MAX_RETRIES", 0),
            llm_retry_limit=_int(env, "LLM_RETRY_LIMIT", 5),
            llm_max_concurrency=_int(env, "LLM_MAX_CONCURRENCY", 256, minimum=1),
            chunk_concurrency=_int(env, "CHUNK_CONCURRENCY", 64, minimum=1),
            redis_outage_patience_s=_int(env, "REDIS_OUTAGE_PATIENCE_SECONDS", 60),
            llm_retry_base_s=_float(env, "LLM_RETRY_BASE_SECONDS", 2.0),
            llm_retry_max_s=_float(env, "LLM_RETRY_MAX_SECONDS", 60.0),
            max_document_bytes=_int(env, "MAX_DOCUMENT_BYTES", 20 * 1024 * 1024, minimum=1),
            result_ttl_seconds=_int(env, "RESULT_TTL_SECONDS", 86400, minimum=1),
            chunk_tokens=_int(env, "CHUNK_TOKENS", 3000, minimum=100),
            worker_pool=pool,
            worker_concurrency=_int(env, "WORKER_CONCURRENCY", _POOL_CONCURRENCY[pool](),
                                    minimum=1),
            worker_processes=_int(env, "WORKER_PROCESSES", _default_processes(pool), minimum=1),
            redis_timeout_s=_float(env, "REDIS_TIMEOUT_SECONDS", 1.0),
            task_time_limit_s=_int(env, "TASK_TIME_LIMIT_SECONDS", 600, minimum=5),
            visibility_timeout_s=_int(env, "VISIBILITY_TIMEOUT_SECONDS", 900, minimum=10),
            log_level=(_str(env, "LOG_LEVEL", "INFO") or "INFO").upper(),
        )

    def __post_init__(self) -> None:
        if self.visibility_timeout_s <= self.task_time_limit_s:
            raise SettingsError(
                "VISIBILITY_TIMEOUT_SECONDS must be longer than TASK_TIME_LIMIT_SECONDS, or "
                "tasks still running would be handed to a second worker"
            )

    @property
    def soft_time_limit_s(self) -> int:
        """When the task is asked to stop: shortly before it is killed."""
        return self.task_time_limit_s - max(1, min(15, self.task_time_limit_s // 10))

    @property
    def outage_patience_s(self) -> float:
        """How long a task waits for Redis: never so long that its own time limit ends it
        first (the wait counts against that limit)."""
        return min(self.redis_outage_patience_s, self.soft_time_limit_s / 2)

    @property
    def prefetch_multiplier(self) -> int:
        """Messages a worker reserves per unit of concurrency. A prefork process takes one
        at a time, so a crash strands little; a gevent worker keeps a second batch at hand,
        so a greenlet that finishes starts the next task at once instead of waiting for the
        consumer to poll Redis again (up to 2 s when it is saturated)."""
        return 2 if self.worker_pool in ("gevent", "threads") else 1

    @property
    def restore_interval_s(self) -> int:
        """How often workers look for unacknowledged messages past the visibility timeout."""
        return max(1, min(10, self.visibility_timeout_s // 10))

    @property
    def lost_message_after_s(self) -> int:
        """How long an unfinished task's message may be in neither the queue nor a worker's
        hands before it counts as lost and is sent again. A live message is out of both
        only for the instant a worker takes it, so this is a margin, not a wait."""
        return min(60, self.visibility_timeout_s) + 2 * self.restore_interval_s

    @property
    def broker_pool_size(self) -> int:
        """Broker connections per worker process. Kombu allows 10; under gevent every
        finishing task acknowledges from its own greenlet, and past 10 at once Kombu drops
        the consumer's connection, which can lose the message it was taking."""
        return self.worker_concurrency + 10

    @classmethod
    def on_redis(cls, url: str, **changes: object) -> Settings:
        """Broker, results and documents all on one Redis (what REDIS_URL alone gives)."""
        return cls(redis_url=url, broker_url=url, result_backend=url, **changes)  # type: ignore[arg-type]

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with some values changed (tests use this instead of the environment)."""
        return replace(self, **changes)
