"""What every CMS of the sample web shares: layout hooks, routing, standard metadata, responses.

A site is built per night from its entries. Subclasses (one CMS per module) define the URL
layout and render pages in their platform's markup; this base turns those into responses
(deleted items answer 404, refreshed ones a meta refresh, hacked ones carry their link farm)
and keeps a table of every URL the site serves, so faults and the manifest can enumerate it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit

from ..content import render_html
from ..items import Entry
from ..plan import OFFSITE_LINKS, Origin, SiteSpec
from ..wire import Request, Response

if TYPE_CHECKING:
    from ..web import Web

# When the sites' static furniture (robots.txt, landing pages) was last touched.
FURNITURE_TIME = dt.datetime(2025, 11, 3, 16, 20, tzinfo=dt.timezone(dt.timedelta(hours=8)))
MIME = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xls": "application/vnd.ms-excel", "doc": "application/msword", "image": "application/pdf"}
ATTACHMENT_ONLY_BODY = '<p style="text-indent: 2em;">（详见附件）</p>'
NOT_FOUND_PAGE = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>404 页面不存在</title></head>'
                  '<body><div style="text-align:center;padding:80px"><h2>抱歉，您访问的页面不存在或已被删除！</h2>'
                  '<p><a href="/">返回首页</a></p></div></body></html>')


@dataclass(frozen=True)
class Resolved:
    """A response and what it is: ``kind`` is root, landing, column, list, detail, attachment,
    redirect, print, robots, counter, asset or missing; ``entry`` the item it belongs to."""

    kind: str
    response: Response
    entry: Entry | None = None
    attachment: int | None = None  # index into entry.attachments


@dataclass(frozen=True)
class Listed:
    """One line of a list page: where it links (a path here, or another host's URL), its title
    and date; ``doc_id`` orders items published at the same moment."""

    href: str
    title: str
    published: dt.datetime
    doc_id: int


@dataclass(frozen=True)
class Route:
    """An URL the site serves: its kind, the item (and attachment) it belongs to, its builder."""

    kind: str
    build: Callable[[], Resolved]
    entry: Entry | None = None
    attachment: int | None = None


class Site:
    """A CMS site on one night. Subclasses set ``cms`` and implement the layout and pages."""

    cms: ClassVar[str] = ""
    variant: ClassVar[str] = "editor"  # content.render_html variant the site's editor produces
    charset: ClassVar[str] = "utf-8"
    content_type: ClassVar[str] = "text/html; charset=utf-8"
    disallowed_dirs: ClassVar[tuple[str, ...]] = ()  # what robots.txt keeps crawlers out of, always
    assets: ClassVar[dict[str, tuple[str, str]]] = {}  # path → (text, content type), see assets.py

    def __init__(self, spec: SiteSpec, origin: Origin, entries: list[Entry] = (), web: Web | None = None):
        self.spec = spec
        self.origin = origin
        self.entries = list(entries)
        self.web = web
        self._routes: dict[str, Route] | None = None
        self._aliases: dict[str, str] = {}  # query_form(target) → the route's target
        self._answers: dict[str, Resolved] = {}  # a night's pages never change: build each once

    # -- layout: subclasses -------------------------------------------------------------------
    def landing_path(self) -> str:
        raise NotImplementedError

    def column_path(self, index: int) -> str:
        raise NotImplementedError

    def detail_path(self, entry: Entry) -> str:
        raise NotImplementedError

    def attachment_path(self, entry: Entry, index: int) -> str:
        raise NotImplementedError

    def static_routes(self) -> Iterator[tuple[str, Route]]:
        """Site-specific URLs (root, landing, column and list pages, furniture) → routes."""
        raise NotImplementedError

    def dynamic(self, request: Request) -> Resolved | None:
        """Answers for URLs outside the route table (POST endpoints, reordered queries)."""
        return None

    def render_detail(self, entry: Entry) -> str:
        raise NotImplementedError

    def attachment_response(self, entry: Entry, index: int) -> Response:
        """The answer at the attachment's address: the file itself, unless a script redirects."""
        return self.file_response(entry, index)

    def file_response(self, entry: Entry, index: int) -> Response:
        """A stored file as the web server sends it."""
        attachment = entry.attachments[index]
        return Response(body=self.attachment_bytes(entry, index), content_type=MIME[attachment.format],
                        cacheable=True, modified=entry.published)

    def robots_folder(self, entry: Entry) -> str:
        """The folder robots.txt disallows to keep crawlers off an item planted behind it (``robots``)."""
        raise NotImplementedError(f"{self.cms} sites put no item behind robots.txt")

    def redirect_hops(self, entry: Entry) -> list[str]:
        """Old paths an item moved from, oldest first, each 301-ing to the next (redirect_chain)."""
        return []

    # -- derived layout ----------------------------------------------------------------------
    @property
    def root_path(self) -> str:
        return "/"

    def url(self, path: str) -> str:
        return self.origin.url + path

    def column_entries(self, index: int) -> list[Entry]:
        """The listed items of a column, newest first, as the CMS sorts them."""
        listed = [e for e in self.entries if e.listed and e.column == index]
        return sorted(listed, key=lambda e: (e.published, e.doc_id), reverse=True)

    def offsite(self) -> list[Entry]:
        """Items on other hosts this site links (外链, ``plan.OFFSITE_LINKS``): in its first
        column's list and in the 相关链接 of its articles."""
        if self.web is None:
            return []
        return [entry for key in OFFSITE_LINKS.get(self.spec.name, ()) if (entry := self.web.entry(key))]

    def offsite_title(self, entry: Entry) -> str:
        """How a 外链 is titled here: 【转载】 and the report's own title (a copy's original's)."""
        original = self.web.entry(entry.item.origin_key) if self.web and entry.item.origin_key else None
        return "【转载】" + (original or entry).report.title

    def listing(self, index: int) -> list[Listed]:
        """What a column's list shows, newest first: its items, and in the first column the 外链
        entries the CMS lets editors add, which point to pages on other hosts."""
        listed = [Listed(self.list_href(e), e.report.title, e.published, e.doc_id) for e in self.column_entries(index)]
        if index == 0:
            listed += [Listed(self.web.url(e), self.offsite_title(e), e.published, e.doc_id) for e in self.offsite()]
        return sorted(listed, key=lambda item: (item.published, item.doc_id), reverse=True)

    def related_links(self) -> str:
        """The 相关链接 box articles carry: the site's 外链, empty when it has none."""
        links = "".join(f'<li><a href="{escape(self.web.url(e))}" target="_blank">{escape(self.offsite_title(e))}</a></li>'
                        for e in self.offsite())
        return f'<div class="xglj"><div class="xglj_title">相关链接</div><ul>{links}</ul></div>' if links else ""

    @property
    def disallow(self) -> tuple[str, ...]:
        """Path prefixes robots.txt disallows: the site's own, and the folders of items put behind it."""
        planted = (self.robots_folder(e) for e in self.entries if "robots" in e.faults)
        return tuple(dict.fromkeys((*self.disallowed_dirs, *planted)))

    def robots_allows(self, target: str) -> bool:
        """Whether robots.txt lets crawlers fetch ``target`` (path and query)."""
        return not any(target.startswith(prefix) for prefix in self.disallow)

    def list_href(self, entry: Entry) -> str:
        """Where a list links an item: its old address when it moved, else its page."""
        hops = self.redirect_hops(entry) if "redirect_chain" in entry.faults else []
        return hops[0] if hops else self.detail_path(entry)

    def friend_url(self, site: str) -> str:
        """The root of another site of the web (friendly links in footers)."""
        return self.web.origins[site].url + "/" if self.web is not None else "/"

    def latest(self, entries: Sequence[Entry | Listed] | None = None) -> dt.datetime:
        pool = self.entries if entries is None else entries
        return max((e.published for e in pool), default=FURNITURE_TIME)

    def file_token(self, entry: Entry, index: int) -> str:
        """A stable hex name for an attachment, as CMSs store uploads under hashed names."""
        return hashlib.sha1(f"{entry.key}#{index}".encode()).hexdigest()[:32]

    # -- routing -----------------------------------------------------------------------------
    def routes(self) -> dict[str, Route]:
        """Every URL the site serves without a request body, canonical form → (kind, builder)."""
        if self._routes is None:
            routes: dict[str, Route] = {"/robots.txt": Route("robots", self._robots)}
            routes.update((path, Route("asset", lambda p=path: self._asset(p))) for path in self.assets)
            routes.update(self.static_routes())
            for entry in self.entries:
                routes[self.detail_path(entry)] = Route("detail", lambda e=entry: self._detail(e), entry)
                for index, _ in enumerate(entry.attachments):
                    routes[self.attachment_path(entry, index)] = Route(
                        "attachment", lambda e=entry, i=index: self._attachment(e, i, self.attachment_response),
                        entry, index)
                hops = self.redirect_hops(entry) if "redirect_chain" in entry.faults else []
                targets = hops[1:] + [self.detail_path(entry)]
                for hop, target in zip(hops, targets):
                    routes[hop] = Route("redirect", lambda t=target, e=entry: Resolved(
                        "redirect", redirect(self.url(t), 301), e), entry)
            self._routes = routes
            self._aliases = {query_form(target): target for target in routes if "?" in target}
        return self._routes

    def route_target(self, request: Request) -> str | None:
        """The route a GET/HEAD request reaches (query parameters in any order), if any."""
        routes = self.routes()
        if request.method not in ("GET", "HEAD"):
            return None
        return request.target if request.target in routes else self._aliases.get(query_form(request.target))

    def respond(self, request: Request) -> Resolved | None:
        """The answer to a request: a route, else ``dynamic``."""
        routes = self.routes()
        target = self.route_target(request)
        if target is None:
            return self.dynamic(request)
        answer = self._answers.get(target)
        if answer is None:
            answer = self._answers[target] = routes[target].build()
        return answer

    # -- responses ---------------------------------------------------------------------------
    def page(self, kind: str, html: str, *, modified: dt.datetime | None = None,
             entry: Entry | None = None) -> Resolved:
        body = html.encode(self.charset, "xmlcharrefreplace")
        return Resolved(kind, Response(body=body, content_type=self.content_type, cacheable=True,
                                       modified=modified or FURNITURE_TIME), entry)

    def body_html(self, entry: Entry) -> str:
        """The report body fragment as the site's editor made it, a link farm first if hacked.

        Items published only as attachments have a one-line body pointing to them.
        """
        if entry.format != "html":
            return entry.farm_html + ATTACHMENT_ONLY_BODY
        fragment = render_html(entry.report, variant=self.variant, seed=entry.doc_id)
        return entry.farm_html + fragment

    def attachment_bytes(self, entry: Entry, index: int) -> bytes:
        assert self.web is not None, "attachments need the web they belong to"
        return self.web.attachment_bytes(entry, index)

    def _detail(self, entry: Entry) -> Resolved:
        if entry.status == "deleted":
            return Resolved("detail", not_found(), entry)
        if entry.status == "refresh":
            column = self.column_path(entry.column or 0)
            html = (f'<html><head><meta http-equiv="refresh" content="0;url={escape(column)}">'
                    f"<title>{escape(entry.report.title)}</title></head><body></body></html>")
            return self.page("detail", html, modified=entry.published, entry=entry)
        return self.page("detail", self.render_detail(entry), modified=entry.published, entry=entry)

    def _attachment(self, entry: Entry, index: int, respond: Callable[[Entry, int], Response]) -> Resolved:
        if entry.status == "deleted":
            return Resolved("attachment", not_found(), entry, index)
        return Resolved("attachment", respond(entry, index), entry, index)

    def file_route(self, entry: Entry, index: int) -> Route:
        """The route of a stored file behind a download script."""
        return Route("attachment", lambda: self._attachment(entry, index, self.file_response), entry, index)

    def _asset(self, path: str) -> Resolved:
        text, content_type = self.assets[path]
        return Resolved("asset", Response(body=text.encode(self.charset), content_type=content_type, cacheable=True,
                                          modified=FURNITURE_TIME))

    def _robots(self) -> Resolved:
        lines = ["User-agent: *"] + [f"Disallow: {path}" for path in self.disallow] + [""]
        if not self.disallow:
            lines.insert(1, "Disallow:")
        body = "\n".join(lines).encode("ascii")
        return Resolved("robots", Response(body=body, content_type="text/plain", cacheable=True,
                                           modified=FURNITURE_TIME))

    # -- markup shared by CMSs ---------------------------------------------------------------
    def standard_meta(self, column: str, entry: Entry | None = None) -> str:
        """GB/T 42147-2022 metadata tags as TRS, Hanweb and Anhui templates print them."""
        spec = self.spec
        tags = [("SiteName", spec.agency), ("SiteDomain", spec.domain), ("SiteIDCode", spec.site_code),
                ("ColumnName", column), ("ColumnType", column)]
        if entry is not None:
            tags += [("ArticleTitle", entry.report.title),
                     ("PubDate", entry.published.strftime("%Y-%m-%d %H:%M")),
                     ("ContentSource", entry.report.publisher or spec.agency),
                     ("Keywords", ""), ("Author", ""), ("Description", ""),
                     ("Url", f"http://{spec.domain}{self.detail_path(entry)}")]
        return "\n".join(f'<meta name="{name}" content="{escape(value)}"/>' for name, value in tags)


def query_form(target: str) -> str:
    """A target with its query parameters decoded and sorted: servers read them by name."""
    parts = urlsplit(target)
    return parts.path + "?" + urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))


def redirect(location: str, status: int = 302) -> Response:
    body = f"<html><body>Moved to <a href=\"{escape(location)}\">{escape(location)}</a></body></html>"
    return Response(status=status, body=body.encode(), headers=(("Location", location.encode("latin-1")),))


def not_found() -> Response:
    return Response(status=404, body=NOT_FOUND_PAGE.encode("utf-8"))


def date_only(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d")
