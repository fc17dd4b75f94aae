"""Announce failed downloads before RetryMiddleware consumes them, so they can be archived."""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured

from crawler.signals import download_failed

# Not failures of a server: a request the crawler itself decided not to make (robots.txt,
# filters) was never sent.
NOT_FAILURES = (IgnoreRequest,)


class FailureSignalMiddleware:
    """Downloader middleware sending ``download_failed`` for every exception of a download.

    Its priority must be above RetryMiddleware's (550): process_exception runs from the
    highest priority down, and RetryMiddleware ends the chain when it schedules a retry.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FailureSignalMiddleware:
        if not crawler.settings.getbool("NIANBAO_CAPTURE_ENABLED"):
            raise NotConfigured("NIANBAO_CAPTURE_ENABLED is off")
        return cls(crawler)

    def process_exception(self, request: Request, exception: Exception) -> None:
        if not isinstance(exception, NOT_FAILURES):
            self.crawler.signals.send_catch_log(
                download_failed, request=request, exception=exception
            )
