"""Stylesheets and scripts the sites' templates load, so that a person with a browser sees
and uses each site as on the real platform (crawlers do not fetch these).

The scripts are small stand-ins for the platforms' libraries — a jQuery subset, Hanweb's
jpage (datastore records, further groups by POST to dataproxy.jsp), the Anhui platform's
``Ls.pagination`` and gkmlpt's list loader — implementing only what the pages call.
"""

from __future__ import annotations

JQUERY = r"""/* jQuery subset: $(fn), $(document).ready, $(selector).load/html/hide, $.fn */
(function () {
  function Q(sel) {
    // ids that start with a digit (Hanweb unit ids) are not valid in CSS selectors
    this.els = typeof sel === "string"
      ? Array.prototype.slice.call(document.querySelectorAll(sel.replace(/#(\d[\w-]*)/g, '[id="$1"]')))
      : (sel ? [sel] : []);
    this.el = this.els[0];
  }
  Q.prototype.ready = function (fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
    return this;
  };
  Q.prototype.html = function (text) { this.els.forEach(function (e) { e.innerHTML = text; }); return this; };
  Q.prototype.hide = function () { this.els.forEach(function (e) { e.style.display = "none"; }); return this; };
  Q.prototype.load = function (url) {
    var self = this, xhr = new XMLHttpRequest();
    xhr.open("GET", url);
    xhr.onload = function () { self.html(xhr.responseText); };
    xhr.send();
    return this;
  };
  var $ = function (sel) { return typeof sel === "function" ? new Q(document).ready(sel) : new Q(sel); };
  $.fn = Q.prototype;
  window.jQuery = window.$ = $;
})();
"""

JPAGE = r"""/* jpage: pages the datastore records; fetches further groups from dataproxy.jsp by POST */
(function ($) {
  function records(text) {
    var found = [];
    text.replace(/<record><!\[CDATA\[([\s\S]*?)\]\]><\/record>/g, function (_, record) { found.push(record); });
    return found;
  }
  $.fn.jpage = function (o) {
    var box = this.el, per = o.perPage || 15, group = per * (o.groupSize || 3);
    var store = box.querySelector('script[type="text/xml"]');
    var rows = records(store ? store.textContent : ""), total = o.totalRecord || rows.length;
    var pages = Math.max(1, Math.ceil(total / per));
    var list = document.createElement("ul"), bar = document.createElement("div");
    list.className = "jpage_list"; bar.className = "jpage_bar";
    box.appendChild(list); box.appendChild(bar);
    function fetchUpTo(count, done) {
      if (rows.length >= Math.min(count, total)) { return done(); }
      var start = rows.length + 1, xhr = new XMLHttpRequest();
      xhr.open("POST", o.proxyUrl + "?startrecord=" + start + "&endrecord=" + (start + group - 1) + "&perpage=" + per);
      xhr.setRequestHeader("Content-Type", "application/x-www-form-urlencoded");
      xhr.onload = function () { rows = rows.concat(records(xhr.responseText)); done(); };
      xhr.send(Object.keys(o.ajaxParam).map(function (k) {
        return encodeURIComponent(k) + "=" + encodeURIComponent(o.ajaxParam[k]);
      }).join("&"));
    }
    function show(page) {
      fetchUpTo(page * per, function () {
        list.innerHTML = rows.slice((page - 1) * per, page * per).join("");
        var html = "<span>共" + total + "条　" + page + "/" + pages + "页</span>";
        for (var i = 1; i <= pages; i++) {
          html += i === page ? '<span class="current">' + i + "</span>" : '<a href="javascript:;" data-page="' + i + '">' + i + "</a>";
        }
        bar.innerHTML = html;
      });
    }
    bar.onclick = function (e) { var p = e.target.getAttribute("data-page"); if (p) { show(+p); } };
    show(1);
    return this;
  };
})(jQuery);
"""

LS = r"""/* Ls.pagination: the Anhui platform's pager; the first page is already on the column page */
window.Ls = {
  pagination: function (selector, load, o) {
    var bar = document.querySelector(selector), current = o.currPage || 1;
    function draw() {
      var html = "<span>共" + o.total + "条</span>";
      for (var i = 1; i <= o.pageCount; i++) {
        html += i === current ? '<span class="current">' + i + "</span>" : '<a href="javascript:;" data-page="' + i + '">' + i + "</a>";
      }
      bar.innerHTML = html;
    }
    bar.onclick = function (e) {
      var p = e.target.getAttribute("data-page");
      if (p) { current = +p; load(current); draw(); }
    };
    draw();
  }
};
"""

