"""Make sure a Redis answers at REDIS_URL, starting a local ``redis-server`` if none does.

Used by ``make run``; a deployment points REDIS_URL at its own Redis instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from redis import Redis
from redis.exceptions import RedisError

from docproc.settings import Settings

DATA_DIR = Path(__file__).resolve().parent.parent / ".run"


def _answers(url: str) -> bool:
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except RedisError:
        return False


def _install_redis() -> bool:
    """On a fresh Debian/Ubuntu machine where we are root, install redis-server ourselves."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return False
    print("redis: installing redis-server with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    done = subprocess.run(["apt-get", "install", "-y", "-qq", "redis-server"], env=env)
    return done.returncode == 0 and shutil.which("redis-server") is not None


def main(argv: list[str] | None = None) -> int:
    """Exit 0 once Redis answers; 1 with a message on stderr when it cannot be started."""
    url = Settings.from_env().redis_url
    if _answers(url):
        print(f"redis: answering at {url}")
        return 0
    parts = urlsplit(url)
    if parts.hostname not in ("localhost", "127.0.0.1", "::1"):
        print(f"redis: nothing answers at {url}, and it is not local to start", file=sys.stderr)
        return 1
    if shutil.which("redis-server") is None and not _install_redis():
        print("redis: redis-server is not installed; run: sudo apt-get install -y redis-server",
              file=sys.stderr)
        return 1
    DATA_DIR.mkdir(exist_ok=True)
    # Append-only persistence, so queued documents survive a Redis restart.
    subprocess.run(
        ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1",
         "--port", str(parts.port or 6379), "--dir", str(DATA_DIR),
         "--appendonly", "yes", "--logfile", str(DATA_DIR / "redis.log")],
        check=True,
    )
    for _ in range(50):
        if _answers(url):
            print(f"redis: started redis-server at {url} (data in {DATA_DIR})")
            return 0
        time.sleep(0.1)
    print(f"redis: redis-server did not answer at {url}; see {DATA_DIR / 'redis.log'}",
          file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
