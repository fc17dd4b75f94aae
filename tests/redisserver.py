"""A real ``redis-server`` for tests; skips without one.

``NIANBAO_TEST_REDIS_URL`` names a server already running (``.ci/run`` starts one, as an
operator would); otherwise each use starts its own (``crawler.distributed.localredis``).
Tests flush the database they use.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from crawler.distributed.keys import connect
from crawler.distributed.localredis import free_port, local_redis

__all__ = ["free_port", "redis_server"]
RUNNING_SERVER = "NIANBAO_TEST_REDIS_URL"


@contextmanager
def redis_server(directory: Path) -> Iterator[str]:
    """Yield the URL (database 0) of a running Redis server, started here if none is named."""
    url = os.environ.get(RUNNING_SERVER)
    if url:
        connect(url).close()  # fails clearly if the named server does not answer
        yield url
        return
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (Debian package redis-server; scripts/system-packages)")
    with local_redis(directory) as url:
        yield url