GKMLPT = r"""/* gkmlpt: loads the column's list from the JSON API with the page's SID */
(function () {
  var c = window._CONFIG || {}, list = document.getElementById("report-list"), bar = document.getElementById("report-pager");
  if (!list) { return; }
  var catId = location.hash.slice(1) || c.CAT_ID;
  function esc(t) { return String(t).replace(/[&<>"]/g, function (ch) { return "&#" + ch.charCodeAt(0) + ";"; }); }
  function show(page) {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", c.API_BASE + "all/" + catId + "?page=" + page + "&sid=" + c.SID);
    xhr.onload = function () {
      var data = JSON.parse(xhr.responseText), pages = Math.max(1, Math.ceil(data.total / (c.PAGE_SIZE || 10)));
      list.innerHTML = "<ul>" + data.articles.map(function (a) {
        return '<li><a href="' + esc(a.url) + '" target="_blank">' + esc(a.title) + "</a><span>" + a.created_at.slice(0, 10) + "</span></li>";
      }).join("") + "</ul>";
      var html = "";
      for (var i = 1; i <= pages; i++) {
        html += i === page ? '<span class="current">' + i + "</span>" : '<a href="javascript:;" data-page="' + i + '">' + i + "</a>";
      }
      bar.innerHTML = html;
    };
    xhr.send();
  }
  bar.onclick = function (e) { var p = e.target.getAttribute("data-page"); if (p) { show(+p); } };
  show(1);
})();
"""

# Shared look of list pagers, then each platform's own colours and layout.
PAGER_CSS = (".jpage_bar,.page_base,#page_public_info,#report-pager{margin:16px 0;text-align:center}"
             ".jpage_bar a,.jpage_bar span,.page_base a,.page_base span,#page_public_info a,#page_public_info span,"
             "#report-pager a,#report-pager span{display:inline-block;margin:0 3px;padding:2px 8px;border:1px solid #ddd}"
             ".current{background:#1b5faa;color:#fff}")
