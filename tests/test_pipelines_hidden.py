"""Hidden markup and link farms: injected inside the body, ordinary UI outside it."""

from __future__ import annotations

import pytest
from lxml import html

from pipelines.hidden import cloaking_targets, remove_injections

STYLES = [
    "display:none",
    "DISPLAY: NONE",
    "visibility:hidden",
    "font-size:0;line-height:0;height:0;overflow:hidden",
    "position:absolute;left:-9999px;top:-9999px",
    "text-indent:-9999em;height:0;overflow:hidden",
    "opacity:0",
    "width:0;height:0;overflow:hidden",
]


def _page(body_html: str, outside: str = "") -> tuple[html.HtmlElement, html.HtmlElement]:
    tree = html.document_fromstring(f'<html><body><div class="nav">{outside}</div>'
                                    f'<div class="TRS_Editor">{body_html}</div></body></html>')
    return tree, tree.find_class("TRS_Editor")[0]


@pytest.mark.parametrize("style", STYLES)
def test_hidden_text_in_the_body_is_removed_and_kept(style):
    tree, body = _page(f'<p>一、总体情况</p><div style="{style}"><a href="http://www.js9905.com/?1">澳门银河</a>'
                       f'<a href="http://www.ssc168.top/?2">江苏快三</a></div><p>二、主动公开</p>')
    removed = remove_injections(tree, body, "http://www.luan.gov.cn/a.html", ("www.luan.gov.cn",))
    assert removed == ["澳门银河", "江苏快三"]
    assert body.text_content() == "一、总体情况二、主动公开"


def test_marquee_and_css_class_hiding():
    tree, body = _page('<p>正文</p><marquee>六合彩开奖</marquee><span class="hx">一夜情</span>')
    tree.find(".//body").insert(0, html.fragment_fromstring("<style>.hx{display:none}</style>"))
    assert remove_injections(tree, body, "http://a.gov.cn/", ("a.gov.cn",)) == ["六合彩开奖", "一夜情"]


def test_hidden_ui_outside_the_body_is_not_spam_but_hidden_spam_is():
    tree, body = _page("<p>正文</p>", '<em style="display:none">你好，注销</em>'
                                      '<div style="display:none">澳门新葡京 真人百家乐</div>'
                                      '<a href="http://www.hanweb.com" style="display:none">Produced By 大汉网络 大汉版通发布系统</a>')
    assert remove_injections(tree, body, "http://a.gov.cn/", ("a.gov.cn",)) == ["澳门新葡京 真人百家乐"]


def test_a_body_inside_a_hidden_tab_is_kept():
    tree = html.document_fromstring('<html><body><div style="display:none"><div class="TRS_Editor"><p>正文</p>'
                                    "</div></div></body></html>")
    body = tree.find_class("TRS_Editor")[0]
    assert remove_injections(tree, body, "http://a.gov.cn/", ("a.gov.cn",)) == []
    assert body.text_content() == "正文"


def test_visible_link_farm_to_foreign_hosts_in_the_body():
    tree, body = _page('<p>正文<a href="http://www.xpj3377.com/">新闻</a> <a href="http://www.bet36517.net/">体育</a></p>'
                       '<p>详见<a href="https://www.gov.cn/zhengce/">中国政府网</a>和<a href="/col/col1.html">本站</a></p>')
    removed = remove_injections(tree, body, "http://www.luan.gov.cn/a.html", ("www.luan.gov.cn",))
    assert removed == ["新闻", "体育"]
    assert body.text_content() == "正文 详见中国政府网和本站"


def test_one_foreign_link_without_spam_words_stays():
    tree, body = _page('<p>转载自<a href="http://www.xinhuanet.com/a.htm">新华网</a></p>')
    assert remove_injections(tree, body, "http://www.luan.gov.cn/a.html", ("www.luan.gov.cn",)) == []


def test_hidden_iframe_to_a_foreign_host_is_recorded():
    tree, body = _page('<p>正文</p><iframe src="http://www.amyh66.vip/x" width="0" height="0"></iframe>')
    assert remove_injections(tree, body, "http://a.gov.cn/", ("a.gov.cn",)) == ["http://www.amyh66.vip/x"]


def test_links_to_a_host_that_serves_spam_links_go_too():
    tree = html.document_fromstring(
        '<html><body><h1>澳门银河</h1><p><a href="http://www.js9905.com/?0">澳门银河</a></p>'
        '<p><a href="http://www.js9905.com/?1">江苏快三</a></p><p><a href="http://www.xinhuanet.com/">新华网</a></p>'
        "</body></html>")
    assert remove_injections(tree, None, "http://127.0.0.11/a.html", ("127.0.0.11",)) == ["澳门银河", "江苏快三"]


def test_search_engine_cloaking_script():
    tree = html.document_fromstring(
        '<html><head><script>var s=document.referrer;if(s.indexOf("baidu")>0){window.location.href='
        '"http://www.js9905.com/";}</script><script>var d=new Date();document.write(d);</script></head>'
        "<body><p>x</p></body></html>")
    assert cloaking_targets(tree) == ["http://www.js9905.com/"]
