"""Table grids from HTML, DOCX, XLSX, XLS and PDF bytes (pipelines.tables)."""

from __future__ import annotations

import io
import re

import docx
import openpyxl
import pytest
import xlwt
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

from pipelines.tables import (
    SpanCopy, TableReadError, docx_grids, grid_text, html_grids, pdf_grids, xls_grids, xlsx_grids,
)


def one(html: str) -> list[list[str]]:
    (grid,) = html_grids(f"<html><body>{html}</body></html>")
    return grid


def test_rowspan_and_colspan_repeat_the_cell_in_every_position():
    grid = one("""<table>
      <tr><td rowspan="2" colspan="2">三、本年度办理结果</td><td>a</td></tr>
      <tr><td>b</td></tr>
      <tr><td>1</td><td>2</td><td>3</td></tr></table>""")
    assert grid == [["三、本年度办理结果", "三、本年度办理结果", "a"],
                    ["三、本年度办理结果", "三、本年度办理结果", "b"],
                    ["1", "2", "3"]]
    assert isinstance(grid[0][1], SpanCopy) and not isinstance(grid[1][0], SpanCopy)


def test_rowspan_zero_runs_to_the_end_and_overflowing_spans_are_clamped():
    grid = one("""<table><tr><td rowspan="0">L</td><td>1</td></tr><tr><td>2</td></tr>
                  <tr><td>3</td></tr><tr><td rowspan="99">x</td><td colspan="huge">4</td></tr></table>""")
    assert [row[0] for row in grid[:3]] == ["L", "L", "L"]
    assert [row[1] for row in grid[:3]] == ["1", "2", "3"]


def test_labels_split_over_p_and_br_are_joined_and_whitespace_is_collapsed():
    grid = one("""<table><tr>
      <td><p><span>本年新</span><span><br></span><span>制作数量</span></p></td>
      <td><p>商业</p>
          <p>企业</p></td>
      <td>&nbsp;75394432.52元 </td>
      <td>201<span>6</span>\n年度<script>var x = 1;</script><style>p{}</style><!-- c --></td></tr></table>""")
    assert grid == [["本年新制作数量", "商业企业", "75394432.52元", "2016年度"]]


def test_empty_columns_and_rows_are_dropped_and_short_rows_padded():
    grid = one("""<table><tr><td>自然人</td><td></td><td>总计</td></tr>
                  <tr><td>&nbsp;</td><td> </td><td></td></tr>
                  <tr><td>3</td></tr></table>""")
    assert grid == [["自然人", "总计"], ["3", ""]]


def test_layout_tables_wrapping_tables_are_skipped():
    grids = html_grids("""<table><tr><td>nav</td><td>
        <table><tr><td>行政复议</td></tr><tr><td>0</td></tr></table></td></tr></table>""")
    assert grids == [[["行政复议"], ["0"]]]


def test_bytes_are_decoded_by_their_declared_charset_or_as_utf8():
    gbk = '<html><head><meta charset="gb2312"></head><body><table><tr><td>行政诉讼</td></tr></table>'
    assert html_grids(gbk.encode("gbk")) == [[["行政诉讼"]]]
    plain = "<table><tr><td>结果维持</td></tr></table>"
    assert html_grids(plain.encode("utf-8")) == [[["结果维持"]]]
    assert html_grids('<?xml version="1.0" encoding="utf-8"?><table><tr><td>纠正</td></tr></table>') == [[["纠正"]]]


@pytest.mark.parametrize("source", [b"", "   ", b"\x00\xff garbage", "<table><tr></tr></table>", "<p>no table"])
def test_bad_html_gives_no_grids(source):
    assert html_grids(source) == []


def test_grid_text_shows_a_merged_cell_once_per_row():
    grid = one("""<table><tr><td>信息内容</td><td colspan="3">本年处理决定数量</td></tr>
                  <tr><td>行政许可</td><td colspan="3">2629</td></tr>
                  <tr><td>规章</td><td>0</td><td>0</td><td>0</td></tr></table>""")
    assert grid[1] == ["行政许可", "2629", "2629", "2629"]
    assert grid_text(grid) == "信息内容 | 本年处理决定数量\n行政许可 | 2629\n规章 | 0 | 0 | 0"


def test_corpus_page_tables(corpus_dir):
    grids = html_grids((corpus_dir / "2019-pingtan-report.html").read_bytes())
    assert [(len(g), len(g[0])) for g in grids] == [(18, 4), (26, 10), (4, 15)]
    applications = grids[1]
    assert applications[15][:3] == ["三、本年度办理结果", "（四）无法提供", "1.本机关不掌握相关政府信息"]
    assert applications[16][2] == "2.没有现成信息需要另行制作"  # split over two <p>s on the page
    assert grids[0][-1] == ["政府集中采购", "135", "75394432.52元", "75394432.52元"]


