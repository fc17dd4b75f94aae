"""Attachments read back with the tools a crawler would use: pdfminer/pdfplumber, python-docx, openpyxl, xlrd."""

from __future__ import annotations

import io

import docx
import openpyxl
import pdfplumber
import pytest
import xlrd
from pdfminer.high_level import extract_text

from sampleweb.content import (
    generate_report, render_docx, render_image_only, render_pdf, render_xls, render_xlsx, seed_documents,
)

APPLICANTS = ["natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total"]
RENDERERS = [render_pdf, render_docx, render_xlsx, render_xls, render_image_only]


@pytest.fixture(scope="module")
def report():
    return generate_report("凉州区人民政府", "620602", 2020, "2019", 11)


@pytest.fixture(scope="module")
def report_2021():
    return generate_report("凉州区财政局", "620602", 2022, "2021", 4)


def applications(report, row):
    values = {(s.row, s.column): s.raw for s in report.stats if s.table == "applications"}
    return [values[row, c] for c in APPLICANTS]


@pytest.mark.parametrize("render", RENDERERS)
def test_same_report_same_bytes(render, report):
    assert render(report) == render(report)
    assert render(report) != render(generate_report("凉州区人民政府", "620602", 2020, "2019", 12))


def test_pdf_text_layer_has_title_narrative_and_numbers(report):
    text = "".join(extract_text(io.BytesIO(render_pdf(report))).split())
    assert report.title in text
    first = next(b for b in report.blocks if isinstance(b, str))
    assert "".join(first.split())[:40] in text
    assert "三、本年度办理结果" in text


@pytest.mark.parametrize("fixture", ["report", "report_2021"])
def test_pdf_tables_come_out_as_rows(fixture, request):
    report = request.getfixturevalue(fixture)
    with pdfplumber.open(io.BytesIO(render_pdf(report))) as pdf:
        rows = [row for page in pdf.pages for table in page.extract_tables() for row in table]
    by_label = {row[0]: row for row in rows if row and row[0]}
    for label, row in (("一、本年新收政府信息公开申请数量", "new_received"),
                       ("四、结转下年度继续办理", "carried_forward")):
        assert by_label[label][-7:] == applications(report, row)
    review = [r for r in rows if len(r) == 15 and all(c and c.isdigit() for c in r)]
    assert len(review) == 1


def test_docx_has_word_tables_with_merged_cells(report):
    document = docx.Document(io.BytesIO(render_docx(report)))
    assert document.paragraphs[0].text == report.title
    assert document.core_properties.author == report.agency
    table = next(t for t in document.tables if "申请人情况" in t.rows[0].cells[3].text)
    assert len(table.rows) == 26 and len(table.columns) == 10
    first = table.rows[3].cells
    assert first[0]._tc is first[2]._tc  # 一、… spans three columns: one merged cell
    assert [c.text for c in first[3:]] == applications(report, "new_received")
    results = [row.cells[0]._tc for row in table.rows[5:25]]
    assert all(tc is results[0] for tc in results)  # 三、本年度办理结果 spans twenty rows
    assert table.rows[2].cells[4].text == "商业\n企业"


def _sheet_rows(values):
    return {row[0]: row for row in values if row and isinstance(row[0], str) and row[0]}


def test_xlsx_numbers_and_merges(report_2021):
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(report_2021)))
    sheet = book.active
    assert sheet.cell(1, 1).value == report_2021.title
    rows = _sheet_rows(list(sheet.iter_rows(values_only=True)))
    new = rows["一、本年新收政府信息公开申请数量"]
    assert [str(v) for v in new[3:10]] == applications(report_2021, "new_received")
    assert any(r.max_row - r.min_row == 21 for r in sheet.merged_cells.ranges)  # 三、本年度办理结果, 2021 layout
    fees = next(s for s in report_2021.stats if s.column == "amount_10k_yuan")
    assert rows["行政事业性收费"][1] == fees.value


def test_xls_numbers_and_merges(report):
    book = xlrd.open_workbook(file_contents=render_xls(report), formatting_info=True)
    sheet = book.sheet_by_index(0)
    rows = _sheet_rows([sheet.row_values(r) for r in range(sheet.nrows)])
    carried = rows["四、结转下年度继续办理"]
    assert [str(int(v)) for v in carried[3:10]] == applications(report, "carried_forward")
    assert any(rhi - rlo == 1 and chi - clo == 7 for rlo, rhi, clo, chi in sheet.merged_cells)  # 申请人情况
    procurement = next(s for s in report.stats if s.column == "procurement_amount")
    assert rows["政府集中采购"][2] == procurement.raw  # an amount with its unit stays text


def test_spreadsheets_need_tables():
    free = seed_documents()["000"]
    for render in (render_xlsx, render_xls):
        with pytest.raises(ValueError):
            render(free)


def test_image_only_pdf_has_no_text_layer(report):
    data = render_image_only(report)
    assert data.startswith(b"%PDF")
    assert extract_text(io.BytesIO(data)).strip() == ""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) >= 2 and all(page.images and not page.chars for page in pdf.pages)
    assert render_image_only(report, fmt="png").startswith(b"\x89PNG")
    assert render_image_only(report, fmt="jpeg").startswith(b"\xff\xd8")
    with pytest.raises(ValueError):
        render_image_only(report, fmt="tiff")


@pytest.mark.parametrize("key", ["000", "001", "002", "003", "004"])
def test_seeds_render_to_every_document_format(key):
    seed = seed_documents()[key]
    text = "".join(extract_text(io.BytesIO(render_pdf(seed))).split())
    assert "".join(seed.title.split()) in text
    assert "比分直播" not in text and "老时时" not in text
    assert docx.Document(io.BytesIO(render_docx(seed))).paragraphs[0].text == seed.title
