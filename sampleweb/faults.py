"""The broken web: transport quirks and misbehaving pages, applied to a site's answers.

Which site or item shows which fault is data: ``SITE_FAULTS`` by site and page kind (what a
site's server software does everywhere), per-item faults in ``plan.SPECIALS``. ``apply``
turns a resolved answer into what goes on the wire; ``inventory`` lists every URL affected,
for the manifest, from the same tables.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable
from dataclasses import replace

from . import hostile
from .sites.base import Resolved, Site
from .web import Web
from .wire import Request, Response

PAGES = frozenset({"root", "landing", "column", "list", "detail"})
EVERYTHING = PAGES | {"attachment", "redirect", "robots", "counter", "asset"}
# fault → {site: page kinds it shows on}: what each site's server software does.
SITE_FAULTS: dict[str, dict[str, frozenset[str]]] = {
    # nginx gzip on; Tomcat writes JSP output without a length.
    "gzip": {"huizhou-sthjj": EVERYTHING - {"attachment"}, "fuzhou-czj": frozenset({"detail"})},
    "chunked": {"liangzhou": PAGES | {"counter"}, "huizhou-sthjj": frozenset({"list"})},
    # Load balancer, session and analytics cookies on every page.
    "set_cookie_multi": {"liangzhou": PAGES, "luan-sjj": frozenset({"column", "detail"})},
    # An ASP download script sends the file name in the server's own code page.
    "gbk_content_disposition": {"tongling-jiaoqu": frozenset({"attachment"})},
}
# Faults of single items (plan.SPECIALS) that act at request time.
ITEM_FAULTS = ("slow", "flaky_500", "cloaked")
SLOW_SECONDS = 1.5
ERROR_PAGE = (b"<html><head><title>500 Internal Server Error</title></head><body>"
              b"<h1>Internal Server Error</h1><p>java.lang.NullPointerException</p></body></html>")
# List pages that turn clients away with Retry-After: site → (status, page, body, content type).
RETRY_AFTER_SECONDS = 2
RETRY_AFTER: dict[str, tuple[int, Callable[[Site], str], bytes, str]] = {
    # The gkmlpt JSON API rate-limits its callers.
    "huizhou-sthjj": (429, lambda site: site.api_path(2),
                      '{"code":429,"msg":"访问过于频繁，请稍后再试"}'.encode(), "application/json;charset=UTF-8"),
    # IIS 6 with its application pool recycling.
    "tongling-jiaoqu": (503, lambda site: site.list_path(site.spec.columns[0].id, 2),
                        b"<html><head><title>Service Unavailable</title></head><body><h1>Service Unavailable</h1>"
                        b"</body></html>", "text/html"),
}


def site_faults(site: str, kind: str) -> set[str]:
    return {fault for fault, sites in SITE_FAULTS.items() if kind in sites.get(site, ())}


def apply(web: Web, site: str, request: Request, resolved: Resolved) -> Response:
    """What the server sends for ``resolved``, faults included (before validators)."""
    response = resolved.response
    entry = resolved.entry
    item_faults = set(entry.faults) if entry is not None and resolved.kind == "detail" else set()
    if "cloaked" in item_faults and hostile.from_baidu(request.header("user-agent"), request.header("referer")):
        page = hostile.cloaked_page(entry.report.title)
        return Response(body=page.encode("utf-8"))
    # Odd-numbered requests of a night fail, so every crawl in turn sees the failure once.
    if "flaky_500" in item_faults and web.hit(request.target) % 2 == 1:
        return Response(status=500, body=ERROR_PAGE)
    if site in RETRY_AFTER:  # the refusal still goes out through the server's transport settings
        status, page, body, content_type = RETRY_AFTER[site]
        if web.sites[site].route_target(request) == page(web.sites[site]) and web.hit(request.target) % 2 == 1:
            response = Response(status=status, body=body, content_type=content_type,
                                headers=(("Retry-After", b"%d" % RETRY_AFTER_SECONDS),))
    if "slow" in item_faults:
        response = replace(response, delay=SLOW_SECONDS)
    faults = site_faults(site, resolved.kind)
    if "set_cookie_multi" in faults:
        for cookie in cookies(request.target):
            response = response.with_header("Set-Cookie", cookie)
    if "gbk_content_disposition" in faults and resolved.attachment is not None and response.status == 200:
        name = entry.attachments[resolved.attachment].filename.encode("gbk")
        response = response.with_header("Content-Disposition", b'attachment; filename="' + name + b'"')
    if "gzip" in faults and "gzip" in request.header("accept-encoding").lower():
        response = replace(response, gzip=True)
    if "chunked" in faults:
        response = replace(response, chunked=True)
    return response


def cookies(target: str) -> list[str]:
    """Session, load-balancer and analytics cookies, stable per URL."""
    digest = hashlib.md5(target.encode()).hexdigest().upper()
    stamp = 1774300000 + zlib.crc32(target.encode()) % 86400
    return [f"JSESSIONID={digest}; Path=/; HttpOnly",
            f"SERVERID={digest[:32].lower()}|{stamp}|{stamp};Path=/",
            f"_gscu_1963265786={digest[:20].lower()}; expires=Sat, 27 Mar 2027 02:00:00 GMT; path=/"]


def inventory(web: Web) -> dict[str, list]:
    """Every URL of the night showing each fault, as the manifest lists them."""
    found: dict[str, list] = {name: [] for name in (
        "robots_disallowed", "gzip", "chunked", "slow", "flaky_500", "set_cookie_multi",
        "gbk_content_disposition", "cloaked", "redirect_chain", "stub_attachment", "deleted",
        "meta_refresh", "mirror", "retry_after", "offsite_links")}
    for name, (_, page, _, _) in RETRY_AFTER.items():
        found["retry_after"].append(web.sites[name].url(page(web.sites[name])))
    found["offsite_links"] = [[site.url(site.column_path(0)), web.url(e)] for site in web.sites.values()
                              for e in site.offsite()]
    for name, site in web.sites.items():
        for target, route in site.routes().items():
            url = site.url(target)
            for fault in site_faults(name, route.kind):
                found[fault].append(url)
            if not site.robots_allows(target):
                found["robots_disallowed"].append(url)
            if route.kind == "detail" and route.entry is not None:
                entry = route.entry
                found.update({f: found[f] + [url] for f in ITEM_FAULTS if f in entry.faults})
                if entry.status == "deleted":
                    found["deleted"].append(url)
                elif entry.status == "refresh":
                    found["meta_refresh"].append(url)
                if name == "mirror":
                    found["mirror"].append(url)
                if "redirect_chain" in entry.faults:
                    found["redirect_chain"].append([site.url(hop) for hop in site.redirect_hops(entry)] + [url])
            if route.attachment is not None and route.entry.attachments[route.attachment].stub:
                found["stub_attachment"].append(url)
    return {name: urls if name in ("redirect_chain", "offsite_links") else sorted(urls) for name, urls in found.items()}
