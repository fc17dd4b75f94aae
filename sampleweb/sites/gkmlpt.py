"""广东 政府信息公开目录平台 (gkmlpt): a city department.

The reports column ``/gkmlpt/annualreport#{catId}`` is an empty shell: its list is loaded by
script from the JSON API ``/gkmlpt/api/all/{catId}?page=N&sid={SID}``, where the SID (and
the catId, for clients that drop the fragment) are only in the page's ``window._CONFIG``.
Articles ``/gkmlpt/content/{a}/{b}/post_{id}.html`` repeat their metadata as JSON in
``window._CONFIG.DETAIL``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from html import escape

from ..items import Entry
from ..wire import Request, Response
from .assets import CSS, GKMLPT, JS, STYLES
from .base import Resolved, Route, Site, date_only

SID = "755093"
PAGE_SIZE = 10
API = "/gkmlpt/api/all/"
LANDING = "/gkmlpt/index"
COLUMN = "/gkmlpt/annualreport"
JSON_TYPE = "application/json;charset=UTF-8"

HEAD = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
{meta}
<title>{title}</title>
<link rel="stylesheet" href="/gkmlpt/static/css/gkmlpt.css">
<script>
window._CONFIG = {config};
</script>
</head>
<body>
<div class="gkmlpt-header"><div class="wrap"><a href="/" class="logo"><img src="/gkmlpt/static/img/logo.png" alt="{agency}"></a>
<h1>{agency}政府信息公开</h1><div class="tools"><a href="javascript:;">无障碍</a><a href="javascript:;">关怀版</a></div></div></div>
<div class="gkmlpt-nav"><div class="wrap"><a href="/">首页</a><a href="{landing}">政府信息公开目录</a><a href="javascript:;">政府信息公开指南</a><a href="javascript:;">依申请公开</a></div></div>
<div class="gkmlpt-main wrap">
"""
FOOT = """</div>
<div class="gkmlpt-footer"><div class="wrap">
<p>主办单位：{agency}　<a href="javascript:;">网站地图</a>　<a href="javascript:;">联系我们</a></p>
<p>网站标识码：{code}　<a href="https://beian.miit.gov.cn/" target="_blank">{icp}</a>　粤公网安备 44130202000123号</p>
<p><span id="_ideConac"><img src="/gkmlpt/static/img/red.png" alt="党政机关"></span></p>
</div></div>
<script src="/gkmlpt/static/js/vendor.js"></script>
<script src="/gkmlpt/static/js/gkmlpt.js"></script>
</body>
</html>"""
LANDING_MAIN = """<div class="crumb">当前位置：<a href="/">首页</a> &gt; 政府信息公开目录</div>
<div class="catalog-tree"><ul>
<li><a href="javascript:;">政府信息公开指南</a></li><li><a href="javascript:;">政府信息公开制度</a></li>
<li><a href="javascript:;">法定主动公开内容</a></li><li><a href="{column}">政府信息公开年报</a></li>
<li><a href="javascript:;">依申请公开</a></li></ul></div>
<div id="gkmlpt-list" class="content-list"></div>
"""
COLUMN_MAIN = """<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="{landing}">政府信息公开目录</a> &gt; {column}</div>
<div class="annual-report"><h2>{column}</h2>
<div id="report-list" class="content-list"><!-- 列表由脚本加载 --></div>
<div id="report-pager" class="pager"></div>
<noscript>请开启浏览器的JavaScript功能以浏览本栏目。</noscript>
</div>
"""
DETAIL_MAIN = """<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="{landing}">政府信息公开目录</a> &gt; <a href="{column_href}">{column}</a></div>
<div class="detail">
<table class="classify">
<tr><td class="td-label">索引号：</td><td class="td-value">{index_no}</td><td class="td-label">分类：</td><td class="td-value">{column}</td></tr>
<tr><td class="td-label">发布机构：</td><td class="td-value">{publisher}</td><td class="td-label">成文日期：</td><td class="td-value">{date}</td></tr>
<tr><td class="td-label">名称：</td><td class="td-value" colspan="3">{title}</td></tr>
<tr><td class="td-label">文号：</td><td class="td-value"></td><td class="td-label">发布日期：</td><td class="td-value">{date}</td></tr>
</table>
<div class="content"><h1 class="title">{title}</h1>
<div class="info"><span>发布日期：{datetime}</span><span>来源：{publisher}</span><span>浏览次数：<em id="visit-count"></em></span><span>字号：<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a></span></div>
<div class="article-content">
{body}
</div>
{files}
<div class="operate"><span class="share">分享：<a href="javascript:;" title="微信">微信</a><a href="javascript:;" title="微博">微博</a><a href="javascript:;" title="QQ空间">QQ空间</a></span><a href="javascript:window.print();">【打印】</a><a href="javascript:window.close();">【关闭】</a></div>
<div class="qrcode"><div id="qrcode"></div><p>扫一扫在手机打开当前页</p></div>
</div>
</div>
"""


