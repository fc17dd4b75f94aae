"""A real ``redis-server`` for tests (``crawler.distributed.localredis``); skips without one."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from crawler.distributed.localredis import free_port, local_redis

__all__ = ["free_port", "redis_server"]


@contextmanager
def redis_server(directory: Path) -> Iterator[str]:
    """Start ``redis-server``; yield its URL (database 0); stop it. Skips without the server."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (Debian package redis-server; scripts/system-packages)")
    with local_redis(directory) as url:
        yield url
