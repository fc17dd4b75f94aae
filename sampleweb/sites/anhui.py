"""The Anhui-origin 政务公开 platform (also run in 江西, 河南, 青海): a city bureau.

The column page ``/public/column/{organId}?type=4&catId={catId}&action=list`` shows the
first page and ``pageCount:N`` in its pager script; further pages are HTML fragments from
``/site/label/8888?IsAjax=1&dataType=html&labelName=publicInfoList&…&pageIndex=N``.
Articles ``/public/{organId}/{docId}.html`` carry a ``table.table_suoyin`` metadata table,
the body in ``div.wzcon.j-fontContent``, 文件下载 and the 政策咨询 box; attachments are
stored under ``/group6/M00/…``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode

from ..items import Entry
from ..wire import Request
from .assets import CSS, JQUERY, JS, LS, STYLES
from .base import Listed, Resolved, Route, Site, date_only



@dataclass(frozen=True)
class Install:
    """One install of the platform: its organ and site ids and the footer's particulars."""

    organ_id: str
    site_id: str
    address: str
    phone: str
    hotline: str
    police_record: str
    governments: tuple[tuple[str, str], ...]  # the 政府网站 drop-down: (name, URL)


# Installs by 政府网站标识码 (SiteSpec.site_code).
INSTALLS = {
    "3415000040": Install("6596271", "35", "六安市佛子岭中路168号", "0564-3382618", "市长热线：0564-12345",
                          "34150202000123", (("安徽省人民政府", "https://www.ah.gov.cn/"),
                                             ("六安市人民政府", "https://www.luan.gov.cn/"))),
    "3400000016": Install("5579281", "1", "合肥市包河区中山路1号", "0551-62601234", "省政务服务便民热线：12345",
                          "34010402000816", (("中国政府网", "https://www.gov.cn/"),
                                             ("安徽省人民政府", "https://www.ah.gov.cn/"))),
}
PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
LABEL = "/site/label/8888"
# Uploads go to a FastDFS group by date; the old group is kept out of search engines.
OLD_GROUP, GROUP, NEW_GROUP_FROM = "/group1/", "/group6/", 2020
# What the platform's label template adds to every list request.
LABEL_EXTRAS = {"isDate": "true", "dateFormat": "yyyy-MM-dd", "length": 50, "type": 4, "cId": "",
                "result": "暂无相关信息", "file": "/xxgk/publicInfoList_newest2020"}

