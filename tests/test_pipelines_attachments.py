"""Attachments: kinds from bytes (not names), text of PDF/DOCX/XLS(X), scans and stubs flagged."""

from __future__ import annotations

import io
import re

import docx
import openpyxl
import pytest
import xlwt
from PIL import Image
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from pipelines.attachments import read_attachment, sniff
from pipelines.extract import extract

TITLE = "福州市财政局2013年政府信息公开工作年度报告"
ROWS = [["指标名称", "计量单位", "2013年度", "历年累计"], ["主动公开信息数", "条", "425", "1516"]]


def _pdf(lines: list[str] | None = None, image: bool = False) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    if lines:
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        pdf.setFont("STSong-Light", 12)
        for i, line in enumerate(lines):
            pdf.drawString(60, 780 - 20 * i, line)
    if image:
        scan = io.BytesIO()
        Image.new("RGB", (40, 40), "white").save(scan, "PNG")
        pdf.drawImage(ImageReader(scan), 60, 400, 200, 200)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def _docx() -> bytes:
    document = docx.Document()
    document.add_paragraph(TITLE)
    document.add_paragraph("一、概述")
    table = document.add_table(rows=3, cols=4)
    for r, row in enumerate(ROWS):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(2, 0).merge(table.cell(2, 3)).text = "注：数据截至2013年12月31日"
    document.add_paragraph("二、主动公开政府信息情况")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([TITLE])
    for row in ROWS:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xls() -> bytes:
    book = xlwt.Workbook()
    sheet = book.add_sheet("年报")
    sheet.write(0, 0, TITLE)
    for r, row in enumerate(ROWS, 1):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_kinds_come_from_the_bytes():
    assert [sniff(b) for b in (_pdf(["x"]), _docx(), _xlsx(), _xls())] == ["pdf", "docx", "xlsx", "xls"]
    assert sniff(b"\xd0\xcf") == "stub"
    assert sniff(b"\xff\xd8\xff\xe0" + b"\x00" * 100) == "image"
    assert sniff(b"<!DOCTYPE html><html>" + b" " * 100) == "html"


def test_pdf_text():
    attachment = read_attachment(_pdf([TITLE, "一、概述", "2013年，我局认真贯彻落实《条例》。"]), "pdf")
    assert attachment.lines == [TITLE, "一、概述", "2013年，我局认真贯彻落实《条例》。"]
    assert attachment.flags == []


def test_scanned_pdf_needs_ocr():
    assert read_attachment(_pdf(image=True), "pdf").flags == ["needs_ocr"]


def _encrypted_pdf(password: str) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out, encrypt=StandardEncryption(password, "owner", canCopy=0, strength=128))
    pdf.drawString(60, 700, "Annual report 2019")
    pdf.showPage()
    pdf.save()
    return out.getvalue()


@pytest.mark.parametrize(("make", "flags"), [
    (lambda: b"%PDF-1.4\n" + b"x" * 200, ["unreadable", "unreadable:PDFSyntaxError"]),
    (lambda: _pdf([TITLE])[:400], ["unreadable", "unreadable:PSEOF"]),
    (lambda: _pdf([TITLE])[:-60], ["unreadable", "unreadable:PDFSyntaxError"]),
    (lambda: _encrypted_pdf("secret"), ["unreadable", "unreadable:PDFPasswordIncorrect"]),
], ids=["garbage", "truncated-early", "truncated-late", "password"])
def test_unreadable_pdfs_are_flagged_with_pdfminers_error(make, flags):
    attachment = read_attachment(make(), "pdf")
    assert (attachment.lines, attachment.grids, attachment.flags) == ([], [], flags)


def test_pdf_with_only_an_owner_password_is_read():
    attachment = read_attachment(_encrypted_pdf(""), "pdf")
    assert (attachment.lines, attachment.flags) == (["Annual report 2019"], [])


def test_pdf_whose_tables_cannot_be_read_keeps_its_text():
    body = _pdf([TITLE, "一、概述"])
    box = re.search(rb"/MediaBox \[[^\]]*\]", body)  # pdfminer assumes US Letter, pdfplumber fails
    attachment = read_attachment(body[:box.start()] + b" " * len(box.group()) + body[box.end():], "pdf")
    assert (attachment.lines, attachment.grids, attachment.flags) == ([TITLE, "一、概述"], [], ["unreadable"])


def test_docx_paragraphs_and_tables_in_reading_order():
    attachment = read_attachment(_docx(), "docx")
    assert attachment.lines == [TITLE, "一、概述", "指标名称 | 计量单位 | 2013年度 | 历年累计",
                                "主动公开信息数 | 条 | 425 | 1516", "注：数据截至2013年12月31日",
                                "二、主动公开政府信息情况"]


@pytest.mark.parametrize("make", [_xlsx, _xls], ids=["xlsx", "xls"])
def test_spreadsheet_reports(make):
    record = extract(make(), "http://127.0.0.1/download.jsp?id=1", {}, {"agency": "福州市财政局"})
    assert record["text"].split("\n") == [TITLE, "指标名称 | 计量单位 | 2013年度 | 历年累计",
                                          "主动公开信息数 | 条 | 425 | 1516"]
    assert (record["title"], record["report_year"], record["doc_type"]) == (TITLE, 2013, "annual_report")


def test_pdf_report_record_wrong_name_and_type():
    body = _pdf([TITLE, "一、概述", "2013年，我局认真贯彻落实《条例》。"])
    record = extract(body, "http://127.0.0.1/attach/report.doc", {"Content-Type": b"application/msword"})
    assert (record["format"], record["title"], record["report_year"], record["agency"]) == (
        "pdf", TITLE, 2013, "福州市财政局")


def test_scan_keeps_its_keys_from_the_filename():
    headers = {"Content-Disposition": f'attachment; filename="{TITLE}.pdf"'.encode("gbk").decode("latin-1")}
    record = extract(_pdf(image=True), "http://127.0.0.1/Download.asp?FileID=1", headers)
    assert "needs_ocr" in record["flags"]
    assert (record["title"], record["report_year"], record["template"]) == (TITLE, 2013, "free")


def test_two_byte_stub_is_flagged():
    record = extract(b"\xd0\xcf", "http://127.0.0.1/Download.asp?FileID=2")
    assert record["format"] == "stub" and "stub" in record["flags"] and record["text"] == ""
