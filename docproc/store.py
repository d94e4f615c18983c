"""Redis records of each submission: the document blob and the task record.

The document travels to the worker by reference: the web stores the bytes here with an
expiry and queues only the task id, so web and worker need to share nothing but Redis.
Every key expires after the result TTL, so Redis returns to its baseline by itself.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from redis import Redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.retry import Retry

KEY_PREFIX = "docproc"


def utc_now() -> str:
    """Timestamps as clients expect them: ISO 8601, UTC, second precision, ``Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def connect(url: str, timeout_s: float) -> Redis:
    """A Redis client that fails fast: a request must never hang on a dead Redis."""
    return Redis.from_url(
        url,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
        # One quick retry on a dropped connection (a Redis restart leaves stale pooled
        # connections); none on a timeout, which would double the wait on a hung Redis.
        retry=Retry(
            ExponentialBackoff(cap=0.2, base=0.05), 1, supported_errors=(RedisConnectionError,)
        ),
        health_check_interval=15,
    )


@dataclass
class TaskRecord:
    """What the web knows of a submission; the worker adds start and finish times."""

    submitted_at: str
    filename: str
    format: str
    content_type: str
    bytes: int
    options: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] | None = None
    callback_url: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    # The last progress reported, kept here (not in Celery's meta) so a retry or a
    # redelivery can carry on from it and the client never sees percent go down.
    progress: dict[str, Any] | None = None
    # Where the result is kept for identical resubmissions (see result_key), and, for a
    # submission answered from there, the task that computed it.
    result_key: str | None = None
    cached_from: str | None = None

    def to_redis(self) -> dict[str, str]:
        # Field by field, not dataclasses.asdict: that deep-copies every option on the way,
        # a measurable share of a submission's CPU.
        values = ((f.name, getattr(self, f.name)) for f in dataclasses.fields(self))
        return {name: json.dumps(value) for name, value in values if value is not None}

    @classmethod
    def from_redis(cls, raw: dict[bytes, bytes]) -> TaskRecord | None:
        """The record, or None when there is none: a worker's late write (progress, finish
        time) to a record that had expired leaves only those fields behind."""
        values = {k.decode(): json.loads(v) for k, v in raw.items()}
        known = {k: v for k, v in values.items() if k in cls.__dataclass_fields__}
        if not known.keys() >= _REQUIRED:
            return None
        return cls(**known)


_REQUIRED = frozenset(f.name for f in dataclasses.fields(TaskRecord)
                      if f.default is dataclasses.MISSING
                      and f.default_factory is dataclasses.MISSING)


