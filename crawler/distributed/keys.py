"""Where a shared crawl lives in Redis: one key prefix per crawl, one name per structure.

Every key of a crawl starts with ``nianbao:<crawl>:``, so crawls of different registries on
one Redis never mix, and a finished crawl is removed by deleting its prefix. ``<crawl>`` is
``NIANBAO_REDIS_CRAWL`` when set, else derived from the registry entries being crawled
(``crawl_name``): every worker started with the same registry joins the same crawl.
"""

from __future__ import annotations

import hashlib
import json
import socket
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import redis
    from scrapy.settings import BaseSettings

    from settings.registry import Source

ROOT = "nianbao"
# redis-py's defaults wait forever on a lost server; a worker should fail instead.
CLIENT_OPTIONS = {"socket_timeout": 30, "socket_connect_timeout": 10, "health_check_interval": 30}


@dataclass(frozen=True)
class CrawlKeys:
    """The Redis keys of the crawl ``crawl``."""

    crawl: str

    @property
    def prefix(self) -> str:
        return f"{ROOT}:{self.crawl}:"

    @property
    def hosts(self) -> str:
        """Sorted set: the hosts with requests queued, by when the frontier may hand out their
        next (ms, Redis clock; 0: now). The frontier's schedule, checked against each host's gate."""
        return self.prefix + "hosts"

    def host_queue(self, host: str) -> str:
        """Sorted set: a host's queued requests, serialised as scrapy-redis does, by -priority."""
        return f"{self.prefix}host:{host}:queue"

    def host_handed(self, host: str) -> str:
        """String: the id of the host's request the frontier handed out that has not started
        yet (expiring after the worker TTL)."""
        return f"{self.prefix}host:{host}:handed"

    @property
    def dupefilter(self) -> str:
        """Set: fingerprints of every request ever scheduled."""
        return self.prefix + "dupefilter"

    @property
    def columns(self) -> str:
        """Set: column and folder URLs the spider has claimed."""
        return self.prefix + "columns"

    @property
    def workers(self) -> str:
        """Set: ids of the workers that joined."""
        return self.prefix + "workers"

    def worker(self, worker_id: str) -> str:
        """String ``busy`` or ``idle``, expiring when the worker stops beating."""
        return f"{self.prefix}worker:{worker_id}"

    def inflight(self, worker_id: str) -> str:
        """Sorted set: the requests a worker popped and has not finished, as ``<host> <request>``
        (same scores as in their host's queue)."""
        return f"{self.prefix}inflight:{worker_id}"

    @property
    def robots(self) -> str:
        """Hash: netloc → robots.txt body as fetched by one of the workers."""
        return self.prefix + "robots"

    def robots_claim(self, netloc: str) -> str:
        return f"{self.prefix}robots-claim:{netloc}"

    def host_leases(self, host: str) -> str:
        """Sorted set: requests in flight to a host (lease id → expiry, ms)."""
        return f"{self.prefix}host:{host}:leases"

    def host_gate(self, host: str) -> str:
        """String: the earliest time (ms, Redis clock) the next request to a host may start."""
        return f"{self.prefix}host:{host}:gate"


def crawl_keys(settings: BaseSettings) -> CrawlKeys:
    crawl = settings.get("NIANBAO_REDIS_CRAWL")
    if not crawl:
        raise ValueError("NIANBAO_REDIS_CRAWL is empty: start distributed workers with `nianbao crawl --redis`")
    return CrawlKeys(crawl)


def worker_of(settings: BaseSettings) -> str:
    worker = settings.get("NIANBAO_WORKER_ID")
    if not worker:
        raise ValueError("NIANBAO_WORKER_ID is empty: start distributed workers with `nianbao crawl --redis`")
    return worker


def crawl_name(entries: Iterable[Source], source: str | None = None) -> str:
    """A crawl's name from what it crawls: the same registry (and ``source``) gives the same name."""
    described = [asdict(entry) for entry in entries if source is None or entry.name == source]
    for entry in described:
        entry.pop("notes", None)
    digest = hashlib.sha1(json.dumps(described, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    return f"reports-{digest.hexdigest()[:12]}"


def worker_id(pid: int) -> str:
    """``<hostname>-<pid>``: unique among the workers of a crawl, readable in file names."""
    host = socket.gethostname().split(".")[0] or "localhost"
    return f"{host}-{pid}"


def connect(url: str) -> redis.Redis:
    """A client for ``redis://HOST:PORT/DB``; fails now, with the URL, if the server is not there."""
    import redis

    client = redis.Redis.from_url(url, **CLIENT_OPTIONS)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise ConnectionError(f"cannot reach Redis at {url}: {exc}") from exc
    return client


def connect_from(settings: BaseSettings) -> redis.Redis:
    url = settings.get("NIANBAO_REDIS_URL")
    if not url:
        raise ValueError("NIANBAO_REDIS_URL is empty: distributed components need a Redis server")
    return connect(url)
