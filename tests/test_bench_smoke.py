"""The benchmark runs end to end on a tiny workload (no timing is asserted here: the
figures are the benchmark's report, not a test's verdict)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from tests.servers import ROOT

pytestmark = pytest.mark.integration


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_benchmark_smoke_run_writes_every_figure(tmp_path) -> None:
    args = [sys.executable, "-m", "bench.run", "--docs", "30", "--pdf-pages", "12",
            "--plain-docs", "4", "--threads-docs", "20", "--noop-tasks", "100",
            "--wrk-seconds", "1", "--latency", "0.05", "--out", str(tmp_path)]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(next(tmp_path.glob("bench-*.json")).read_text())
    figures = report["figures"]
    assert figures["e2e"]["succeeded"] == 30 and figures["e2e"]["failed"] == 0
    assert figures["long_pdf"]["state"] == "SUCCESS"
    assert figures["plain_e2e"]["succeeded"] == 4
    for key in ("hello_rps", "submit_rps", "status_rps", "noop_tasks_per_s"):
        assert figures[key] > 0, key
    assert "e2e small docs/s" in done.stdout
