"""Readers: the body region of each CMS layout, layout tables, text captures, kinds."""

from __future__ import annotations

import json

import pytest
from pdfminer.pdfinterp import PDFPageInterpreter

from pipelines.readers import read_document
from sampleweb.content import generate_report, render_pdf

PARAGRAPHS = "<p>一、总体情况</p><p>2020年，我局认真贯彻落实《条例》，全年主动公开政府信息1200条。</p>"
CHROME = '<div class="header">首页 政务公开</div><div class="footer">版权所有：某局 网站标识码：3415000040</div>'

LAYOUTS = {
    "trs": f'{CHROME}<div class="article_content"><div class=TRS_Editor>{PARAGRAPHS}</div></div>',
    "hanweb": f'{CHROME}<div id="zoom"><!--ZJEG_RSS.content.begin--><meta name="ContentStart">{PARAGRAPHS}'
              '<meta name="ContentEnd"><!--ZJEG_RSS.content.end--></div>',
    "anhui": f'{CHROME}<div class="wzcon j-fontContent">{PARAGRAPHS}</div>',
    "ucap": f'{CHROME}<div id="UCAP-CONTENT">{PARAGRAPHS}</div>',
    "gkmlpt": f'<script>window._CONFIG = {json.dumps({"DETAIL": {"title": "t", "content": PARAGRAPHS}})};</script>'
              f'{CHROME}<div class="content">旧的正文</div>',
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_cms_body_regions(layout):
    page = read_document(f"<html><body>{LAYOUTS[layout]}</body></html>".encode(), "http://127.0.0.1/a.html", {})
    assert page.layout == layout
    assert page.lines == ["一、总体情况", "2020年，我局认真贯彻落实《条例》，全年主动公开政府信息1200条。"]


def test_legacy_layout_tables_read_by_their_densest_block():
    body = "".join(f"<font size=3>{i}、本县全年主动公开政府信息{i}00条，依申请公开办结{i}件。</font><br>" for i in range(1, 9))
    table = "<table border=1><tr><td>指标名称</td><td>2012年度</td></tr><tr><td>主动公开信息数</td><td>800</td></tr></table>"
    page = read_document(
        ("<html><body><table width=980><tr><td><a href='/'>网站首页</a> | <a href='/x'>政务动态</a></td></tr></table>"
         "<table width=980><tr><td width=200><a href='/a'>信息公开指南</a><br><a href='/b'>信息公开目录</a></td>"
         f"<td width=780><table><tr><td><b>某县2012年政府信息公开工作年度报告</b></td></tr><tr><td>{body}{table}"
         "</td></tr></table></td></tr></table></body></html>").encode("gbk"), "http://127.0.0.15/a.asp", {})
    assert page.layout == "dense" and page.charset == "gb18030"
    assert page.lines[0] == "1、本县全年主动公开政府信息100条，依申请公开办结1件。"
    assert page.lines[-2:] == ["指标名称 | 2012年度", "主动公开信息数 | 800"]
    assert page.grids == [[["指标名称", "2012年度"], ["主动公开信息数", "800"]]]


def test_unknown_layout_without_a_dense_block_falls_back_to_trafilatura():
    page = read_document("<html><body><ul><li>平潭综合实验区2023年度政府信息公开工作年度报告</li></ul></body></html>"
                         .encode(), "http://127.0.0.1/list.html", {})
    assert page.layout == "fallback"
    assert page.lines == ["平潭综合实验区2023年度政府信息公开工作年度报告"]


def test_text_capture_tables_become_grids():
    text = "某办2019年政府信息公开工作年度报告\n| 信息内容 | 本年新 | 对外公开总数量 |\n| 规章 | 0 | 0 |\n一、总体情况"
    page = read_document(text.encode(), "file:///seed.txt", {})
    assert page.kind == "text" and page.titles == ["某办2019年政府信息公开工作年度报告"]
    assert page.grids == [[["信息内容", "本年新", "对外公开总数量"], ["规章", "0", "0"]]]


def test_labelled_fields_from_metadata_tables_and_bylines():
    html = ("<html><body><table class='xxgk_table'><tr><td>索 引 号：</td><td>12620600MB/2020-06557</td>"
            "<td>发布机构：</td><td>信息公开办</td></tr></table>"
            "<div class='art_info'>信息来源：信息公开办　发布日期：2020-09-29 16:12　浏览次数：</div>"
            f"<div id='zoom'>{PARAGRAPHS}</div></body></html>")
    page = read_document(html.encode(), "http://127.0.0.11/art/1.html", {})
    assert page.fields["发布机构"] == "信息公开办" and page.fields["发布日期"].startswith("2020-09-29")


def test_html_sent_as_text_plain_without_tags_at_the_start():
    page = read_document(b"\xef\xbb\xbf  " + f"<div class=TRS_Editor>{PARAGRAPHS}</div>".encode(), "http://a/", {})
    assert page.kind == "html" and page.layout == "trs"


def test_a_pdf_is_interpreted_once_for_its_text_and_its_tables(monkeypatch):
    body = render_pdf(generate_report("某某县人民政府", "350128", 2020, seed=0))
    interpreted = []
    process_page = PDFPageInterpreter.process_page

    def counting(interpreter, page):
        interpreted.append(page.pageid)
        return process_page(interpreter, page)

    monkeypatch.setattr(PDFPageInterpreter, "process_page", counting)
    page = read_document(body, "http://127.0.0.1/report.pdf", {})
    assert page.kind == "pdf" and page.lines[0] == "某某县人民政府2020年政府信息公开工作年度报告" and len(page.grids) == 4
    assert len(interpreted) > 1 and sorted(interpreted) == sorted(set(interpreted))
