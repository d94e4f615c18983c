"""Load generation and measurement: submit documents over HTTP, watch results in Redis,
drive wrk, time extraction. Each function returns plain figures for the report."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from redis import Redis

META = "celery-task-meta-"
# How often the watcher reads the results: latencies are up to this much late, and reading
# a thousand keys much more often would take CPU from what is measured.
WATCH_INTERVAL_S = 0.05
_LOCAL = threading.local()


def _connection(base_url: str) -> http.client.HTTPConnection:
    """One keep-alive connection per client thread, as a real client pool would hold."""
    conn = getattr(_LOCAL, "conn", None)
    if conn is None:
        parts = urlsplit(base_url)
        conn = _LOCAL.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    return conn


def request(base_url: str, method: str, path: str, body: bytes | None = None,
            content_type: str = "application/json") -> tuple[int, dict[str, Any]]:
    for attempt in range(2):
        conn = _connection(base_url)
        try:
            conn.request(method, path, body=body, headers={"Content-Type": content_type})
            response = conn.getresponse()
            return response.status, json.loads(response.read() or b"{}")
        except (http.client.HTTPException, OSError):
            conn.close()
            _LOCAL.conn = None
            if attempt:
                raise
    raise AssertionError("unreachable")


def submit_json(base_url: str, payload: dict[str, Any]) -> str:
    status, body = request(base_url, "POST", "/process-document", json.dumps(payload).encode())
    if status != 202:
        raise RuntimeError(f"submission refused: {status} {body}")
    return body["task_id"]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def end_to_end(base_url: str, redis: Redis, payloads: list[dict[str, Any]], clients: int = 16,
               timeout_s: float = 600,
               on_done: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Submit every payload (``clients`` at a time) and time each from submission to
    SUCCESS, watching Celery's result keys in Redis (cheaper than polling over HTTP)."""
    submitted: dict[str, float] = {}
    lock = threading.Lock()
    started = time.perf_counter()

    def send(payload: dict[str, Any]) -> None:
        sent_at = time.perf_counter()
        task_id = submit_json(base_url, payload)
        with lock:
            submitted[task_id] = sent_at

    with ThreadPoolExecutor(clients) as pool:
        futures = [pool.submit(send, p) for p in payloads]
        done_at, failures = _watch(redis, submitted, lock, len(payloads), timeout_s, on_done)
        for future in futures:
            future.result()
    latencies = [done_at[t] - submitted[t] for t in done_at]
    wall = max(done_at.values()) - started if done_at else float("nan")
    return {
        "documents": len(payloads), "succeeded": len(done_at) - failures, "failed": failures,
        "wall_s": round(wall, 2), "docs_per_s": round(len(done_at) / wall, 1),
        "p50_s": round(percentile(latencies, 50), 3), "p95_s": round(percentile(latencies, 95), 3),
        "mean_s": round(statistics.fmean(latencies), 3) if latencies else None,
    }


def _watch(redis: Redis, submitted: dict[str, float], lock: threading.Lock, expected: int,
           timeout_s: float, on_done: Callable[[int], None] | None
           ) -> tuple[dict[str, float], int]:
    done_at: dict[str, float] = {}
    failures = 0
    deadline = time.perf_counter() + timeout_s
    while len(done_at) < expected and time.perf_counter() < deadline:
        with lock:
            waiting = [t for t in submitted if t not in done_at]
        for start in range(0, len(waiting), 500):
            batch = waiting[start : start + 500]
            values = redis.mget([META + t for t in batch])
            now = time.perf_counter()
            for task_id, raw in zip(batch, values, strict=True):
                if raw and (b'"status": "SUCCESS"' in raw or b'"status": "FAILURE"' in raw):
                    done_at[task_id] = now
                    failures += b'"status": "FAILURE"' in raw
                    if on_done:
                        on_done(len(done_at))
        time.sleep(WATCH_INTERVAL_S)
    if len(done_at) < expected:
        with lock:
            missing = [t for t in submitted if t not in done_at][:5]
        raise TimeoutError(f"only {len(done_at)} of {expected} documents finished in "
                           f"{timeout_s:.0f} s; unfinished, for instance: {missing}")
    return done_at, failures


def wait_task(base_url: str, task_id: str, timeout_s: float = 300) -> dict[str, Any]:
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        _, body = request(base_url, "GET", f"/task-status/{task_id}")
        if body.get("state") in ("SUCCESS", "FAILURE"):
            return body
        time.sleep(0.05)
    raise TimeoutError(f"task {task_id} did not finish")


def wrk(url: str, seconds: int = 8, connections: int = 32, script: Path | None = None
        ) -> float | None:
    """Requests per second that wrk measures, or None when wrk is not installed."""
    if shutil.which("wrk") is None:
        return None
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url]
    if script:
        args[1:1] = ["-s", str(script)]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non_2xx:
        raise RuntimeError(f"wrk saw {non_2xx.group(1)} error responses from {url}")
    return float(match.group(1)) if match else None


def post_script(body: dict[str, Any]) -> Path:
    """A wrk script that POSTs ``body`` as JSON."""
    lua = ('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
           f"wrk.body = {json.dumps(json.dumps(body))}\n")
    path = Path(tempfile.mkstemp(suffix=".lua")[1])
    path.write_text(lua)
    return path


def best_of(runs: int, work: Callable[[], object]) -> float:
    """The fastest of ``runs`` timings of ``work`` (the least disturbed by the machine)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


_TIME_EXTRACTOR = """
import sys, time
from docproc.extract.pdf import extract
data = open(sys.argv[1], "rb").read()
best = float("inf")
for _ in range(3):
    started = time.perf_counter()
    extract(data, "report.pdf")
    best = min(best, time.perf_counter() - started)
print(best)
"""


def pdf_extraction(pdf: bytes, pages: int) -> dict[str, Any]:
    """Pages per second of our PDF extractor and of poppler's pdftotext on the same file.

    Ours is timed in a fresh process, as the service runs it (a child per document); the
    service path adds that child's start-up (``service_pages_per_s``)."""
    from docproc.isolation import prepare_document

    result: dict[str, Any] = {"pages": pages, "pdftotext": None}
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        ours = float(subprocess.run([sys.executable, "-c", _TIME_EXTRACTOR, file.name],
                                    capture_output=True, text=True, check=True).stdout)
        result["ours_pages_per_s"] = round(pages / ours, 1)
        service = best_of(3, lambda: prepare_document(pdf, "pdf", "report.pdf", 3000, 120))
        result["service_pages_per_s"] = round(pages / service, 1)
        if shutil.which("pdftotext"):
            theirs = best_of(3, lambda: subprocess.run(["pdftotext", "-q", file.name, "-"],
                                                      capture_output=True, check=True))
            result["pdftotext"] = round(pages / theirs, 1)
    return result


def noop_throughput(redis: Redis, redis_url: str, tasks: int) -> float:
    """Tasks per second a bare worker gets through: ``tasks`` no-ops published as fast as
    possible, timed from the first publish to the last result, as documents are."""
    from bench.noop_app import app, noop

    app.conf.broker_url = app.conf.result_backend = redis_url
    submitted: dict[str, float] = {}
    lock = threading.Lock()
    started = time.perf_counter()

    def publish() -> None:
        for _ in range(tasks):
            sent = time.perf_counter()
            task_id = noop.delay().id
            with lock:
                submitted[task_id] = sent

    publisher = threading.Thread(target=publish)
    publisher.start()
    done_at, _ = _watch(redis, submitted, lock, tasks, 300, None)
    publisher.join()
    return round(tasks / (max(done_at.values()) - started), 1)
