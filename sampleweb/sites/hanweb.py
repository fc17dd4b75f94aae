"""大汉 Hanweb JCMS (大汉版通): a county government portal.

Columns ``/col/col{id}/index.html`` hide their records from plain parsers inside
``<script type="text/xml"><datastore>…<record><![CDATA[…]]></record>``: the page carries the
first group (3 pages × 15 records); further groups only come from a POST to
``/module/web/jpage/dataproxy.jsp?startrecord=…&endrecord=…&perpage=…`` with the column's
form parameters. Articles ``/art/{Y}/{M}/{D}/art_{col}_{id}.html`` put the body between the
``ZJEG_RSS.content`` markers in ``#zoom``; attachments go through ``downfile.jsp`` (302 to
``/attach/…``); a visit-counter iframe and the hidden "Produced By 大汉网络" anchor are on every page.
"""

from __future__ import annotations

from collections.abc import Iterator
from html import escape
from urllib.parse import quote

from ..items import Entry
from ..wire import Request, Response
from .assets import CSS, JPAGE, JQUERY, JS, STYLES
from .base import Listed, Resolved, Route, Site, date_only, not_found, redirect

PER_PAGE = 15
GROUP_PAGES = 3
LANDING_COLUMN = "1001"
REPORTS_COLUMN = "1020"  # 政府信息公开年报: the parent of the list columns
UNIT_BASE = 3790  # unitid of a list column = UNIT_BASE + columnid
WEBID = "1"
CREDIT_CODE = "11620602013936372X"  # 统一社会信用代码 prefix of the 索引号
DATAPROXY = "/module/web/jpage/dataproxy.jsp"

