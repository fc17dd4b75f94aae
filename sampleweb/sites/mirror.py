"""A mirror on a non-government host: copies of government pages under the same paths.

The copies are in traditional script with pinyin glosses ("發(fā)布"), porn keywords in the
``<title>``, the original's metadata (so ``SiteDomain`` names the government host, not this
one) and a link back to the original. Out of scope for crawlers: the government site's
footer links here, and nothing here should be archived as the agency's publication.
"""

from __future__ import annotations

from collections.abc import Iterator
from html import escape

from ..items import Entry
from .base import Resolved, Route, Site, date_only
from ..hostile import MIRROR_TITLE_SPAM

PAGE = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
{meta}
<title>{title}</title>
<meta name="keywords" content="{spam}">
</head>
<body>
<div class="top"><a href="/">中國電子政務網</a> | 電子政務 | 政務公開 | 數字政府</div>
<div class="main">
{main}
</div>
<div class="foot">中國電子政務網 版權所有 轉載請註明出處</div>
</body>
</html>"""


class MirrorSite(Site):
    cms = "mirror"
    variant = "plain"

    def landing_path(self) -> str:
        return "/"

    def original(self, entry: Entry) -> tuple[Site, Entry]:
        """The government site and item a copy was taken from."""
        assert self.web is not None, "a mirror copies the web it belongs to"
        original = self.web.entry(entry.item.origin_key or "")
        if original is None:
            raise LookupError(f"{entry.key}: the original {entry.item.origin_key} is not on the web tonight")
        return self.web.sites[original.site], original

    def detail_path(self, entry: Entry) -> str:
        site, original = self.original(entry)
        return site.detail_path(original)

    def attachment_path(self, entry: Entry, index: int) -> str:
        raise LookupError("mirror copies carry no attachments")

    def static_routes(self) -> Iterator[tuple[str, Route]]:
        yield "/", Route("root", self._root)

    def _root(self) -> Resolved:
        items = "".join(f'<li><a href="{escape(self.detail_path(e))}">{escape(e.report.title)}</a> '
                        f"<span>{date_only(e.published)}</span></li>" for e in self.entries)
        html = PAGE.format(meta="", title="中國電子政務網_" + "_".join(MIRROR_TITLE_SPAM),
                           spam=",".join(MIRROR_TITLE_SPAM), main=f"<ul>{items}</ul>")
        return self.page("root", html)

    def render_detail(self, entry: Entry) -> str:
        site, original = self.original(entry)
        meta = site.standard_meta(site.spec.columns[original.column or 0].name, original)
        back = site.url(site.detail_path(original))
        title = f"{entry.report.title}_{'_'.join(MIRROR_TITLE_SPAM)}"
        main = (f"<h1>{escape(entry.report.title)}</h1>"
                f"<div class=\"info\">來源:中國電子政務網 更新時間:{date_only(entry.published)}</div>"
                f'<div class="content">{self.body_html(entry)}</div>'
                f'<p class="source">原文鏈接：<a href="{escape(back)}">{escape(back)}</a></p>')
        return PAGE.format(meta=meta, title=escape(title), spam=",".join(MIRROR_TITLE_SPAM), main=main)
