"""A bare Scrapy spider, the CPU peer of the ``reports`` spider: no adapters, no capture, no items.

From its start URLs it follows every ``<a href>`` whose absolute URL is in ``follow``, once,
parsing HTML with Scrapy's own selectors. Given a TRS column with its ``index_N.html`` pages,
and as ``follow`` the URLs a ``reports`` crawl fetched, it makes the same requests that crawl
made, with none of its logic.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy import Request, Spider
from scrapy.http import Response, TextResponse


class BareSpider(Spider):
    name = "bare"

    def __init__(self, start_urls: list[str], follow: Iterable[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = list(start_urls)
        self.follow = frozenset(follow)

    async def start(self) -> AsyncIterator[Request]:
        # Through the duplicate filter (Scrapy's default start requests bypass it), so a start
        # URL linked again later is not fetched twice.
        for url in self.start_urls:
            yield Request(url)

    def parse(self, response: Response) -> Iterator[Request]:
        if not isinstance(response, TextResponse):
            return
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            if url in self.follow:
                yield Request(url)
