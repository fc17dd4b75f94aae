"""When a leased request is finished with: the two places that send ``request_handled``.

A request the shared scheduler handed out ends in one of three ways. A downloader middleware
turns it into another request (redirect, retry): the scheduler sees the follow-up arrive and
needs no signal. Its answer reaches the spider: ``LeaseSpiderMiddleware``, outermost in the
spider middleware chain, sends the signal when the callback's (or errback's) output is all
consumed, that is every request it yielded is in the shared queue. Its download fails for
good: ``LeaseDownloaderMiddleware``, last in the ``process_exception`` chain, sends the signal
when no middleware turned the exception into a retry (the spider's errback for such failures
yields nothing, so nothing is left to wait for).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.http import Response

from crawler.distributed.signals import request_handled

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class LeaseSpiderMiddleware:
    """Sends ``request_handled`` once a response's callback output is exhausted (or raised)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeaseSpiderMiddleware:
        return cls(crawler)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterable[Any]:
        try:
            yield from result
        except Exception:
            self._handled(response)
            raise
        self._handled(response)

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        try:
            async for output in result:
                yield output
        except Exception:
            self._handled(response)
            raise
        self._handled(response)

    def _handled(self, response: Response) -> None:
        if response.request is not None:
            self.crawler.signals.send_catch_log(request_handled, request=response.request)


class LeaseDownloaderMiddleware:
    """Sends ``request_handled`` for a download exception that ends the request."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeaseDownloaderMiddleware:
        return cls(crawler)

    def process_exception(self, request: Request, exception: Exception) -> None:
        self.crawler.signals.send_catch_log(request_handled, request=request)
