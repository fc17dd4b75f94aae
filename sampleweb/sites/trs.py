"""拓尔思 TRS WCM: a city department site, static pages published by the CMS.

The column is ``index.html``, ``index_1.html``, … with the page count in
``createPageHTML(countPage, currentPage, "index", "html")``; its sub-column (直属单位, a tab
on the column page, one directory down) was made from another template: ``fg.shtml``,
``fg_1.shtml``, … paged by ``createPageHTML('page_div', countPage, currentPage, 'fg',
'shtml', records)``. Articles ``./{YYYYMM}/t{YYYYMMDD}_{docid}.htm`` (``.shtml`` in the
sub-column) carry the body in ``div.TRS_Editor``, a 全真版/文字版 tab whose PDF viewer loads
the ``P0….pdf`` attachment named 原件, 附件下载, share bar, 打印, 扫一扫 and the footer,
modelled on 平潭's pages (shared/corpus). Each article links its 打印版 copy under a path
robots.txt disallows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from html import escape

from ..items import Entry
from .assets import CSS, STYLES
from .base import Resolved, Route, Site, date_only

PER_PAGE = 10
SECTION = "/zwgk/"  # 政务公开, the menu section the 政府信息公开 landing page sits in
LANDING = "/zwgk/zfxxgk/"
PRINT_DIR = "dyb/"  # 打印版 copies, kept out of search engines by robots.txt
# Where the column lived before two site reorganisations (redirect_chain).
OLD_COLUMNS = ("/xxgk/nb/", "/zwgk/xxgk/zfxxgknb/")


@dataclass(frozen=True)
class Channel:
    """How the CMS publishes one column: its list pages ``{prefix}.{ext}``, ``{prefix}_{k}.{ext}``
    and articles ``t….{article_ext}``. ``pager_div`` set: the template calls the 6-argument
    ``createPageHTML('{div}', pages, current (1-based), '{prefix}', '{ext}', records)``; unset,
    ``createPageHTML(pages, current (0-based), "{prefix}", "{ext}")``."""

    channel_id: int
    prefix: str
    ext: str
    article_ext: str
    pager_div: str = ""


# By column index: the main column sits in the landing's directory as its index page; the
# sub-column, one directory down, was made from another template.
CHANNELS = (Channel(1813, "index", "html", "htm"), Channel(1827, "fg", "shtml", "shtml", pager_div="page_div"))

HEAD = """<!DOCTYPE html>
<html ms-controller="windowRoot">
<head>
<meta charset="utf-8" name="viewport" content="width=device-width, initial-scale=1.0, maximum-scale=1.0" />
<meta http-equiv="x-UA-Compatible" content="IE=Edge" />
{meta}
<title>{title}</title>
<link rel="stylesheet" type="text/css" href="/images/trt_iconfont_v2.css">
<link rel="stylesheet" type="text/css" href="/images/trt_ui_v2.css">
<link rel="stylesheet" type="text/css" href="/images/22mb_info_public_style.css" />
</head>
<body>
<div class="warp info_public_bg">
<!--头部開始-->
<div class="header menu_hov"><div class="row">
<div class="logo trt-col-9"><img src="/images/gh_logo.png" /><a href="/"><img src="/images/site_logo.png" alt="{agency}" /></a></div>
<div class="header_line clearflx">
<div class="header_link_01"><a href="https://www.gov.cn/" target="_blank" title="国务院">国务院</a> <a href="https://www.fujian.gov.cn/" target="_blank" title="省政府">省政府</a> <a href="https://www.fuzhou.gov.cn/" target="_blank" title="市政府">市政府</a></div>
<div class="header_link_02"><a href="javascript:;" class="none_sm">移动版</a><div class="mzt_ewm"><div><img src="/images/20xmszf_mzt_ewm.png" /></div><p>闽政通APP</p></div></div>
<span>网站支持IPV6</span>
</div>
<div class="menu_base menu_right menu_hd"><ul class="clearflx" role="navigation">
<li><a href="/">首页</a></li><li class="parentNode"><a href="/zwgk/">政务公开</a></li><li class="parentNode"><a href="javascript:;">解读回应</a></li>
<li class="parentNode"><a href="javascript:;">办事服务</a></li><li class="parentNode"><a href="javascript:;">互动交流</a></li>
</ul></div>
<div class="search_fixed"><form method="get" action="/ssp/main/index.html" target="_blank"><input type="text" placeholder="请输入搜索内容" name="key" class="form-control" /><button class="btn_base"><i class="trt-iconfont trt-icon-sousuo"></i></button></form></div>
</div>
<div class="submenu menu_bd"><div class="row"><div><a href="{landing}" target="_blank" title="政府信息公开">政府信息公开</a> <a href="javascript:;" title="领导之窗">领导之窗</a> <a href="javascript:;" title="财政预决算">财政预决算</a></div></div></div>
<div class="aged_link"><a href="javascript:void(0);" class="aged_link_01">长者模式</a><a href="javascript:void(0);" class="aged_link_02" id="barrierFreeBtn"><font id="WzaStatus">无障碍浏览</font></a></div>
</div>
<!--头部結束-->
<div class="main"><div class="content">
"""
FOOT = """</div></div>
<!--底部开始-->
<div class="footer"><div class="border_t_solid_01"></div><div class="row">
<div class="out_links" role="navigation" des="网站链接"><ul class="trt-row">
<li class="trt-col-6"><p>省市政府网站</p><div class="shadow_base"><ul class="trt-row"><li><a href="http://www.fj.gov.cn/" target="_blank" title="福建省人民政府">福建省人民政府</a></li><li><a href="https://www.fuzhou.gov.cn/" target="_blank" title="福州市人民政府">福州市人民政府</a></li></ul></div></li>
<li class="trt-col-6"><p>友情链接</p><div class="shadow_base"><ul class="trt-row"><li><a href="http://www.people.com.cn/" target="_blank" title="人民网">人民网</a></li><li><a href="http://www.xinhuanet.com/" target="_blank" title="新华网">新华网</a></li></ul></div></li>
</ul></div>
<div class="row mar_t_base"><div class="trt-col-11 trt-col-sm-24 web_info">
<p><a href="javascript:;" title="网站地图">网站地图</a><em>|</em><a href="javascript:;" title="关于我们">关于我们</a></p>
<p><span>网站标识码：{code}</span><span><img src="/images/babs.png" /> 闽公网安备 35010202000123号</span><span><a href="https://beian.miit.gov.cn" target="_blank" title="{icp}">{icp}</a></span></p>
<p><span>版权所有：{agency}</span></p>
</div><div class="trt-col-6 error_img"><span id="_ideConac"><img id="imgConac" src="/images/red.png" alt="党政机关" /></span><span id="_span_jiucuo" title="政府网站找错"></span></div></div>
</div>
<div class="copyright_info"><div class="row"><p><span>主办单位：{agency}</span></p><p>为确保最佳浏览效果，建议您使用以下浏览器版本：IE浏览器9.0版本及以上； Google Chrome浏览器 63版本及以上。</p></div></div>
</div>
<!--底部结束-->
</div>
<script src="/images/model.min.js"></script>
<script type="text/javascript" src="/images/22mb_info_public_js.js"></script>
{script}
</body>
</html>"""
BREADCRUMB = ('<div class="breadcrumb"><span><i class="trt-iconfont trt-icon-weizhi"></i>当前位置：</span><ul><li>'
              '<a href="/" title="首页" class="CurrChnlCls">首页</a></li><li><a href="/zwgk/" title="政务公开" '
              'class="CurrChnlCls">政务公开</a></li><li><a href="{landing}" title="政府信息公开" class="CurrChnlCls">'
              "政府信息公开</a></li>{last}</ul></div>")
DETAIL = """<div class="row content_bg_02 pad_xl" role="viewlist" des="正文">
{breadcrumb}
<div class="pad_t_base"><div class="mar_t_large"><div class="trt-row">
<div class="article_component">
<div class="article_title_group"><div class="article_title text_align_center">
{title}
</div></div>
<div class="article_extend pad_base mar_t_base"><div class="trt-row">
<div class="trt-col-16 trt-col-sm-24"><span class="article_source">来源：{source}</span>
<span class="article_time bf-pass">时间：{datetime}</span></div>
<div class="trt-col-8 function_icon none_sm">
<span class="SLB_none" ms-click="$addfont()"><i class="trt-iconfont trt-icon-zitifangda"></i></span><span class="SLB_none" ms-click="$reducefont()"><i class="trt-iconfont trt-icon-zitisuoxiao1"></i></span>
<span class="phone_none" onclick="$printDetail()"><i class="trt-iconfont trt-icon-dayin"></i></span>
<a href="{print_href}" target="_blank" class="print_version" title="打印版">打印版</a>
<span class="share"><i class="trt-iconfont trt-icon-fenxiang1"></i><div class="share_box">
<a href="javascript:void(0);" ms-click="$weixin" title="分享到微信"><i class="trt-iconfont trt-icon-weixin1"></i>微信</a>
<a href="javascript:void(0);" target="_blank" title="分享到新浪微博"><i class="trt-iconfont trt-icon-weibo"></i>微博</a>
<a href="javascript:void(0);" target="_blank" title="分享到QQ空间"><i class="trt-iconfont trt-icon-kongjian"></i>QQ空间</a>
</div></span></div>
</div></div>
<div class="tabs tab_base_01">
<div class="tabs_hd" ms-controller="QzbView" ms-visible="qzbFile!=''"><ul>
<li ms-click="$togs(0)" ms-class="on:show==0"><a href="javascript:;">全真版</a></li>
<li ms-click="$togs(1)" ms-class="on:show==1"><a href="javascript:;">文字版</a></li>
</ul><a ms-attr-href="qzbFile" title="文件下载" class="download"><i class="trt-iconfont trt-icon-pdf"></i>文件下载</a></div>
<div class="tabs_content tabs_bd">
<div class="pic_con" ms-controller="QzbView" ms-visible="show==0&&qzbFile!=''">{viewer}</div>
<div class="word_con" ms-controller="QzbView" ms-visible="show==1||qzbFile==''">
<div class="article_area"><div class="article_content article_content_01 font_family_cn">
<div class=TRS_Editor>{body}</div>
</div></div>
<div class="article_attachment" id="file_xmb">
<div class="title_base"><div class="title_icon_base"><i class="trt-iconfont trt-icon-xiazai"></i><text class="barrier-free-text">附件下载</text></div></div>
<div class="list_base primary_color list_base_date_02 mar_t_small"><ul id="file_ul_fj">{attachments}</ul></div>
</div>
<div class="article_qrcode_area none_sm"><div class="article_qrcode"><p>扫一扫在手机上查看当前页面</p><div class="ewm-img" id="qrcode"></div></div></div>
<div class="article_btn_group none_sm"><button onclick="$close_window();" title="关闭" class="btn_base btn_outline btn_outline_info"><i class="trt-iconfont trt-icon-guanbi"></i>关闭</button></div>
</div></div></div>
</div>
</div></div></div>
</div>
"""
COLUMN = """<div class="row content_bg_02 pad_xl" role="viewlist" des="列表">
{breadcrumb}
<div class="tabs info_tabs" ms-controller="list"><div class="tabs_header"><ul>{tabs}</ul></div>
<div class="rules_tabs_01 none_sm slb_none rules_tabs_no_bg"><dl><dt class="trt-col-sm-24">标题</dt><dt class="trt-col-4 trt-col-sm-24 text_align_left">发布日期</dt></dl></div>
<div class="rules_tabs_01 rules_tabs_no_bg">
{items}
</div>
{pager_script}
<div class="page_base mar_t_base">{pager}</div>
</div>
</div>
"""
ITEM = """<dl>
<dd class="trt-col-sm-24 slb-trt-col-24 text_align_left"><a href="{href}" target="_blank" title="{title}">{title}</a></dd>
<dd class="trt-col-4 trt-col-sm-24 slb-trt-col-24 text_align_left">{date}</dd>
</dl>"""
PAGER_SCRIPT = """<script type="text/javascript">
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount <= 1){ return; }
  var html = "";
  if(_nCurrIndex > 0){ html += "<a href=\\"" + (_nCurrIndex == 1 ? _sPageName + "." + _sPageExt : _sPageName + "_" + (_nCurrIndex - 1) + "." + _sPageExt) + "\\">上一页</a>"; }
  for(var i = 0; i < _nPageCount; i++){
    var page = (i == 0) ? _sPageName + "." + _sPageExt : _sPageName + "_" + i + "." + _sPageExt;
    html += (i == _nCurrIndex) ? "<span class=\\"current\\">" + (i + 1) + "</span>" : "<a href=\\"" + page + "\\">" + (i + 1) + "</a>";
  }
  if(_nCurrIndex < _nPageCount - 1){ html += "<a href=\\"" + _sPageName + "_" + (_nCurrIndex + 1) + "." + _sPageExt + "\\">下一页</a>"; }
  document.write(html);
}
</script>"""
# The same pager as another template writes it: into a div, current page 1-based, record count last.
PAGER_DIV_SCRIPT = """<script type="text/javascript">
function createPageHTML(_sDivId, _nPageCount, _nCurrPage, _sPageName, _sPageExt, _nRecordCount){
  var div = document.getElementById(_sDivId);
  if(!div || _nPageCount == null || _nPageCount <= 1){ return; }
  function page(n){ return n == 1 ? _sPageName + "." + _sPageExt : _sPageName + "_" + (n - 1) + "." + _sPageExt; }
  var html = "<span>共" + _nRecordCount + "条</span>";
  if(_nCurrPage > 1){ html += "<a href=\"" + page(1) + "\">首页</a><a href=\"" + page(_nCurrPage - 1) + "\">上一页</a>"; }
  for(var i = 1; i <= _nPageCount; i++){
    html += (i == _nCurrPage) ? "<span class=\"current\">" + i + "</span>" : "<a href=\"" + page(i) + "\">" + i + "</a>";
  }
  if(_nCurrPage < _nPageCount){ html += "<a href=\"" + page(_nCurrPage + 1) + "\">下一页</a><a href=\"" + page(_nPageCount) + "\">尾页</a>"; }
  div.innerHTML = html;
}
</script>"""


class TrsSite(Site):
    cms = "trs"
    variant = "word"
    assets = {"/images/trt_ui_v2.css": (STYLES["trs"], CSS)}

    def column_dir(self, index: int = 0) -> str:
        """The directory a column publishes into: the main one under the landing, sub-columns inside it."""
        main = f"{LANDING}{self.spec.columns[0].id}/"
        return main if index == 0 else f"{main}{self.spec.columns[index].id}/"

    @property
    def disallowed_dirs(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(self.column_dir(i) + PRINT_DIR for i in range(len(self.spec.columns)))

    # -- layout ------------------------------------------------------------------------------
    def landing_path(self) -> str:
        return LANDING

    def column_path(self, index: int) -> str:
        return self.column_dir(index) if index == 0 else self.page_path(index, 0)

    def page_path(self, index: int, page: int) -> str:
        channel = CHANNELS[index]
        name = channel.prefix if page == 0 else f"{channel.prefix}_{page}"
        return f"{self.column_dir(index)}{name}.{channel.ext}"

    def _stamp(self, entry: Entry) -> str:
        return entry.published.strftime("%Y%m%d")

    def _dir(self, entry: Entry) -> str:
        return self.column_dir(entry.column or 0)

    def detail_path(self, entry: Entry) -> str:
        ext = CHANNELS[entry.column or 0].article_ext
        return f"{self._dir(entry)}{entry.published:%Y%m}/t{self._stamp(entry)}_{entry.doc_id}.{ext}"

    def print_path(self, entry: Entry) -> str:
        return f"{self._dir(entry)}{PRINT_DIR}t{self._stamp(entry)}_{entry.doc_id}.htm"

    def attachment_path(self, entry: Entry, index: int) -> str:
        serial = int(self.file_token(entry, index)[:10], 16) % 10**9
        name = f"P0{self._stamp(entry)}{serial:09d}{index}.{entry.attachments[index].extension}"
        return f"{self._dir(entry)}{entry.published:%Y%m}/{name}"

    def redirect_hops(self, entry: Entry) -> list[str]:
        tail = self.detail_path(entry).removeprefix(self.column_dir(0))
        return [old + tail for old in OLD_COLUMNS]

    # -- routes ------------------------------------------------------------------------------
    def static_routes(self) -> Iterator[tuple[str, Route]]:
        yield "/", Route("root", self._root)
        yield "/index.html", Route("root", self._root)
        yield SECTION, Route("landing", self._section)
        yield LANDING, Route("landing", self._landing)
        for index, _ in enumerate(self.spec.columns):
            yield self.column_path(index), Route("column", lambda i=index: self._column(i, 0))
            for page in range(self._page_count(index)):
                yield self.page_path(index, page), Route("column" if page == 0 else "list",
                                                         lambda i=index, p=page: self._column(i, p))
        for entry in self.entries:
            if entry.status == "live":
                yield self.print_path(entry), Route("print", lambda e=entry: self._print(e), entry)

    def _page_count(self, index: int) -> int:
        return max(1, -(-len(self.column_entries(index)) // PER_PAGE))

    # -- pages -------------------------------------------------------------------------------
    def _frame(self, title: str, column: str, main: str, entry: Entry | None = None, script: str = "",
               channel: int = CHANNELS[0].channel_id) -> str:
        meta = self.standard_meta(column, entry)
        meta += f'\n<meta name="ChnlId" content="{channel}"/>\n<meta name="SiteId" content="4"/>'
        if entry is not None:
            meta += f'\n<meta name="DocId" content="{entry.doc_id}"/>'
        agency = escape(self.spec.agency)
        return (HEAD.format(meta=meta, title=escape(title), agency=agency, landing=LANDING) + main
                + FOOT.format(code=self.spec.site_code, icp=self.spec.icp, agency=agency, script=script))

    def _breadcrumb(self, column: int | None) -> str:
        """当前位置 down to the landing page, or to a column and the columns it sits in."""
        last = "".join(f'<li><a href="{self.column_path(i)}" title="{escape(c.name)}" class="CurrChnlCls">'
                       f"{escape(c.name)}</a></li>" for i, c in enumerate(self.spec.columns)
                       if column is not None and i in (0, column))
        return BREADCRUMB.format(landing=LANDING, last=last)

    def _root(self) -> Resolved:
        main = ('<div class="row"><div class="banner"><img src="/images/banner.jpg" /></div>'
                '<div class="title_base"><div class="title_name">财政要闻</div></div><ul class="list_base">'
                '<li><a href="javascript:;">市财政局召开2026年全市财政工作会议</a><span>2026-02-20</span></li></ul>'
                f'<div class="title_base"><div class="title_name"><a href="{LANDING}">政府信息公开</a></div></div></div>')
        return self.page("root", self._frame(self.spec.agency, "首页", main))

    def _section(self) -> Resolved:
        crumb = ('<div class="breadcrumb"><span><i class="trt-iconfont trt-icon-weizhi"></i>当前位置：</span><ul><li>'
                 '<a href="/" title="首页" class="CurrChnlCls">首页</a></li><li><a href="/zwgk/" title="政务公开" '
                 'class="CurrChnlCls">政务公开</a></li></ul></div>')
        boxes = "".join(
            f'<div class="trt-col-12"><div class="title_base"><div class="title_name"><a href="{href}">{name}</a>'
            f'</div></div><ul class="list_base">{items}</ul></div>'
            for name, href, items in (
                ("政府信息公开", LANDING, f'<li><a href="{LANDING}">政府信息公开指南</a></li>'
                                        f'<li><a href="{self.column_dir()}">{escape(self.spec.columns[0].name)}</a></li>'),
                ("政策文件", "javascript:;", '<li><a href="javascript:;">福州市财政局关于进一步规范财政资金管理的通知</a>'
                                              "<span>2026-01-12</span></li>"),
                ("财政预决算", "javascript:;", '<li><a href="javascript:;">福州市2026年市级财政预算公开</a>'
                                                "<span>2026-02-08</span></li>"),
                ("解读回应", "javascript:;", '<li><a href="javascript:;">一图读懂2026年市级预算</a><span>2026-02-09</span></li>'),
            ))
        main = f'<div class="row content_bg_02 pad_xl">{crumb}<div class="trt-row zwgk_index">{boxes}</div></div>'
        return self.page("landing", self._frame(f"政务公开_{self.spec.agency}", "政务公开", main))

    def _landing(self) -> Resolved:
        name = escape(self.spec.columns[0].name)
        main = (f'<div class="row content_bg_02 pad_xl">{self._breadcrumb(None)}<div class="info_public_nav"><ul>'
                '<li><a href="javascript:;">政府信息公开指南</a></li><li><a href="javascript:;">政府信息公开制度</a></li>'
                '<li><a href="javascript:;">法定主动公开内容</a></li>'
                f'<li><a href="{self.column_dir()}" title="{name}">{name}</a></li>'
                '<li><a href="javascript:;">政府信息公开申请</a></li></ul></div></div>')
        return self.page("landing", self._frame(f"政府信息公开_{self.spec.agency}", "政府信息公开", main))

    def _column(self, index: int, page: int) -> Resolved:
        entries = self.column_entries(index)
        shown = entries[page * PER_PAGE:(page + 1) * PER_PAGE]
        items = "\n".join(ITEM.format(href=self._relative(self.list_href(e), index), title=escape(e.report.title),
                                      date=date_only(e.published)) for e in shown)
        name = self.spec.columns[index].name
        tabs = "".join(f'<li class="on"><a class="cur_def" href="javascript:;">{escape(c.name)}</a></li>' if i == index
                       else f'<li><a href="{self.column_path(i)}" title="{escape(c.name)}">{escape(c.name)}</a></li>'
                       for i, c in enumerate(self.spec.columns))
        channel, pages = CHANNELS[index], self._page_count(index)
        if channel.pager_div:
            script = PAGER_DIV_SCRIPT
            pager = (f'<div id="{channel.pager_div}"></div><script type="text/javascript">createPageHTML('
                     f"'{channel.pager_div}',{pages},{page + 1},'{channel.prefix}','{channel.ext}',{len(entries)});</script>")
        else:
            script = PAGER_SCRIPT
            pager = (f'<script type="text/javascript">createPageHTML({pages}, {page}, "{channel.prefix}", '
                     f'"{channel.ext}");</script>')
        main = COLUMN.format(breadcrumb=self._breadcrumb(index), tabs=tabs, items=items, pager_script=script,
                             pager=pager)
        html = self._frame(f"{name}_政府信息公开_{self.spec.agency}", name, main, channel=channel.channel_id)
        return self.page("column" if page == 0 else "list", html, modified=self.latest(entries))

    def _relative(self, path: str, index: int) -> str:
        """Links inside a column's directory are written relative, as TRS publishes them."""
        folder = self.column_dir(index)
        return "./" + path.removeprefix(folder) if path.startswith(folder) else path

    def _attachment_items(self, entry: Entry) -> str:
        return "".join(f'<li><a href="./{self.attachment_path(entry, i).rsplit("/", 1)[1]}" target="_blank" '
                       f'title="{escape(a.filename)}">{escape(a.filename)}</a></li>'
                       for i, a in enumerate(entry.attachments))

    def _viewer(self, entry: Entry) -> tuple[str, str]:
        """The 全真版 iframe and the script that finds the PDF named 原件 among the attachments."""
        pdfs = [(i, a) for i, a in enumerate(entry.attachments) if a.format == "pdf"]
        apps = ",".join(f'{{name: "{a.filename}", url: "{self.url(self.attachment_path(entry, i))}"}}'
                        for i, a in pdfs)
        script = ("<script>var qzbFile = \"\";var apps = [" + apps + "];"
                  "for (var i = 0; i < apps.length; i++) { if (apps[i].url.indexOf(\"pdf\") > -1) "
                  "{ qzbFile = apps[i].url; } }</script>")
        if not pdfs:
            return "", script
        src = self.url(self.attachment_path(entry, pdfs[0][0]))
        iframe = f'<iframe class="isofd" src="/generic2/web/viewer.html?file={escape(src)}" frameborder="0" scrolling="no"></iframe>'
        return iframe, script

    def render_detail(self, entry: Entry) -> str:
        viewer, script = self._viewer(entry)
        index = entry.column or 0
        name = self.spec.columns[index].name
        main = DETAIL.format(
            breadcrumb=self._breadcrumb(index), title=escape(entry.report.title),
            source=escape(entry.report.publisher or self.spec.agency),
            datetime=entry.published.strftime("%Y-%m-%d %H:%M"),
            print_href=self._relative(self.print_path(entry), index).replace("./", "../", 1),
            viewer=viewer, body=self.body_html(entry), attachments=self._attachment_items(entry))
        return self._frame(f"{entry.report.title}_{name}_{self.spec.agency}", name, main, entry, script,
                           CHANNELS[index].channel_id)

    def _print(self, entry: Entry) -> Resolved:
        html = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(entry.report.title)}</title>'
                f'</head><body onload="window.print()"><h1 style="text-align:center">{escape(entry.report.title)}</h1>'
                f'<div class="TRS_Editor">{self.body_html(entry)}</div></body></html>')
        return self.page("print", html, modified=entry.published, entry=entry)
