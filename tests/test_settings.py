"""Settings are read from a mapping, validated, and never at import time."""

from __future__ import annotations

import subprocess
import sys

import pytest

from docproc.settings import Settings, SettingsError


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.redis_url == settings.broker_url == settings.result_backend
    assert settings.max_document_bytes == 20 * 1024 * 1024
    assert settings.result_ttl_seconds == 86400
    assert settings.openai_api_key is None


def test_celery_urls_override_redis_url() -> None:
    settings = Settings.from_env({
        "REDIS_URL": "redis://r:6379/0",
        "CELERY_BROKER_URL": "redis://broker:6379/1",
        "CELERY_RESULT_BACKEND": "redis://backend:6379/2",
    })
    assert settings.redis_url == "redis://r:6379/0"
    assert settings.broker_url == "redis://broker:6379/1"
    assert settings.result_backend == "redis://backend:6379/2"


def test_api_key_is_not_in_repr() -> None:
    settings = Settings.from_env({"OPENAI_API_KEY": "sk-very-secret"})
    assert "sk-very-secret" not in repr(settings)


@pytest.mark.parametrize(("name", "value"), [
    ("MAX_DOCUMENT_BYTES", "lots"),
    ("MAX_DOCUMENT_BYTES", "0"),
    ("RESULT_TTL_SECONDS", "-5"),
    ("OPENAI_TIMEOUT_SECONDS", "soon"),
])
def test_bad_values_are_rejected_with_the_variable_name(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_importing_entry_points_and_domain_reads_no_environment_and_no_web_stack() -> None:
    code = (
        "import os, sys\n"
        "os.environ['MAX_DOCUMENT_BYTES'] = 'invalid'\n"
        "import docproc.pipeline, docproc.analysis.local, docproc.analysis.openai_engine\n"
        "assert 'flask' not in sys.modules and 'celery' not in sys.modules, 'domain imports web'\n"
        "import main, celery_config, tasks, worker\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.stdout.strip() == "ok", result.stderr


def test_visibility_timeout_must_outlast_the_time_limit() -> None:
    with pytest.raises(SettingsError, match="VISIBILITY_TIMEOUT_SECONDS"):
        Settings.from_env({"TASK_TIME_LIMIT_SECONDS": "600", "VISIBILITY_TIMEOUT_SECONDS": "300"})


def test_derived_limits_scale_with_the_settings() -> None:
    small = Settings.from_env({"TASK_TIME_LIMIT_SECONDS": "8", "VISIBILITY_TIMEOUT_SECONDS": "10"})
    assert (small.soft_time_limit_s, small.restore_interval_s) == (7, 1)
    default = Settings.from_env({})
    assert (default.soft_time_limit_s, default.restore_interval_s) == (585, 10)
    assert default.openai_max_retries == 0 and default.llm_retry_limit == 5


def test_worker_processes_default_to_the_usable_cores_for_single_process_pools() -> None:
    from docproc.settings import usable_cores

    assert Settings.from_env({}).worker_processes == usable_cores()
    assert Settings.from_env({"WORKER_POOL": "threads"}).worker_processes == usable_cores()
    assert Settings.from_env({"WORKER_POOL": "prefork"}).worker_processes == 1
    assert Settings.from_env({"WORKER_PROCESSES": "3"}).worker_processes == 3
    with pytest.raises(SettingsError, match="WORKER_PROCESSES"):
        Settings.from_env({"WORKER_PROCESSES": "0"})


@pytest.mark.parametrize(("cpu_max", "quota"), [
    ("max 100000\n", None), ("50000 100000\n", 0.5), ("200000 100000\n", 2.0),
])
def test_a_containers_cpu_quota_is_read_from_cgroup_v2(cpu_max: str, quota: float | None):
    from docproc.settings import _cpu_max

    assert _cpu_max(cpu_max) == quota
