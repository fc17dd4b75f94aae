"""RobotsTxtMiddleware that answers every request waiting for a host's robots.txt.

Scrapy 2.19's middleware awaits one shared Deferred per host; awaiting a Deferred adds a
callback that returns None, so from the second waiter on the parser arrives as None and the
request is let through unchecked. Each waiter here gets a Deferred of its own.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Request
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class WaitingRobotsTxtMiddleware(RobotsTxtMiddleware):
    async def robot_parser(self, request: Request) -> RobotParser | None:
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if isinstance(pending, Deferred):
            waiter: Deferred = Deferred()
            pending.addBoth(lambda result: (waiter.callback(result), result)[1])
            return await maybe_deferred_to_future(waiter)
        return await super().robot_parser(request)