class TaskStore:
    """Reads and writes one submission's keys; knows Redis, not Flask nor Celery."""

    def __init__(self, redis: Redis, ttl_seconds: int) -> None:
        self.redis = redis
        self.ttl = ttl_seconds

    @staticmethod
    def record_key(task_id: str) -> str:
        return f"{KEY_PREFIX}:task:{task_id}"

    @staticmethod
    def document_key(task_id: str) -> str:
        return f"{KEY_PREFIX}:doc:{task_id}"

    @staticmethod
    def chunks_key(task_id: str) -> str:
        return f"{KEY_PREFIX}:chunks:{task_id}"

    # Submissions whose task has not ended, by when they were last looked at: the safety net
    # for a message that is gone while its task is unfinished (Kombu loses one taken off
    # the queue by a worker killed before recording it; a cold shutdown acknowledges the
    # running ones), which no visibility timeout brings back.
    UNFINISHED_KEY = f"{KEY_PREFIX}:unfinished"

    @staticmethod
    def result_key(digest: str) -> str:
        return f"{KEY_PREFIX}:result:{digest}"

    def save_unless_cached(self, task_id: str, data: bytes, record: TaskRecord
                           ) -> dict[str, Any] | None:
        """Store the submission and, in the same round trip, look for a finished result of
        identical bytes and options; when there is one, the stored bytes are dropped again
        and the cached entry returned (the rare case pays the extra round trip)."""
        pipe = self.redis.pipeline(transaction=True)
        pipe.get(record.result_key or self.result_key("-"))
        self._save(pipe, task_id, data, record)
        cached = pipe.execute()[0]
        if not cached:
            return None
        self.redis.pipeline().delete(self.document_key(task_id)).zrem(
            self.UNFINISHED_KEY, task_id).execute()
        return json.loads(cached)

    def save_submission(self, task_id: str, data: bytes | None, record: TaskRecord) -> None:
        """Store the document and its record atomically, both expiring after the TTL (no
        document for a submission answered from the result cache)."""
        pipe = self.redis.pipeline(transaction=True)
        self._save(pipe, task_id, data, record)
        pipe.execute()

    def _save(self, pipe: Any, task_id: str, data: bytes | None, record: TaskRecord) -> None:
        if data is not None:
            pipe.set(self.document_key(task_id), data, ex=self.ttl)
            pipe.zadd(self.UNFINISHED_KEY, {task_id: time.time()})
        pipe.hset(self.record_key(task_id), mapping=record.to_redis())
        pipe.expire(self.record_key(task_id), self.ttl)

    def forget(self, task_id: str) -> None:
        """Remove a submission that could not be queued, so nothing half-made remains."""
        pipe = self.redis.pipeline()
        pipe.delete(self.document_key(task_id), self.record_key(task_id))
        pipe.zrem(self.UNFINISHED_KEY, task_id)
        pipe.execute()

    def chunk_cache(self, task_id: str) -> ChunkCache:
        return ChunkCache(self.redis, self.chunks_key(task_id), self.ttl)

    def get_record_with(self, task_id: str, other_key: str) -> tuple[TaskRecord | None, Any]:
        """The record and one more key's value in a single round trip."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.hgetall(self.record_key(task_id))
        pipe.get(other_key)
        raw, other = pipe.execute()
        return TaskRecord.from_redis(raw), other

    def load_task(self, task_id: str, meta_key: str
                  ) -> tuple[TaskRecord | None, bytes | None, bytes | None]:
        """What a worker needs to start, in one round trip: the record, the document, and
        Celery's stored meta (to tell a duplicate delivery of an ended task)."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.hgetall(self.record_key(task_id))
        pipe.get(self.document_key(task_id))
        pipe.get(meta_key)
        raw, data, meta = pipe.execute()
        return TaskRecord.from_redis(raw), data, meta

    def unfinished_before(self, cutoff: float, limit: int = 200) -> list[str]:
        """Unfinished tasks last looked at before ``cutoff`` (epoch seconds)."""
        ids = self.redis.zrangebyscore(self.UNFINISHED_KEY, "-inf", cutoff, start=0, num=limit)
        return [i.decode() for i in ids]

    def still_waiting(self, task_ids: list[str]) -> list[str]:
        """Of these, the ones whose document still exists, so not yet finished (the others
        leave the set)."""
        pipe = self.redis.pipeline(transaction=False)
        for task_id in task_ids:
            pipe.exists(self.document_key(task_id))
        alive = [t for t, exists in zip(task_ids, pipe.execute(), strict=True) if exists]
        gone = set(task_ids) - set(alive)
        if gone:
            self.redis.zrem(self.UNFINISHED_KEY, *gone)
        return alive

    def touch_unfinished(self, task_ids: list[str]) -> None:
        """They were found held, waiting or sent again: look at them again a period later."""
        if task_ids:
            self.redis.zadd(self.UNFINISHED_KEY, dict.fromkeys(task_ids, time.time()))

    def finish(self, task_id: str, result: dict[str, Any] | None = None,
               result_key: str | None = None) -> None:
        """Once the task has ended for good: record the end, keep the record for a full TTL
        from now (as the result is), drop the document and its analysed chunks, and keep a
        successful result for identical resubmissions."""
        key = self.record_key(task_id)
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(key, "finished_at", json.dumps(utc_now()))
        pipe.expire(key, self.ttl)
        pipe.delete(self.document_key(task_id), self.chunks_key(task_id))
        pipe.zrem(self.UNFINISHED_KEY, task_id)
        if result is not None and result_key:
            pipe.set(result_key, json.dumps({"task_id": task_id, "result": result}), ex=self.ttl)
        pipe.execute()

    def set_progress(self, task_id: str, progress: dict[str, Any],
                     started_at: str | None = None) -> None:
        fields = {"progress": json.dumps(progress)}
        if started_at:
            fields["started_at"] = json.dumps(started_at)
        self.redis.hset(self.record_key(task_id), mapping=fields)


class ChunkCache:
    """Analysed chunks of one task, so a retried or redelivered task resumes where it was
    instead of paying the LLM again. Entries are keyed by position and a digest of the
    chunk's text, so a change of chunking never mixes up results."""

    def __init__(self, redis: Redis, key: str, ttl_seconds: int) -> None:
        self.redis = redis
        self.key = key
        self.ttl = ttl_seconds

    @staticmethod
    def _field(index: int, text: str) -> str:
        return f"{index}:{hashlib.sha256(text.encode('utf-8', 'replace')).hexdigest()[:16]}"

    def get(self, index: int, text: str) -> dict[str, Any] | None:
        raw = self.redis.hget(self.key, self._field(index, text))
        return json.loads(raw) if raw else None

    def put(self, index: int, text: str, analysis: dict[str, Any]) -> None:
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(self.key, self._field(index, text), json.dumps(analysis))
        pipe.expire(self.key, self.ttl)
        pipe.execute()