class GkmlptSite(Site):
    cms = "gkmlpt"
    variant = "plain"
    assets = {"/gkmlpt/static/css/gkmlpt.css": (STYLES["gkmlpt"], CSS), "/gkmlpt/static/js/gkmlpt.js": (GKMLPT, JS)}

    @property
    def cat_id(self) -> str:
        return self.spec.columns[0].id

    # -- layout ------------------------------------------------------------------------------
    def landing_path(self) -> str:
        return LANDING

    def column_path(self, index: int) -> str:
        return f"{COLUMN}#{self.spec.columns[index].id}"

    def api_path(self, page: int) -> str:
        return f"{API}{self.cat_id}?page={page}&sid={SID}"

    def detail_path(self, entry: Entry) -> str:
        post = entry.doc_id
        return f"/gkmlpt/content/{post // 1_000_000}/{post // 1000}/post_{post}.html"

    def attachment_path(self, entry: Entry, index: int) -> str:
        post = entry.doc_id
        return f"/attachment/0/{post // 10000}/{post // 100}/{post}_{index}.{entry.attachments[index].extension}"

    # -- routes ------------------------------------------------------------------------------
    def static_routes(self) -> Iterator[tuple[str, Route]]:
        yield "/", Route("root", self._root)
        yield LANDING, Route("landing", self._landing)
        yield COLUMN, Route("column", self._column)
        for page in range(1, self._pages() + 1):
            yield self.api_path(page), Route("list", lambda p=page: self._api(p, SID))

    def dynamic(self, request: Request) -> Resolved | None:
        if request.path == f"{API}{self.cat_id}":
            page = request.query.get("page", "1")
            return self._api(int(page) if page.isdigit() else 1, request.query.get("sid", ""))
        return None

    def _pages(self) -> int:
        return max(1, -(-len(self.column_entries(0)) // PAGE_SIZE))

    # -- pages -------------------------------------------------------------------------------
    def _classify(self) -> dict:
        column = self.spec.columns[0]
        count = len(self.column_entries(0))
        return {"id": int(column.id), "name": column.name, "parent": 0, "post_count": count, "theme_count": count}

    def _config(self, entry: Entry | None = None) -> str:
        """``window._CONFIG``: the catalog tree on catalog pages, the record on articles."""
        config: dict = {"SID": SID, "SITE_NAME": self.spec.agency, "CAT_ID": self.cat_id,
                        "API_BASE": "/gkmlpt/api/", "PAGE_SIZE": PAGE_SIZE}
        if entry is None:
            config["TREE"] = [self._classify()]
        else:
            config["DETAIL"] = self._article(entry) | {"document_number": "", "catalog": self.spec.columns[0].name}
        return json.dumps(config, ensure_ascii=False).replace("</", "<\\/")

    def _frame(self, title: str, column: str, main: str, entry: Entry | None = None) -> str:
        agency = escape(self.spec.agency)
        return (HEAD.format(meta=self.standard_meta(column, entry), title=escape(title), config=self._config(entry),
                            agency=agency, landing=LANDING)
                + main + FOOT.format(agency=agency, code=self.spec.site_code, icp=self.spec.icp))

    def _root(self) -> Resolved:
        main = ('<div class="home"><div class="box"><h3>环境要闻</h3><ul><li><a href="javascript:;">'
                "惠州市召开2026年生态环境保护工作会议</a><span>2026-02-26</span></li></ul></div>"
                f'<div class="box"><h3><a href="{LANDING}">政府信息公开</a></h3></div></div>')
        return self.page("root", self._frame(self.spec.agency, "首页", main))

    def _landing(self) -> Resolved:
        main = LANDING_MAIN.format(column=self.column_path(0))
        return self.page("landing", self._frame(f"政府信息公开目录_{self.spec.agency}", "政府信息公开目录", main))

    def _column(self) -> Resolved:
        name = self.spec.columns[0].name
        main = COLUMN_MAIN.format(landing=LANDING, column=escape(name))
        return self.page("column", self._frame(f"{name}_{self.spec.agency}", name, main))

    def _article(self, entry: Entry) -> dict:
        stamp = int(entry.published.timestamp())
        return {"id": entry.doc_id, "title": entry.report.title, "url": self.url(self.detail_path(entry)),
                "identifier": self._index_no(entry), "publisher": entry.report.publisher or entry.report.agency,
                "classify_main_name": self.spec.columns[0].name, "date": stamp,
                "created_at": entry.published.strftime("%Y-%m-%d %H:%M:%S"), "first_publish_time": stamp}

    def _api(self, page: int, sid: str) -> Resolved:
        if sid != SID:
            body = json.dumps({"code": 403, "msg": "非法请求：sid错误"}, ensure_ascii=False)
            return Resolved("list", Response(status=403, body=body.encode("utf-8"), content_type=JSON_TYPE))
        entries = self.column_entries(0)
        shown = entries[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
        data = {"classify": self._classify(), "total": len(entries), "page": page, "page_size": PAGE_SIZE,
                "articles": [self._article(e) for e in shown]}
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        return Resolved("list", Response(body=body, content_type=JSON_TYPE, cacheable=True,
                                         modified=self.latest(entries)))

    def _index_no(self, entry: Entry) -> str:
        return f"11441300MB2C93012T/{entry.published.year}-{entry.doc_id % 100000:05d}"

    def render_detail(self, entry: Entry) -> str:
        name = self.spec.columns[0].name
        publisher = escape(entry.report.publisher or entry.report.agency)
        files = "".join(f'<li><a href="{self.attachment_path(entry, i)}" target="_blank">{escape(a.filename)}</a></li>'
                        for i, a in enumerate(entry.attachments))
        files = f'<div class="attachments"><h4>附件：</h4><ul>{files}</ul></div>' if files else ""
        main = DETAIL_MAIN.format(
            landing=LANDING, column_href=self.column_path(0), column=escape(name), index_no=self._index_no(entry),
            publisher=publisher, date=date_only(entry.published), title=escape(entry.report.title),
            datetime=entry.published.strftime("%Y-%m-%d %H:%M"), body=self.body_html(entry), files=files)
        return self._frame(f"{entry.report.title}_{self.spec.agency}", name, main, entry)