STYLES = {
    "hanweb": PAGER_CSS + """
body{margin:0;font:14px/1.8 "Microsoft YaHei",SimSun,sans-serif;color:#333;background:#f2f2f2}
a{color:#333;text-decoration:none}a:hover{color:#c00}
.w1200{width:1200px;margin:0 auto}
.top_bar{background:#eee;font-size:12px;line-height:30px}.top_link{float:right}
.header{background:#b3191f;height:110px}.header .search{float:right;margin-top:40px}
.nav{background:#8c0e13}.nav ul{list-style:none;padding:0;margin:0 auto;overflow:hidden}
.nav li{float:left}.nav a{display:block;padding:0 28px;line-height:46px;color:#fff;font-size:16px}
.main{background:#fff;padding:20px 30px;min-height:500px}.position{border-bottom:1px solid #ddd;margin-bottom:15px}
.lm_name{font-size:18px;color:#b3191f;font-weight:bold;border-bottom:2px solid #b3191f;margin-bottom:10px}
.jpage_list li,.box li,.sub_columns li{list-style:none;border-bottom:1px dashed #ddd;overflow:hidden}
.jpage_list li span,.box li span{float:right;color:#999}
.xxgk_table{border-collapse:collapse;margin-bottom:20px;background:#f9f9f9}.xxgk_table td{border:1px solid #ddd;padding:4px 8px}
.art_title{font-size:24px;color:#b3191f;text-align:center;font-weight:bold;margin:20px 0}
.art_info{text-align:center;color:#666;border-bottom:1px solid #ddd;padding-bottom:10px}
#zoom{font-size:16px;line-height:2;padding:20px 0}#zoom table{border-collapse:collapse;margin:0 auto}#zoom td{border:1px solid #333;padding:2px 4px}
.art_bottom,.ewm{text-align:right;color:#666}.footer{background:#8c0e13;color:#fff;text-align:center;padding:15px 0}.footer a{color:#fff}
""",
    "trs": PAGER_CSS + """
body{margin:0;font:15px/1.8 "Microsoft YaHei",sans-serif;color:#333;background:#f5f7fa}
a{color:#333;text-decoration:none}a:hover{color:#0b5ca8}
.row{width:1200px;margin:0 auto}.header{background:linear-gradient(#0b5ca8,#1479d0);color:#fff}
.header a{color:#fff}.menu_base ul{list-style:none;margin:0;padding:0;overflow:hidden}
.menu_base li{float:left}.menu_base a{display:block;padding:0 30px;line-height:50px;font-size:17px}
.submenu{background:#e8f0f9}.submenu a{color:#0b5ca8;margin-right:20px}.aged_link{text-align:right}
.content_bg_02{background:#fff;padding:20px 40px}.breadcrumb ul{display:inline;list-style:none;padding:0}
.breadcrumb li{display:inline}.breadcrumb li+li:before{content:" > "}
.rules_tabs_01 dl{display:flex;border-bottom:1px dashed #ddd;margin:0;padding:6px 0}.rules_tabs_01 dd{margin:0;flex:1}
.rules_tabs_01 dd+dd{flex:0 0 120px;color:#999}
.article_title{font-size:26px;font-weight:bold;color:#0b5ca8;text-align:center;margin:20px 0}
.article_extend{border-bottom:1px solid #e5e5e5;color:#888}.share_box a{margin-left:8px}
.tabs_hd ul{list-style:none;padding:0;display:flex}.tabs_hd li{padding:4px 16px;border:1px solid #ddd}
.isofd{width:100%;height:600px;border:1px solid #ddd}.TRS_Editor table{border-collapse:collapse;margin:0 auto}
.TRS_Editor td{border:1px solid #333}.footer{background:#0b3f73;color:#dde;padding:20px 0}.footer a{color:#dde}
.out_links ul{list-style:none;padding:0}.shadow_base{display:none}
""",
    "anhui": PAGER_CSS + """
body{margin:0;font:14px/1.8 "Microsoft YaHei",sans-serif;color:#333;background:#eef3f8}
a{color:#333;text-decoration:none}a:hover{color:#1b5faa}.container{width:1200px;margin:0 auto;background:#fff}
.ls-page-head{background:#1b5faa;color:#fff}.ls-page-head a{color:#fff}.top-bar{line-height:32px;font-size:12px}
.fr{float:right}.nav ul{list-style:none;margin:0;padding:0;overflow:hidden}.nav li{float:left}
.nav a{display:block;padding:0 30px;line-height:48px;font-size:16px}
.wzy_position{padding:10px 20px;border-bottom:1px solid #ddd}.xxgk_left{float:left;width:220px;padding:20px}
.xxgk_right{margin-left:260px;padding:20px}.xxgk_lmtitle{font-size:18px;color:#1b5faa;border-bottom:2px solid #1b5faa}
.xxgk_navli ul{list-style:none;padding:0;margin:0;display:flex;border-bottom:1px dashed #ddd}
.xxgk_navli .xh{width:40px}.xxgk_navli .mc{flex:1}.xxgk_navli .rq{width:110px;color:#999}
.wzy_content{padding:20px 40px}.table_suoyin{border-collapse:collapse;background:#f7f9fc;margin-bottom:20px}
.table_suoyin th,.table_suoyin td{border:1px solid #dce3ec;padding:5px 10px;text-align:left}
.newstitle{text-align:center;color:#1b5faa}.newsinfo{text-align:center;color:#888;border-bottom:1px solid #eee}
.wzcon{font-size:16px;line-height:2;padding:20px 0}.wzcon table{border-collapse:collapse;margin:0 auto}.wzcon td{border:1px solid #333}
.zczx{background:#f7f9fc;padding:10px 20px;margin-top:20px}.footer{background:#1b5faa;color:#fff;text-align:center;padding:15px 0}
.footer a{color:#fff}
""",
    "gkmlpt": PAGER_CSS + """
body{margin:0;font:14px/1.8 "Microsoft YaHei",sans-serif;color:#333;background:#f4f6f9}
a{color:#333;text-decoration:none}a:hover{color:#c4141b}.wrap{width:1200px;margin:0 auto}
.gkmlpt-header{background:#c4141b;color:#fff;padding:20px 0}.gkmlpt-header h1{display:inline;margin-left:20px}
.gkmlpt-header .tools{float:right}.gkmlpt-header a{color:#fff}.gkmlpt-nav{background:#a30f15}
.gkmlpt-nav a{display:inline-block;color:#fff;padding:0 24px;line-height:44px}
.gkmlpt-main{background:#fff;padding:20px 30px;min-height:500px}.crumb{border-bottom:1px solid #eee;margin-bottom:15px}
.catalog-tree{float:left;width:220px}.content-list li{list-style:none;border-bottom:1px dashed #ddd;overflow:hidden}
.content-list li span{float:right;color:#999}.classify{border-collapse:collapse;width:100%;background:#fafafa}
.classify td{border:1px solid #e5e5e5;padding:5px 10px}.title{text-align:center;color:#c4141b}
.info span{margin:0 10px;color:#888}.article-content{font-size:16px;line-height:2}
.article-content table{border-collapse:collapse;margin:0 auto}.article-content td{border:1px solid #333}
.gkmlpt-footer{background:#333;color:#ccc;text-align:center;padding:15px 0}.gkmlpt-footer a{color:#ccc}
""",
    "legacy": """body{font-size:12px;font-family:宋体,SimSun}a{color:#0033CC;text-decoration:none}
a:hover{color:#CC0000;text-decoration:underline}td{font-size:12px;line-height:150%}
""",
}
CSS = "text/css"
JS = "application/javascript"