HEAD = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
<meta http-equiv="X-UA-Compatible" content="IE=edge" />
<meta name="Generator" content="大汉版通" />
{meta}
<title>{title}</title>
<link href="/images/jcms.css" rel="stylesheet" type="text/css" />
<link href="/images/lz_style.css" rel="stylesheet" type="text/css" />
<script type="text/javascript" src="/module/jslib/jquery/jquery.js"></script>
<script type="text/javascript" src="/module/jslib/urlparam.js"></script>
</head>
<body>
<div class="top_bar"><div class="w1200">
<span id="today"></span><script type="text/javascript">var d=new Date();document.getElementById("today").innerHTML="今天是："+d.getFullYear()+"年"+(d.getMonth()+1)+"月"+d.getDate()+"日";</script>
<span class="top_link"><a href="javascript:void(0);" id="wza">无障碍</a> | <a href="javascript:void(0);" id="zzms">长者模式</a> | <a href="javascript:void(0);" id="StranLink">繁體</a> | <a href="javascript:void(0);" onclick="SetHome(this,window.location)">设为首页</a></span>
</div></div>
<div class="header"><div class="w1200">
<a href="/"><img src="/images/logo.png" alt="{agency}" /></a>
<form action="/jrobot/search.do" method="get" target="_blank" class="search"><input type="hidden" name="webid" value="1" /><input type="text" name="q" placeholder="请输入关键字" /><input type="submit" value="搜索" /></form>
</div></div>
<div class="nav"><ul class="w1200">
<li><a href="/">首页</a></li><li><a href="javascript:;">走进凉州</a></li><li><a href="javascript:;">政务动态</a></li>
<li><a href="/col/col{landing}/index.html">政府信息公开</a></li><li><a href="javascript:;">政务服务</a></li><li><a href="javascript:;">互动交流</a></li>
</ul></div>
"""
FOOT = """<div class="footer"><div class="w1200">
<p><a href="javascript:;">网站地图</a> | <a href="javascript:;">联系我们</a> | <a href="javascript:;">使用帮助</a></p>
<p>主办单位：{agency}办公室　承办单位：{agency}电子政务中心　联系电话：0935-2212345</p>
<p>版权所有：{agency}　网站标识码：{code}　<a href="https://beian.miit.gov.cn" target="_blank">{icp}</a>　<img src="/images/ga.png" />甘公网安备 62060202000101号</p>
<p><span id="_ideConac"><img src="/images/red.png" alt="党政机关" /></span></p>
<a href="http://www.hanweb.com" style="display:none">Produced By 大汉网络 大汉版通发布系统</a>
</div></div>
</body>
</html>"""
DETAIL = """<div class="main w1200">
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/col/col{landing}/index.html">政府信息公开</a> &gt; <a href="/col/col{reports}/index.html">政府信息公开年报</a> &gt; <a href="{column_href}">{column}</a></div>
<table class="xxgk_table" width="100%" border="0" cellspacing="0" cellpadding="0">
<tr><td class="xxgk_title">索 引 号：</td><td>{index_no}</td><td class="xxgk_title">公开方式：</td><td>主动公开</td></tr>
<tr><td class="xxgk_title">发布机构：</td><td>{publisher}</td><td class="xxgk_title">组配分类：</td><td>{column}</td></tr>
<tr><td class="xxgk_title">文件编号：</td><td></td><td class="xxgk_title">发文日期：</td><td>{date}</td></tr>
<tr><td class="xxgk_title">成文日期：</td><td>{date}</td><td class="xxgk_title">有 效 性：</td><td></td></tr>
</table>
<div class="article">
<div class="art_title">{title}</div>
<div class="art_info">信息来源：{publisher}　作者：　发布日期：{datetime}　浏览次数：<iframe src="/module/visitcount/visit.jsp?type=3&amp;i_webid=1&amp;i_columnid={column_id}&amp;i_articleid={doc_id}" width="50" height="20" frameborder="0" scrolling="no" allowtransparency="true"></iframe>
　字号：[<a href="javascript:doZoom(20)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>]</div>
<div id="zoom">
<!--ZJEG_RSS.content.begin--><meta name="ContentStart">
{body}
<meta name="ContentEnd"><!--ZJEG_RSS.content.end-->
</div>
{attachments}
<div class="art_bottom"><div class="share">分享到：<a href="javascript:;" class="share_wx" title="分享到微信">微信</a> <a href="javascript:;" class="share_wb" title="分享到新浪微博">微博</a> <a href="javascript:;" class="share_qq" title="分享到QQ空间">QQ空间</a></div>
<span>【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.opener=null;window.open('','_self');window.close();">关闭窗口</a>】</span></div>
<div class="ewm"><div id="qrcode"></div><p>扫一扫在手机打开当前页</p></div>
</div>
</div>
<script type="text/javascript">function doZoom(size){{document.getElementById('zoom').style.fontSize=size+'px';}}</script>
"""
COLUMN = """<div class="main w1200">
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/col/col{landing}/index.html">政府信息公开</a> &gt; <a href="/col/col{reports}/index.html">政府信息公开年报</a> &gt; <span>{column}</span></div>
<div class="lm_name">{column}</div>
<div class="list_con">
<div id="{unitid}"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="{dataproxy}?page=1&appid=1&webid={webid}&path=/&columnid={column_id}&unitid={unitid}&webname={webname}&permissiontype=0"></a>]]></nextgroup>
<recordset>
{records}
</recordset>
</datastore></script></div>
</div>
<script type="text/javascript">
var param_{unitid} = {{col:1,appid:1,webid:{webid},path:'/',columnid:{column_id},sourceContentType:1,unitid:'{unitid}',webname:'{agency}',permissiontype:0}};
</script>
<script language="javascript" src="/module/web/jpage/jquery.jpage.js"></script>
<script type="text/javascript">
$(document).ready(function(){{
  $('#{unitid}').jpage({{
    dataStore: $('#{unitid} script[type="text/xml"]'), proxyUrl: "{dataproxy}", perPage: {per_page}, groupSize: {group},
    totalRecord: {total}, barPosition: "bottom", showMode: "full", ajaxParam: param_{unitid}
  }});
}});
</script>
</div>
"""
RECORD = ('<record><![CDATA[\n<li><a href="{href}" target="_blank" title="{title}">{title}</a>'
          "<span>{date}</span></li>\n]]></record>")


class HanwebSite(Site):
    cms = "hanweb"
    variant = "editor"
    content_type = "text/html;charset=UTF-8"
    assets = {"/images/jcms.css": (STYLES["hanweb"], CSS), "/module/jslib/jquery/jquery.js": (JQUERY, JS),
              "/module/web/jpage/jquery.jpage.js": (JPAGE, JS)}

    # -- layout ------------------------------------------------------------------------------
    def landing_path(self) -> str:
        return f"/col/col{LANDING_COLUMN}/index.html"

    def column_path(self, index: int) -> str:
        return f"/col/col{self.spec.columns[index].id}/index.html"

    def detail_path(self, entry: Entry) -> str:
        day = entry.published
        column = self.spec.columns[entry.column or 0].id
        return f"/art/{day.year}/{day.month}/{day.day}/art_{column}_{entry.doc_id}.html"

    def attachment_path(self, entry: Entry, index: int) -> str:
        return f"/module/download/downfile.jsp?classid=0&filename={self.file_token(entry, index)}.{entry.attachments[index].extension}"

    def robots_folder(self, entry: Entry) -> str:
        """Articles live in year folders; a site hiding one year's pages disallows its folder."""
        return f"/art/{entry.published.year}/"

    def stored_path(self, entry: Entry, index: int) -> str:
        return f"/attach/0/{self.file_token(entry, index)}.{entry.attachments[index].extension}"

    def unitid(self, index: int) -> str:
        return str(UNIT_BASE + int(self.spec.columns[index].id))

    # -- routes ------------------------------------------------------------------------------
    def static_routes(self) -> Iterator[tuple[str, Route]]:
        yield "/", Route("root", self._root)
        yield "/index.html", Route("root", self._root)
        yield self.landing_path(), Route("landing", self._landing)
        yield f"/col/col{REPORTS_COLUMN}/index.html", Route("landing", self._reports)
        for index, _ in enumerate(self.spec.columns):
            yield self.column_path(index), Route("column", lambda i=index: self._column(i))
        for entry in self.entries:
            for index, _ in enumerate(entry.attachments):
                yield self.stored_path(entry, index), self.file_route(entry, index)

    def attachment_response(self, entry: Entry, index: int) -> Response:
        """downfile.jsp answers with a redirect to where the file is stored."""
        return redirect(self.url(self.stored_path(entry, index)), 302)

    def dynamic(self, request: Request) -> Resolved | None:
        if request.path == DATAPROXY:
            return Resolved("list", self._dataproxy(request))
        if request.path == "/module/visitcount/visit.jsp":
            return Resolved("counter", self._counter(request))
        return None

    # -- pages -------------------------------------------------------------------------------
    def _frame(self, title: str, column: str, main: str, entry: Entry | None = None) -> str:
        meta = self.standard_meta(column, entry)
        if entry is not None:
            meta += (f'\n<meta name="i_columnid" content="{self.spec.columns[entry.column or 0].id}"/>'
                     f'\n<meta name="i_articleid" content="{entry.doc_id}"/>')
        head = HEAD.format(meta=meta, title=escape(title), agency=escape(self.spec.agency), landing=LANDING_COLUMN)
        foot = FOOT.format(agency=escape(self.spec.agency), code=self.spec.site_code, icp=self.spec.icp)
        return head + main + foot

    def _root(self) -> Resolved:
        latest = sorted((e for e in self.entries if e.listed), key=lambda e: e.published, reverse=True)[:6]
        items = "".join(f'<li><a href="{self.list_href(e)}" target="_blank">{escape(e.report.title)}</a>'
                        f"<span>{date_only(e.published)}</span></li>" for e in latest)
        main = (f'<div class="main w1200"><div class="banner"><img src="/images/banner.jpg" /></div>'
                f'<div class="box"><div class="box_title"><span>政务动态</span></div><ul><li><a href="javascript:;">'
                f"凉州区召开政务公开工作推进会</a><span>2026-03-10</span></li></ul></div>"
                f'<div class="box"><div class="box_title"><span>信息公开</span><a href="{self.landing_path()}" '
                f'class="more">更多&gt;&gt;</a></div><ul>{items}</ul></div>'
                f'<div class="box"><div class="box_title"><span>专题专栏</span></div><ul><li><a href="javascript:;">'
                f"优化营商环境</a></li><li><a href=\"javascript:;\">乡村振兴</a></li></ul></div></div>")
        return self.page("root", self._frame(self.spec.agency, "首页", main), modified=self.latest(latest))

    def _landing(self) -> Resolved:
        main = ('<div class="main w1200"><div class="position">当前位置：<a href="/">首页</a> &gt; <span>政府信息公开</span></div>'
                '<div class="xxgk_left"><div class="xxgk_lm">政府信息公开</div><ul>'
                '<li><a href="javascript:;">政府信息公开指南</a></li><li><a href="javascript:;">政府信息公开制度</a></li>'
                '<li><a href="javascript:;">法定主动公开内容</a></li>'
                f'<li><a href="/col/col{REPORTS_COLUMN}/index.html">政府信息公开年报</a></li>'
                '<li><a href="javascript:;">依申请公开</a></li></ul></div>'
                '<div class="xxgk_right"><div class="xxgk_search">索引号：<input type="text" /> 标题：<input type="text" />'
                ' <input type="button" value="检索" /></div><p>信息公开目录</p></div></div>')
        return self.page("landing", self._frame(f"政府信息公开 - {self.spec.agency}", "政府信息公开", main))

    def _reports(self) -> Resolved:
        tabs = "".join(f'<li><a href="{self.column_path(i)}">{escape(c.name)}</a></li>'
                       for i, c in enumerate(self.spec.columns))
        main = ('<div class="main w1200"><div class="position">当前位置：<a href="/">首页</a> &gt; '
                f'<a href="{self.landing_path()}">政府信息公开</a> &gt; <span>政府信息公开年报</span></div>'
                f'<div class="lm_name">政府信息公开年报</div><ul class="sub_columns">{tabs}</ul></div>')
        return self.page("landing", self._frame(f"政府信息公开年报 - {self.spec.agency}", "政府信息公开年报", main))

    def _records(self, listed: list[Listed]) -> str:
        return "\n".join(RECORD.format(href=escape(item.href), title=escape(item.title),
                                       date=date_only(item.published)) for item in listed)

    def _column(self, index: int) -> Resolved:
        entries = self.listing(index)
        first_group = entries[: PER_PAGE * GROUP_PAGES]
        column = self.spec.columns[index]
        main = COLUMN.format(landing=LANDING_COLUMN, reports=REPORTS_COLUMN, column=escape(column.name),
                             unitid=self.unitid(index), column_id=column.id, webid=WEBID, dataproxy=DATAPROXY,
                             webname=quote(self.spec.agency), agency=escape(self.spec.agency),
                             records=self._records(first_group), total=len(entries), per_page=PER_PAGE,
                             group=GROUP_PAGES)
        html = self._frame(f"{column.name} - {self.spec.agency}", column.name, main)
        return self.page("column", html, modified=self.latest(entries))

    def _dataproxy(self, request: Request) -> Response:
        """Records of the column the parameters name (in the query or the form body).

        ``startrecord``…``endrecord`` (1-based, inclusive) is what the jpage script posts;
        ``page=N`` (records of the N-th page of ``perpage``) is what its nextgroup link asks.
        """
        form = {**request.query, **request.form()}
        index = next((i for i, c in enumerate(self.spec.columns)
                      if form.get("columnid") == c.id and form.get("unitid") == self.unitid(i)), None)
        entries = self.listing(index) if index is not None else []
        try:
            per_page = max(1, int(form.get("perpage", PER_PAGE)))
            if "startrecord" in form or "page" not in form:
                start = max(1, int(form.get("startrecord", 1)))
                end = int(form.get("endrecord", start + PER_PAGE * GROUP_PAGES - 1))
            else:
                start = (max(1, int(form["page"])) - 1) * per_page + 1
                end = start + per_page - 1
        except ValueError:
            return Response(status=400, body=b"<datastore><error>bad parameters</error></datastore>",
                            content_type="text/xml;charset=UTF-8")
        pages = -(-len(entries) // per_page)
        xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n'
               f"<totalrecord>{len(entries)}</totalrecord>\n<totalpage>{pages}</totalpage>\n<recordset>\n"
               f"{self._records(entries[start - 1:end])}\n</recordset>\n</datastore>")
        return Response(body=xml.encode("utf-8"), content_type="text/xml;charset=UTF-8")

    def _counter(self, request: Request) -> Response:
        article = request.query.get("i_articleid", "")
        if not article.isdigit():
            return not_found()
        count = 200 + int(article) % 1700
        html = f'<html><body style="margin:0;font-size:12px">{count}</body></html>'
        return Response(body=html.encode("utf-8"), content_type="text/html;charset=UTF-8")

    def render_detail(self, entry: Entry) -> str:
        column = self.spec.columns[entry.column or 0]
        publisher = entry.report.publisher or entry.report.agency
        year = entry.published.year
        links = "".join(f'<p><a href="{escape(self.attachment_path(entry, i))}" target="_blank">{escape(a.filename)}</a></p>'
                        for i, a in enumerate(entry.attachments))
        attachments = f'<div class="fujian"><span>附件：</span>{links}</div>' if links else ""
        main = DETAIL.format(
            landing=LANDING_COLUMN, reports=REPORTS_COLUMN, column_href=self.column_path(entry.column or 0),
            column=escape(column.name), index_no=f"{CREDIT_CODE}/{year}-{entry.doc_id % 100000:05d}",
            publisher=escape(publisher), date=date_only(entry.published), title=escape(entry.report.title),
            datetime=entry.published.strftime("%Y-%m-%d %H:%M"), column_id=column.id, doc_id=entry.doc_id,
            body=self.body_html(entry), attachments=attachments + self.related_links())
        return self._frame(f"{entry.report.title} - {column.name} - {self.spec.agency}", column.name, main, entry)