HEAD = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">
{meta}
<title>{title}</title>
<link rel="stylesheet" href="/assets/css/core.min.css">
<link rel="stylesheet" href="/dist/css/xxgk.css">
<script src="/assets/js/jquery.min.js"></script>
<script src="/assets/js/core.min.js"></script>
</head>
<body>
<div class="ls-page-head"><div class="container">
<div class="top-bar"><span class="fl">欢迎访问{agency}网站</span><span class="fr"><a href="javascript:;" id="jsAssistant">无障碍</a> | <a href="javascript:;">长者版</a> | <a href="javascript:;">English</a></span></div>
<div class="logo"><a href="/"><img src="/images/logo.png" alt="{agency}"></a></div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="{landing}">政务公开</a></li><li><a href="javascript:;">政务服务</a></li><li><a href="javascript:;">互动交流</a></li></ul></div>
</div></div>
<div class="container">
"""
FOOT = """</div>
<div class="footer"><div class="container">
<div class="links"><select onchange="window.open(this.value)"><option>-- 政府网站 --</option>{governments}</select>
<span class="friend">友情链接：<a href="{mirror}" target="_blank">中国电子政务网</a></span></div>
<p>主办：{agency}　地址：{address}　电话：{phone}</p>
<p>网站标识码：{code}　<a href="https://beian.miit.gov.cn" target="_blank">{icp}</a>　皖公网安备 {police}号</p>
<p><span id="_ideConac"><img src="/images/red.png" alt="党政机关"></span></p>
</div></div>
{script}
</body>
</html>"""
POSITION = ('<div class="wzy_position"><span>当前位置：</span><a href="/">首页</a> &gt; <a href="{landing}">政务公开</a> '
            "&gt; <a href=\"{landing}\">政府信息公开</a>{last}</div>")
LANDING_MAIN = """{position}
<div class="xxgk_left"><div class="xxgk_title">政府信息公开</div><ul class="xxgk_nav">
<li><a href="javascript:;">政府信息公开指南</a></li><li><a href="javascript:;">政府信息公开制度</a></li>
<li><a href="javascript:;">法定主动公开内容</a></li><li><a href="{column}">政府信息公开年报</a></li>
<li><a href="javascript:;">依申请公开</a></li></ul></div>
<div class="xxgk_right"><div class="xxgk_jbxx">机构名称：{agency}</div></div>
"""
COLUMN_MAIN = """{position}
<div class="xxgk_right"><div class="xxgk_lmtitle">{column}</div>
<div class="xxgk_navli_head"><span class="bt">标题</span><span class="date">发布日期</span></div>
<div id="xxgk_lmcon">
{items}
</div>
<div id="page_public_info"></div>
</div>
"""
COLUMN_SCRIPT = """<script type="text/javascript">
$(function(){{
  var cfg = {{organId:'{organ}', catId:'{cat}', siteId:'{site}', pageSize:{size}}};
  Ls.pagination("#page_public_info", function (pageIndex) {{
    $("#xxgk_lmcon").load("{label}?IsAjax=1&dataType=html&_=" + Math.random() + "&labelName=publicInfoList&siteId=" + cfg.siteId + "&pageSize=" + cfg.pageSize + "&pageIndex=" + pageIndex + "&action=list&isDate=true&dateFormat=yyyy-MM-dd&length=50&organId=" + cfg.organId + "&type=4&catId=" + cfg.catId + "&cId=&result=%E6%9A%82%E6%97%A0%E7%9B%B8%E5%85%B3%E4%BF%A1%E6%81%AF&file=%2Fxxgk%2FpublicInfoList_newest2020");
  }}, {{currPage: 1, pageCount:{pages}, total:{total}}});
}});
</script>"""
ITEM = ('<div class="xxgk_navli"><ul><li class="xh">{number}</li><li class="mc"><a href="{href}" title="{title}" '
        'target="_blank">{title}</a></li><li class="rq"><span class="date">{date}</span></li></ul></div>')
DETAIL_MAIN = """{position}
<div class="wzy_content">
<table class="table_suoyin" width="100%" cellspacing="0" cellpadding="0">
<tr><th width="15%">索引号：</th><td class="pmingcheng" width="35%">{index_no}</td><th width="15%">组配分类：</th><td class="pmingcheng">{column}</td></tr>
<tr><th>发布机构：</th><td class="pmingcheng">{publisher}</td><th>主题分类：</th><td class="pmingcheng">综合政务</td></tr>
<tr><th>名称：</th><td class="pmingcheng" colspan="3">{title}</td></tr>
<tr><th>文号：</th><td class="pmingcheng"></td><th>生成日期：</th><td class="pmingcheng">{date}</td></tr>
<tr><th>发布日期：</th><td class="pmingcheng">{date}</td><th>有效性：</th><td class="pmingcheng">有效</td></tr>
</table>
<h1 class="newstitle">{title}</h1>
<div class="newsinfo">发布时间：{datetime}　信息来源：{publisher}　阅读次数：<span id="hits"></span>　字号：<a href="javascript:;" class="j-fontBig">大</a> <a href="javascript:;" class="j-fontNormal">中</a> <a href="javascript:;" class="j-fontSmall">小</a>　<a href="javascript:window.print();">打印</a></div>
<div class="wzcon j-fontContent">
{body}
</div>
{files}
{related}
<div class="wzy_tools"><div class="share">分享到：<a href="javascript:;" title="微信">微信</a> <a href="javascript:;" title="新浪微博">微博</a> <a href="javascript:;" title="QQ空间">QQ空间</a></div><a href="javascript:window.print();">【打印本页】</a> <a href="javascript:window.close();">【关闭窗口】</a><div class="ewm"><div id="qrcode"></div><p>扫一扫在手机打开当前页</p></div></div>
<div class="zczx"><div class="zczx_title">政策咨询</div><p>如果您对该政策文件有疑问，可以点击“我要问”在线咨询，也可以拨打上方的电话咨询相关部门，或者拨打{hotline}。</p><a href="javascript:;" class="wyw">我要问</a></div>
</div>
"""


class AnhuiSite(Site):
    cms = "anhui"
    variant = "editor"
    disallowed_dirs = (OLD_GROUP,)
    assets = {"/dist/css/xxgk.css": (STYLES["anhui"], CSS), "/assets/js/jquery.min.js": (JQUERY, JS),
              "/assets/js/core.min.js": (LS, JS)}

    @property
    def install(self) -> Install:
        return INSTALLS[self.spec.site_code]

    # -- layout ------------------------------------------------------------------------------
    def landing_path(self) -> str:
        return f"/public/column/{self.install.organ_id}?type=4&action=xxgk"

    def column_path(self, index: int) -> str:
        return f"/public/column/{self.install.organ_id}?type=4&catId={self.spec.columns[index].id}&action=list"

    def fragment_path(self, index: int, page: int) -> str:
        query = urlencode({"IsAjax": 1, "dataType": "html", "labelName": "publicInfoList", "siteId": self.install.site_id,
                           "organId": self.install.organ_id, "catId": self.spec.columns[index].id, "pageSize": PAGE_SIZE,
                           "pageIndex": page, "action": "list", **LABEL_EXTRAS})
        return f"{LABEL}?{query}"

    def detail_path(self, entry: Entry) -> str:
        return f"/public/{self.install.organ_id}/{entry.doc_id}.html"

    def attachment_path(self, entry: Entry, index: int) -> str:
        token = self.file_token(entry, index)
        group = GROUP if entry.published.year >= NEW_GROUP_FROM else OLD_GROUP
        return (f"{group}M00/{token[:2].upper()}/{token[2:4].upper()}/wKgBCm{token[4:20]}."
                f"{entry.attachments[index].extension}")

    # -- routes ------------------------------------------------------------------------------
    def static_routes(self) -> Iterator[tuple[str, Route]]:
        yield "/", Route("root", self._root)
        yield "/index.html", Route("root", self._root)
        yield self.landing_path(), Route("landing", self._landing)
        for index, _ in enumerate(self.spec.columns):
            yield self.column_path(index), Route("column", lambda i=index: self._column(i))
            for page in range(1, self._pages(index) + 1):
                yield self.fragment_path(index, page), Route("list", lambda i=index, p=page: self._fragment(i, p))

    def dynamic(self, request: Request) -> Resolved | None:
        """The platform reads its parameters by name, in any order, from the query or a POST form;
        a column may be named by ``catId`` or in a ``catIds`` list."""
        query = {**request.query, **request.form()}
        organ = self.install.organ_id
        for index, column in enumerate(self.spec.columns):
            named = query.get("catId") == column.id or column.id in query.get("catIds", "").split(",")
            if not named or query.get("organId", organ) != organ:
                continue
            if request.path == f"/public/column/{organ}" and query.get("action") == "list":
                return self._column(index)
            if request.path == LABEL and query.get("pageIndex", "").isdigit():
                size = query.get("pageSize", "")
                return self._fragment(index, int(query["pageIndex"]), int(size) if size.isdigit() else PAGE_SIZE)
        return None

    def _pages(self, index: int) -> int:
        return max(1, -(-len(self.listing(index)) // PAGE_SIZE))

    # -- pages -------------------------------------------------------------------------------
    def _frame(self, title: str, column: str, main: str, entry: Entry | None = None, script: str = "") -> str:
        install = self.install
        governments = "".join(f'<option value="{url}">{escape(name)}</option>' for name, url in install.governments)
        agency = escape(self.spec.agency)
        return (HEAD.format(meta=self.standard_meta(column, entry), title=escape(title), agency=agency,
                            landing=self.landing_path())
                + main + FOOT.format(agency=agency, code=self.spec.site_code, icp=self.spec.icp, script=script,
                                    mirror=self.friend_url("mirror"), governments=governments,
                                    address=install.address, phone=install.phone, police=install.police_record))

    def _position(self, last: str = "") -> str:
        return POSITION.format(landing=escape(self.landing_path()), last=last)

    def _root(self) -> Resolved:
        main = ('<div class="home"><div class="box"><div class="box_title">工作动态</div><ul><li><a href="javascript:;">'
                f"{escape(self.spec.agency)}召开2026年度重点工作推进会</a><span>2026-03-02</span></li></ul></div>"
                f'<div class="box"><div class="box_title"><a href="{escape(self.landing_path())}">政府信息公开</a></div></div></div>')
        return self.page("root", self._frame(self.spec.agency, "首页", main))

    def _landing(self) -> Resolved:
        main = LANDING_MAIN.format(position=self._position(), column=escape(self.column_path(0)),
                                   agency=escape(self.spec.agency))
        return self.page("landing", self._frame(f"政府信息公开_{self.spec.agency}", "政府信息公开", main))

    def _items(self, index: int, page: int, size: int = PAGE_SIZE) -> tuple[str, list[Listed]]:
        size = min(max(size, 1), MAX_PAGE_SIZE)
        listed = self.listing(index)
        shown = listed[(page - 1) * size:page * size]
        html = "\n".join(ITEM.format(number=(page - 1) * size + n, href=escape(item.href), title=escape(item.title),
                                     date=date_only(item.published))
                         for n, item in enumerate(shown, 1))
        return html, listed

    def _column(self, index: int) -> Resolved:
        items, entries = self._items(index, 1)
        column = self.spec.columns[index]
        last = f' &gt; <a href="{escape(self.column_path(index))}">{escape(column.name)}</a>'
        main = COLUMN_MAIN.format(position=self._position(last), column=escape(column.name), items=items)
        script = COLUMN_SCRIPT.format(organ=self.install.organ_id, cat=column.id, site=self.install.site_id, size=PAGE_SIZE, label=LABEL,
                                      pages=self._pages(index), total=len(entries))
        html = self._frame(f"{column.name}_{self.spec.agency}", column.name, main, script=script)
        return self.page("column", html, modified=self.latest(entries))

    def _fragment(self, index: int, page: int, size: int = PAGE_SIZE) -> Resolved:
        items, entries = self._items(index, page, size)
        return self.page("list", items, modified=self.latest(entries))

    def render_detail(self, entry: Entry) -> str:
        column = self.spec.columns[entry.column or 0]
        publisher = escape(entry.report.publisher or entry.report.agency)
        files = "".join(f'<li><a href="{escape(self.attachment_path(entry, i))}" target="_blank">{escape(a.filename)}</a></li>'
                        for i, a in enumerate(entry.attachments))
        files = f'<div class="wjxz"><div class="wjxz_title">文件下载</div><ul>{files}</ul></div>' if files else ""
        last = f' &gt; <a href="{escape(self.column_path(entry.column or 0))}">{escape(column.name)}</a>'
        main = DETAIL_MAIN.format(
            position=self._position(last), index_no=f"{self.spec.site_code[:6]}{self.install.organ_id}/{entry.published.year}-{entry.doc_id % 100000:05d}",
            column=escape(column.name), publisher=publisher, title=escape(entry.report.title),
            date=date_only(entry.published), datetime=entry.published.strftime("%Y-%m-%d %H:%M"),
            body=self.body_html(entry), files=files, hotline=escape(self.install.hotline),
            related=self.related_links())
        return self._frame(f"{entry.report.title}_{self.spec.agency}", column.name, main, entry)
