"""ScopeMiddleware: a request goes out only to its own source's registry hosts (host and port)."""

from __future__ import annotations

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.test import get_crawler

from crawler.middlewares.scope import ScopeMiddleware, authority


@pytest.fixture
def middleware() -> ScopeMiddleware:
    crawler = get_crawler(Spider)
    spider = Spider(name="scoped")
    spider.source_hosts = {
        "county": frozenset({"127.0.0.11:8800", "www.gsliangzhou.gov.cn"}),
        "city": frozenset({"127.0.0.12:8800"}),
    }
    middleware = ScopeMiddleware.from_crawler(crawler)
    middleware.spider_opened(spider)
    return middleware


def request(url: str, source: str | None) -> Request:
    return Request(url, meta={} if source is None else {"source": source})


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.11:8800/col/col1021/index.html",
        "http://www.gsliangzhou.gov.cn/art/2020/3/1/art_1021_7.html",
        "http://WWW.GSLIANGZHOU.GOV.CN:80/",  # default port, other case
    ],
)
def test_own_hosts_pass(middleware, url):
    assert middleware.process_request(request(url, "county")) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.11:8801/col/col1021/index.html",  # same address, another port
        "http://127.0.0.12:8800/zfxxgknb/",  # another source's host
        "http://127.0.0.21:8800/art/2020/3/1/art_1021_7.html",  # a mirror copying the path
        "https://www.gsliangzhou.gov.cn.mirror.example/",
    ],
)
def test_other_hosts_are_dropped_and_counted(middleware, url):
    with pytest.raises(IgnoreRequest):
        middleware.process_request(request(url, "county"))
    assert middleware.stats.get_value("scope/filtered") == 1
    assert middleware.stats.get_value(f"scope/filtered/{authority('http', url.split('/')[2])}") == 1


def test_requests_without_a_source_may_reach_any_registry_host(middleware):
    assert middleware.process_request(request("http://127.0.0.12:8800/robots.txt", None)) is None
    with pytest.raises(IgnoreRequest):
        middleware.process_request(request("http://127.0.0.99:8800/robots.txt", None))


def test_unknown_source_has_no_hosts(middleware):
    with pytest.raises(IgnoreRequest):
        middleware.process_request(request("http://127.0.0.11:8800/", "nobody"))


def test_authority_drops_only_the_default_port():
    assert authority("http", "Example.gov.cn:80") == "example.gov.cn"
    assert authority("https", "example.gov.cn:443") == "example.gov.cn"
    assert authority("https", "example.gov.cn:80") == "example.gov.cn:80"
    assert authority("http", "user@127.0.0.1:8800") == "127.0.0.1:8800"
