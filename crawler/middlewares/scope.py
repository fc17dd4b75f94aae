"""Keep every request on its source's own hosts: the registry decides, not the links.

Scrapy's ``OffsiteMiddleware`` matches ``allowed_domains`` against host names only, so it
cannot tell ``127.0.0.1:8801`` from ``127.0.0.1:8802`` and lets every source reach every
other source's hosts. This downloader middleware compares the full ``host[:port]`` authority
with the hosts of the request's ``source`` (``spider.source_hosts``). It sits before
``RobotsTxtMiddleware`` so an off-scope URL never even costs a robots.txt fetch, and it sees
redirect hops because redirected requests pass through the downloader again.

Requests without a ``source`` (robots.txt) may go to any registry host; they are stamped with
the source owning that host, so their captures say whose site they belong to.
Stats: ``scope/filtered`` and ``scope/filtered/<host>``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import Request, Spider, signals
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 80, "https": 443}


def authority(scheme: str, netloc: str) -> str:
    """``host[:port]`` in lower case, without the scheme's default port."""
    netloc = netloc.rsplit("@", 1)[-1].lower()
    default = DEFAULT_PORTS.get(scheme)
    if default is not None and netloc.endswith(f":{default}"):
        netloc = netloc[: -len(f":{default}")]
    return netloc


class ScopeMiddleware:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats
        self.hosts: dict[str, frozenset[str]] = {}
        self.all_hosts: frozenset[str] = frozenset()
        self.owners: dict[str, str] = {}
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ScopeMiddleware:
        middleware = cls(crawler.stats)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        source_hosts = getattr(spider, "source_hosts", None) or {}
        self.hosts = {
            name: frozenset(authority("http", host) for host in hosts) for name, hosts in source_hosts.items()
        }
        self.all_hosts = frozenset().union(*self.hosts.values())
        self.owners = {}
        for name, hosts in self.hosts.items():
            for host in hosts:
                self.owners.setdefault(host, name)

    def process_request(self, request: Request) -> None:
        if not self.hosts:
            return
        parts = urlparse_cached(request)
        host = authority(parts.scheme, parts.netloc)
        source = request.meta.get("source")
        allowed = self.hosts.get(source, frozenset()) if source is not None else self.all_hosts
        if host in allowed:
            if source is None:
                request.meta["source"] = self.owners[host]
            return
        self.stats.inc_value("scope/filtered")
        self.stats.inc_value(f"scope/filtered/{host}")
        if host not in self.seen:
            self.seen.add(host)
            logger.info("Filtered off-scope request to %r (source %s): %s", host, source, request)
        raise IgnoreRequest(f"off-scope host {host!r} for source {source!r}")
