"""A city government portal outside the registry: the kind of host in-scope sites link to.

六安市人民政府's own site publishes the city's annual reports; departments' 年报 lists and
articles link them as 外链 (``plan.OFFSITE_LINKS``). The pages look like any report page —
a crawler without scope control would archive them as the linking department's — but the
host is in no registry entry. Articles sit at the platform's ``/public/{organId}/{id}.html``.
"""

from __future__ import annotations

from collections.abc import Iterator
from html import escape

from ..items import Entry
from .base import Resolved, Route, Site, date_only

ORGAN_ID = "6595951"

PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
{meta}
<title>{title}</title>
</head>
<body>
<div class="header"><div class="container"><a href="/" class="logo">{agency}</a>
<div class="nav"><a href="/">首页</a> <a href="/">政务公开</a> <a href="javascript:;">政务服务</a> <a href="javascript:;">互动交流</a></div></div></div>
<div class="container">
{main}
</div>
<div class="footer"><div class="container">
<p>主办：{agency}办公室　承办：六安市数据资源管理局　地址：六安市梅山南路8号</p>
<p>网站标识码：{code}　<a href="https://beian.miit.gov.cn" target="_blank">{icp}</a></p>
</div></div>
</body>
</html>"""


class PortalSite(Site):
    cms = "portal"
    variant = "editor"

    def landing_path(self) -> str:
        return "/"

    def detail_path(self, entry: Entry) -> str:
        return f"/public/{ORGAN_ID}/{entry.doc_id}.html"

    def attachment_path(self, entry: Entry, index: int) -> str:
        raise LookupError("the portal's reports carry no attachments")

    def static_routes(self) -> Iterator[tuple[str, Route]]:
        yield "/", Route("root", self._root)

    def _page(self, title: str, main: str, entry: Entry | None = None) -> str:
        agency = escape(self.spec.agency)
        meta = self.standard_meta("政府信息公开年报", entry)
        return PAGE.format(meta=meta, title=escape(title), agency=agency, main=main, code=self.spec.site_code,
                           icp=self.spec.icp)

    def _root(self) -> Resolved:
        items = "".join(f'<li><a href="{escape(self.detail_path(e))}">{escape(e.report.title)}</a>'
                        f"<span>{date_only(e.published)}</span></li>" for e in self.entries)
        main = f'<div class="box"><div class="box_title">政府信息公开年报</div><ul>{items}</ul></div>'
        return self.page("root", self._page(self.spec.agency, main), modified=self.latest())

    def render_detail(self, entry: Entry) -> str:
        publisher = escape(entry.report.publisher or entry.report.agency)
        main = (f'<div class="position">当前位置：<a href="/">首页</a> &gt; 政府信息公开年报</div>'
                f'<h1 class="newstitle">{escape(entry.report.title)}</h1>'
                f'<div class="newsinfo">发布时间：{entry.published:%Y-%m-%d %H:%M}　信息来源：{publisher}</div>'
                f'<div class="wzcon j-fontContent">{self.body_html(entry)}</div>')
        return self._page(f"{entry.report.title}_{self.spec.agency}", main, entry)
