"""The ``reports`` spider: from each registry source to every report in its 年报 columns.

Roles follow the data flow: a site ``root`` (and up to two ``landing`` pages) lead to
``column`` pages, found by ``crawler.adapters.discovery``; a column's CMS adapter (registry
``cms``, else the page's fingerprint) walks every ``list`` page with the platform's own paging
and names the ``detail`` pages and ``attachment`` files, which become ``FetchedDocument`` items
whatever their final status. Provenance rides in ``request.meta`` (docs/architecture.md);
the spider adds two keys of its own: ``cms`` (the adapter that reads the column's pages) and
``hops`` (landing pages walked from the root).

Arguments: ``sources`` (a registry name or path; default ``NIANBAO_SOURCES``), ``source``
(crawl one entry only) and ``shard`` (``K/N``: this machine's share; default ``NIANBAO_SHARD``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime, timezone
from itertools import chain
from typing import Any

from scrapy import Request, Spider
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.response import get_meta_refresh
from twisted.python.failure import Failure

from crawler.adapters.base import Adapter, Link, ListPage
from crawler.adapters.discovery import column_links, landing_links
from crawler.adapters.fingerprint import adapter_for, detect_cms
from crawler.items import FetchedDocument
from settings.registry import Source, crawl_entries

MAX_LANDING_HOPS = 2  # root → 政务公开 → 政府信息公开 → 年报
META_REFRESH_MAX_DELAY = 100  # seconds; what Scrapy's MetaRefreshMiddleware would follow
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8", "X-Requested-With": "XMLHttpRequest"}
# Documents go before the list pages that name more of them, so the frontier holds the list
# pages and the documents of the few lists being read, not a whole column: the distributed
# engine's Redis queue pops requests of equal priority in no useful order (bench/memory.py).
ROLE_PRIORITY = {"attachment": 2, "detail": 1}


class ReportsSpider(Spider):
    name = "reports"
    # A deleted report that meta-refreshes to its column is evidence to keep, not a hop to
    # follow; the spider follows meta refreshes itself where they lead to list pages.
    custom_settings = {"METAREFRESH_ENABLED": False}

    def __init__(
        self, sources: str | None = None, source: str | None = None, shard: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        if not sources:
            raise ValueError("the reports spider needs a registry: -a sources=NAME_OR_PATH")
        entries = crawl_entries(sources, source, shard)
        self.registry: dict[str, Source] = {entry.name: entry for entry in entries}
        # Read by crawler.middlewares.scope: the hosts each source may be fetched from.
        self.source_hosts: dict[str, frozenset[str]] = {
            entry.name: frozenset(entry.hosts) for entry in entries
        }
        self._columns: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> ReportsSpider:
        kwargs.setdefault("sources", crawler.settings.get("NIANBAO_SOURCES"))
        kwargs.setdefault("shard", crawler.settings.get("NIANBAO_SHARD"))
        return super().from_crawler(crawler, *args, **kwargs)

    async def start(self) -> AsyncIterator[Request]:
        for source in self.registry.values():
            if source.columns:
                for column in source.columns:
                    request = self._column_request(source.name, column, None, None)
                    if request is not None:
                        yield request
            else:
                yield self._request(source.name, source.root, "root", self.parse_entry, hops=0)

    # -- callbacks ---------------------------------------------------------------------------

    def parse_entry(self, response: Response) -> Iterator[Request]:
        """A root or landing page: follow its 年报 columns, else its 政府信息公开 landing links."""
        if not isinstance(response, TextResponse):
            return
        meta = response.meta
        target = self._refresh_target(response)
        if target is not None:
            yield self._request(
                meta["source"], target, meta["role"], self.parse_entry, parent_url=response.url, hops=meta["hops"]
            )
            return
        columns = column_links(response)
        for link in columns:
            request = self._column_request(meta["source"], link.url, response.url, link.title)
            if request is not None:
                yield request
        if columns or meta["hops"] >= MAX_LANDING_HOPS:
            if not columns:
                self.crawler.stats.inc_value(f"nianbao/no_column/{meta['source']}")
            return
        for link in landing_links(response):
            yield self._request(
                meta["source"], link.url, "landing", self.parse_entry, parent_url=response.url, hops=meta["hops"] + 1
            )

    def parse_list(self, response: Response) -> Iterator[Request]:
        """A column or one of its list pages: sub-columns, further list pages, documents."""
        if not isinstance(response, TextResponse):
            return
        meta = response.meta
        source = meta["source"]
        if meta["role"] == "column":
            target = self._refresh_target(response)
            if target is not None:
                request = self._column_request(source, target, response.url, meta["list_title"])
                if request is not None:
                    yield request
                return
            adapter = self._adapter(response, self.registry[source])
            parts = column_links(response, sub=True)
            expect_items = not parts
            for link in parts:
                if link.kind == "column":
                    request = self._column_request(source, link.url, response.url, link.title)
                    if request is not None:
                        yield request
            folders = [ListPage(link.url) for link in parts if link.kind == "list"]
            for request in self._list_requests(response, adapter, folders):
                if self.claim_column(request) is not None:
                    yield request
        else:
            adapter = adapter_for(meta["cms"])
            expect_items = True
        # One at a time, never as a list: a column's pager can name thousands of pages.
        listed = 0  # a shell page (gkmlpt) lists nothing itself but names its API pages
        for request in chain(self._list_requests(response, adapter, adapter.list_pages(response)),
                             self._document_requests(response, adapter.name, adapter.list_links(response))):
            listed += 1
            yield request
        if not listed and expect_items:
            # A list page that leads nowhere: the site changed its markup, or the paging overshot.
            self.crawler.stats.inc_value(f"nianbao/empty_list/{source}")
            self.logger.warning("%s list page lists no documents (%s adapter): %s", source, adapter.name, response.url)

    def parse_document(self, response: Response) -> Iterator[FetchedDocument | Request]:
        """A detail page or attachment: the item (unless the answer is no new version of what
        the archive holds: ``new_version``, crawler/middlewares/conditional.py), and a detail
        page's attachments."""
        if response.meta.get("new_version", True):
            yield self._document(response)
        if response.meta["role"] == "detail" and isinstance(response, TextResponse):
            # Read from a copy, whose parsed tree (about 13 times the page) goes with it: the
            # response itself is held by Scrapy's scraper until the item's extraction is done.
            attachments = adapter_for(response.meta["cms"]).detail_attachments(response.copy())
            yield from self._document_requests(response, response.meta["cms"], attachments, inherit=True)

    def on_error(self, failure: Failure) -> Iterator[FetchedDocument]:
        """A document's error status is a fact for the catalog (gone, forbidden); others are logged."""
        request = failure.request
        role = request.meta.get("role")
        if failure.check(HttpError) and role in ("detail", "attachment"):
            if request.meta.get("new_version", True):
                yield self._document(failure.value.response)
            return
        self.crawler.stats.inc_value(f"nianbao/errors/{role}")
        self.logger.warning("%s %s failed: %s", role, request.url, failure.getErrorMessage())

    # -- requests and items ------------------------------------------------------------------

    def claim_column(self, request: Request) -> Request | None:
        """``request`` for a column (or column folder) not requested yet, claimed; else None.

        Columns are told apart by their fragment too (gkmlpt ``annualreport#{catId}``), which
        the duplicate filter ignores: the spider keeps its own set of their URLs (shared by the
        workers of a distributed crawl, and claimed as the request is queued:
        crawler/distributed/spider.py).
        """
        if request.url in self._columns:
            return None
        self._columns.add(request.url)
        return request

    def known_document_request(
        self, source: str, url: str, role: str, column: str | None, parent_url: str | None
    ) -> Request | None:
        """A request for a document the archive holds that no list named this time (a report
        taken down, or off its column): the answer says whether it is still there. None when
        ``source`` is not crawled now."""
        if source not in self.registry or role not in ("detail", "attachment"):
            return None
        cms = self.registry[source].cms
        return self._request(source, url, role, self.parse_document, column=column, parent_url=parent_url, cms=cms)

    def _adapter(self, response: TextResponse, source: Source) -> Adapter:
        """The registry's CMS if it reads this page as a list, else the fingerprinted one."""
        for cms in dict.fromkeys((source.cms, detect_cms(response.text))):
            if cms is not None:
                adapter = adapter_for(cms)
                if adapter.is_list_page(response):
                    return adapter
        return adapter_for(source.cms)

    def _column_request(self, source: str, url: str, parent_url: str | None, title: str | None) -> Request | None:
        return self.claim_column(self._request(
            source, url, "column", self.parse_list, column=url, parent_url=parent_url, list_title=title, dont_filter=True
        ))

    def _list_requests(self, response: TextResponse, adapter: Adapter, pages: Iterable[ListPage]) -> Iterator[Request]:
        meta = response.meta
        for page in pages:
            yield self._request(
                meta["source"],
                page.url,
                "list",
                self.parse_list,
                column=meta["column"],
                parent_url=response.url,
                cms=adapter.name,
                method=page.method,
                body=page.body,
            )

    def _document_requests(
        self, response: TextResponse, cms: str, links: Iterable[Link], inherit: bool = False
    ) -> Iterator[Request]:
        """Requests for listed documents; attachments of a detail page keep its list title and date."""
        meta = response.meta
        for link in links:
            yield self._request(
                meta["source"],
                link.url,
                link.kind,
                self.parse_document,
                column=meta["column"],
                parent_url=response.url,
                list_title=meta["list_title"] if inherit else link.title,
                list_date=meta["list_date"] if inherit else link.date,
                cms=cms,
            )

    def _request(
        self,
        source: str,
        url: str,
        role: str,
        callback,
        *,
        column: str | None = None,
        parent_url: str | None = None,
        list_title: str | None = None,
        list_date: str | None = None,
        cms: str | None = None,
        hops: int | None = None,
        method: str = "GET",
        body: str | None = None,
        dont_filter: bool = False,
    ) -> Request:
        entry = self.registry[source]
        meta = {
            "source": source,
            "agency": entry.agency,
            "region_code": entry.region_code,
            "role": role,
            "column": column,
            "parent_url": parent_url,
            "list_title": list_title,
            "list_date": list_date,
            "cms": cms,
        }
        if hops is not None:
            meta["hops"] = hops
        return Request(
            url,
            callback=callback,
            errback=self.on_error,
            method=method,
            body=body,
            headers=FORM_HEADERS if method == "POST" else None,
            meta=meta,
            priority=ROLE_PRIORITY.get(role, 0),
            dont_filter=dont_filter,
        )

    def _refresh_target(self, response: TextResponse) -> str | None:
        """Where a root, landing or column page moved by meta refresh, if it did."""
        interval, url = get_meta_refresh(response)
        if url is None or interval >= META_REFRESH_MAX_DELAY or url == response.url:
            return None
        return url

    def _document(self, response: Response) -> FetchedDocument:
        meta = response.meta
        return FetchedDocument(
            url=response.url,
            status=response.status,
            body=response.body,
            headers={name.decode("latin-1"): values[-1] for name, values in response.headers.items() if values},
            source=meta["source"],
            record_id=meta.get("warc_record_id"),
            role=meta["role"],
            column=meta["column"],
            parent_url=meta["parent_url"],
            list_title=meta["list_title"],
            list_date=meta["list_date"],
            fetched_at=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            agency=meta["agency"],
            region_code=meta["region_code"],
        )