# --- office documents and PDF -------------------------------------------------------------

def test_docx_merged_cells_and_nested_tables():
    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "三、本年度办理结果"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "申请人情况"
    table.cell(1, 1).text, table.cell(1, 2).text = "自然人", "总计"
    table.cell(2, 0).text, table.cell(2, 1).text, table.cell(2, 2).text = "（七）总计", "4", "4"
    holder = document.add_table(rows=1, cols=1)
    inner = holder.cell(0, 0).add_table(rows=1, cols=2)
    inner.cell(0, 0).paragraphs[0].text = "科研"
    inner.cell(0, 0).add_paragraph("机构")
    inner.cell(0, 1).text = "0"
    buffer = io.BytesIO()
    document.save(buffer)
    first, nested = docx_grids(buffer.getvalue())
    assert first == [["三、本年度办理结果", "申请人情况", "申请人情况"],
                     ["三、本年度办理结果", "自然人", "总计"],
                     ["（七）总计", "4", "4"]]
    assert isinstance(first[0][2], SpanCopy) and grid_text(first).splitlines()[0] == "三、本年度办理结果 | 申请人情况"
    assert nested == [["科研机构", "0"]]


def test_xlsx_merges_numbers_and_blocks_split_at_blank_rows():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["行政复议", None, "行政诉讼"])
    sheet.merge_cells("A1:B1")
    sheet.append(["结果维持", "总计", "总计"])
    sheet.append([3.0, 2.5, 0])
    sheet.append([])
    sheet.append(["指标名称", "本年度"])
    sheet.append(["主动公开信息数", 425])
    buffer = io.BytesIO()
    workbook.save(buffer)
    review, legacy = xlsx_grids(buffer.getvalue())
    assert review == [["行政复议", "行政复议", "行政诉讼"], ["结果维持", "总计", "总计"], ["3", "2.5", "0"]]
    assert legacy == [["指标名称", "本年度"], ["主动公开信息数", "425"]]


def test_xls_merges():
    book = xlwt.Workbook()
    sheet = book.add_sheet("统计表")
    sheet.write_merge(0, 1, 0, 0, "三、本年度办理结果")
    sheet.write(0, 1, "（一）予以公开")
    sheet.write(1, 1, "（七）总计")
    sheet.write(0, 2, 7)
    sheet.write(1, 2, 7.25)
    buffer = io.BytesIO()
    book.save(buffer)
    assert xls_grids(buffer.getvalue()) == [[["三、本年度办理结果", "（一）予以公开", "7"],
                                             ["三、本年度办理结果", "（七）总计", "7.25"]]]


def _pdf_with_table() -> bytes:
    buffer = io.BytesIO()
    data = [["head", "", "x"], ["a", "1", "2"], ["", "3", "4"]]
    style = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"), ("SPAN", (0, 0), (1, 0)),
                        ("SPAN", (0, 1), (0, 2))])
    SimpleDocTemplate(buffer, pagesize=A4).build([Table(data, colWidths=60, rowHeights=20, style=style)])
    return buffer.getvalue()


def test_pdf_ruled_table_with_spans():
    (grid,) = pdf_grids(_pdf_with_table())
    assert grid == [["head", "head", "x"], ["a", "1", "2"], ["a", "3", "4"]]
    assert isinstance(grid[0][1], SpanCopy) and not isinstance(grid[2][0], SpanCopy)


def test_pdf_without_text_layer_gives_no_grids():
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.rect(50, 500, 300, 200)  # ruling without any text: what a scan's vector frame leaves
    page.showPage()
    page.save()
    assert pdf_grids(buffer.getvalue()) == []


@pytest.mark.parametrize("reader", [docx_grids, xlsx_grids, xls_grids, pdf_grids])
@pytest.mark.parametrize("data", [b"", b"not a document at all", b"PK\x03\x04truncated zip"])
def test_unreadable_documents_raise_a_clear_error(reader, data):
    with pytest.raises(TableReadError):
        reader(data)


def test_truncated_pdf_raises_a_clear_error():
    data = _pdf_with_table()
    with pytest.raises(TableReadError):
        pdf_grids(data[: len(data) // 3])


def test_pdf_page_without_a_media_box_raises_a_clear_error():
    data = _pdf_with_table()
    box = re.search(rb"/MediaBox \[[^\]]*\]", data)
    with pytest.raises(TableReadError):  # pdfplumber fails on the page, and again on closing
        pdf_grids(data[:box.start()] + b" " * len(box.group()) + data[box.end():])
