"""A 2000s county site (动易 PowerEasy-style ASP) in GBK.

The charset is declared only in ``<meta http-equiv="Content-Type" … charset=gb2312>`` (the
HTTP header says just ``text/html``); pages are layout tables with ``<font>`` tags and no
standard meta tags; dates read ``2017年3月20日`` or ``二〇一二年二月二十日``. The reports
column ``ShowClass.asp?ClassID=20`` pages with ``&page=N`` and has one sub-class (year
folder) per report year; attachments come from a download script.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from html import escape

from ..content.narrative import chinese_date
from ..items import Entry
from ..wire import Request
from .assets import CSS, STYLES
from .base import Resolved, Route, Site

PER_PAGE = 12
LANDING_CLASS = "2"
YEAR_CLASS_BASE = 200  # year folder ClassID = base + (year - 2000)
# Items published before this year show their date in Chinese numerals, as the old template did.
CHINESE_DATES_BEFORE = 2014

HEAD = """<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{title}</title>
<link href="/Skin/DefaultSkin.css" rel="stylesheet" type="text/css">
<script language="JavaScript" src="/js/menu.js"></script>
</head>
<body leftmargin="0" topmargin="0" marginwidth="0" marginheight="0">
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0">
<tr><td><img src="/Skin/top_banner.jpg" width="980" height="130" border="0"></td></tr>
</table>
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0" bgcolor="#1A5FA8">
<tr><td height="32" align="center"><font color="#FFFFFF" style="font-size:14px">
<a href="/"><font color="#FFFFFF">网站首页</font></a>　|　<a href="javascript:;"><font color="#FFFFFF">郊区概况</font></a>　|　<a href="javascript:;"><font color="#FFFFFF">政务动态</font></a>　|　<a href="/Article/ShowClass.asp?ClassID={landing}"><font color="#FFFFFF">政府信息公开</font></a>　|　<a href="javascript:;"><font color="#FFFFFF">办事指南</font></a>　|　<a href="javascript:;"><font color="#FFFFFF">公众参与</font></a>
</font></td></tr>
</table>
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0" bgcolor="#FFFFFF">
<tr><td height="26" bgcolor="#EEF3FA">&nbsp;<font color="#333333" size="2">您现在的位置：{position}</font></td></tr>
</table>
<table width="980" border="0" align="center" cellpadding="0" cellspacing="0" bgcolor="#FFFFFF">
<tr>
<td width="200" valign="top" bgcolor="#F4F8FC">
<table width="100%" border="0" cellspacing="0" cellpadding="4">
<tr><td bgcolor="#1A5FA8" height="28"><font color="#FFFFFF"><b>&nbsp;信息公开栏目</b></font></td></tr>
<tr><td><font size="2">・<a href="javascript:;">信息公开指南</a><br>・<a href="javascript:;">信息公开目录</a><br>・<a href="/Article/ShowClass.asp?ClassID={column}">政府信息公开年度报告</a><br>・<a href="javascript:;">依申请公开</a></font></td></tr>
</table>
</td>
<td width="780" valign="top">
"""
FOOT = """</td>
</tr>
</table>
<table width="980" border="0" align="center" cellpadding="6" cellspacing="0" bgcolor="#E6E6E6">
<tr><td align="center"><font size="2" color="#555555">
版权所有：{agency}　主办：{agency}办公室<br>
地址：安徽省铜陵市郊区　联系电话：0562-2881234　<a href="https://beian.miit.gov.cn" target="_blank">{icp}</a>　网站标识码：{code}<br>
建议使用IE6.0以上浏览器，1024*768分辨率浏览本站
</font></td></tr>
</table>
</body>
</html>"""
LIST = """<table width="96%" border="0" align="center" cellpadding="0" cellspacing="0">
<tr><td height="30" style="border-bottom:2px solid #1A5FA8"><font color="#1A5FA8" size="3"><b>{name}</b></font></td></tr>
{folders}
<tr><td>
<table width="100%" border="0" cellspacing="0" cellpadding="3">
{rows}
</table>
</td></tr>
<tr><td align="center" height="30"><font size="2">{pager}</font></td></tr>
</table>
"""
ROW = ('<tr><td width="82%" height="24"><img src="/Skin/arrow.gif" width="9" height="9">&nbsp;<a href="{href}" '
       'target="_blank"><font size="2">{title}</font></a></td><td width="18%" align="right"><font size="2" '
       'color="#999999">{date}</font></td></tr>')
DETAIL = """<table width="96%" border="0" align="center" cellpadding="0" cellspacing="0">
<tr><td height="50" align="center"><font size="4" color="#CC0000"><b>{title}</b></font></td></tr>
<tr><td height="26" align="center" bgcolor="#F4F4F4"><font size="2" color="#666666">作者：佚名　来源：{source}　更新时间：{date}　点击数：<script language="javascript" src="/Article/GetHits.asp?ArticleID={doc_id}"></script></font></td></tr>
<tr><td style="padding:12px;line-height:180%">
{body}
</td></tr>
{files}
<tr><td align="right" height="30"><font size="2">【字体：<a href="javascript:fontZoom(16)">大</a> <a href="javascript:fontZoom(14)">中</a> <a href="javascript:fontZoom(12)">小</a>】【<a href="javascript:window.print()">打印此文</a>】【<a href="javascript:window.close()">关闭窗口</a>】</font></td></tr>
</table>
"""


def legacy_date(moment: dt.datetime) -> str:
    if moment.year < CHINESE_DATES_BEFORE:
        return chinese_date(moment.year, moment.month, moment.day)
    return f"{moment.year}年{moment.month}月{moment.day}日"


class LegacySite(Site):
    cms = "legacy"
    variant = "legacy"
    assets = {"/Skin/DefaultSkin.css": (STYLES["legacy"], CSS)}
    charset = "gbk"
    content_type = "text/html"

    # -- layout ------------------------------------------------------------------------------
    def landing_path(self) -> str:
        return f"/Article/ShowClass.asp?ClassID={LANDING_CLASS}"

    def column_path(self, index: int) -> str:
        return f"/Article/ShowClass.asp?ClassID={self.spec.columns[index].id}"

    def list_path(self, class_id: str, page: int) -> str:
        return f"/Article/ShowClass.asp?ClassID={class_id}" + (f"&page={page}" if page > 1 else "")

    def detail_path(self, entry: Entry) -> str:
        return f"/Article/ShowArticle.asp?ArticleID={entry.doc_id}"

    def attachment_path(self, entry: Entry, index: int) -> str:
        return f"/Article/Download.asp?FileID={entry.doc_id * 10 + index}"

    def folder_year(self, entry: Entry) -> int:
        return entry.report.report_year or entry.report.body_year or entry.published.year

    def year_class(self, year: int) -> str:
        return str(YEAR_CLASS_BASE + year - 2000)

    def years(self) -> list[int]:
        return sorted({self.folder_year(e) for e in self.column_entries(0)}, reverse=True)

    # -- routes ------------------------------------------------------------------------------
    def static_routes(self) -> Iterator[tuple[str, Route]]:
        yield "/", Route("root", self._root)
        yield "/Index.asp", Route("root", self._root)
        yield self.landing_path(), Route("landing", self._landing)
        column = self.spec.columns[0].id
        for page in range(1, self._pages(self.column_entries(0)) + 1):
            yield self.list_path(column, page), Route("column" if page == 1 else "list",
                                                      lambda p=page: self._list(column, p))
        for year in self.years():
            yield self.list_path(self.year_class(year), 1), Route(
                "list", lambda y=self.year_class(year): self._list(y, 1))

    def dynamic(self, request: Request) -> Resolved | None:
        """ASP reads ``ClassID`` and ``page`` in any order, and any case of the path."""
        if request.path.lower() != "/article/showclass.asp":
            return None
        class_id, page = request.query.get("ClassID", ""), request.query.get("page", "1")
        if not page.isdigit() or not (class_id == self.spec.columns[0].id or class_id in self._year_classes()):
            return None
        return self._list(class_id, int(page))

    def _year_classes(self) -> dict[str, int]:
        return {self.year_class(y): y for y in self.years()}

    def _pages(self, entries: list[Entry]) -> int:
        return max(1, -(-len(entries) // PER_PAGE))

    # -- pages -------------------------------------------------------------------------------
    def _frame(self, title: str, position: str, main: str) -> str:
        head = HEAD.format(title=escape(title), landing=LANDING_CLASS, column=self.spec.columns[0].id,
                           position=position)
        return head + main + FOOT.format(agency=escape(self.spec.agency), icp=self.spec.icp, code=self.spec.site_code)

    def _position(self, *crumbs: tuple[str, str]) -> str:
        links = ['<a href="/">网站首页</a>'] + [f'<a href="{escape(href)}">{escape(text)}</a>' for href, text in crumbs]
        return " &gt;&gt; ".join(links)

    def _root(self) -> Resolved:
        main = ('<table width="96%" border="0" align="center" cellpadding="4" cellspacing="0">'
                '<tr><td bgcolor="#1A5FA8"><font color="#FFFFFF"><b>&nbsp;政务动态</b></font></td></tr>'
                '<tr><td><font size="2">・<a href="javascript:;">郊区召开政务公开工作会议</a>　2026年3月2日</font></td></tr>'
                f'<tr><td><font size="2">・<a href="{self.landing_path()}">政府信息公开</a></font></td></tr></table>')
        return self.page("root", self._frame(self.spec.agency, "网站首页", main))

    def _landing(self) -> Resolved:
        column = self.spec.columns[0]
        main = ('<table width="96%" border="0" align="center" cellpadding="4" cellspacing="0">'
                '<tr><td height="30" style="border-bottom:2px solid #1A5FA8"><font color="#1A5FA8" size="3"><b>政府信息公开</b></font></td></tr>'
                '<tr><td><font size="2">・<a href="javascript:;">信息公开指南</a><br>・<a href="javascript:;">信息公开目录</a><br>'
                f'・<a href="{self.column_path(0)}">{escape(column.name)}</a><br>・<a href="javascript:;">依申请公开</a></font></td></tr></table>')
        position = self._position((self.landing_path(), "政府信息公开"))
        return self.page("landing", self._frame(f"政府信息公开-{self.spec.agency}", position, main))

    def _list(self, class_id: str, page: int) -> Resolved:
        column = self.spec.columns[0]
        entries = self.column_entries(0)
        year = self._year_classes().get(class_id)
        if year is not None:
            entries = [e for e in entries if self.folder_year(e) == year]
        shown = entries[(page - 1) * PER_PAGE:page * PER_PAGE]
        rows = "\n".join(ROW.format(href=self.list_href(e), title=escape(e.report.title), date=legacy_date(e.published))
                         for e in shown)
        folders = ""
        if year is None:
            links = "　".join(f'<a href="{escape(self.list_path(self.year_class(y), 1))}">{y}年度</a>'
                             for y in self.years())
            folders = f'<tr><td height="28"><font size="2">按年度浏览：{links}</font></td></tr>'
        pages = self._pages(entries)
        pager = f"共{len(entries)}篇　第{page}/{pages}页　" + "　".join(
            f"<a href=\"{escape(self.list_path(class_id, p))}\">{p}</a>" if p != page else f"<b>{p}</b>"
            for p in range(1, pages + 1))
        if page < pages:
            pager += f'　<a href="{escape(self.list_path(class_id, page + 1))}">下一页</a>'
        name = column.name if year is None else f"{year}年度"
        main = LIST.format(name=escape(name), folders=folders, rows=rows, pager=pager)
        crumbs = [(self.landing_path(), "政府信息公开"), (self.column_path(0), column.name)]
        if year is not None:
            crumbs.append((self.list_path(class_id, 1), name))
        kind = "column" if year is None and page == 1 else "list"
        return self.page(kind, self._frame(f"{name}-{self.spec.agency}", self._position(*crumbs), main),
                         modified=self.latest(entries))

    def render_detail(self, entry: Entry) -> str:
        column = self.spec.columns[0]
        links = "".join(f'<a href="{escape(self.attachment_path(entry, i))}"><font color="#0000FF">{escape(a.filename)}</font></a><br>'
                        for i, a in enumerate(entry.attachments))
        files = f'<tr><td style="padding:12px"><font size="2">附件下载：<br>{links}</font></td></tr>' if links else ""
        main = DETAIL.format(title=escape(entry.report.title), source=escape(entry.report.publisher or "本站原创"),
                             date=legacy_date(entry.published), doc_id=entry.doc_id, body=self.body_html(entry),
                             files=files)
        year = self.folder_year(entry)
        position = self._position((self.landing_path(), "政府信息公开"), (self.column_path(0), column.name),
                                  (self.list_path(self.year_class(year), 1), f"{year}年度"))
        return self._frame(f"{entry.report.title}-{self.spec.agency}", position, main)
