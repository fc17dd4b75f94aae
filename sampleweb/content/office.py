"""Reports as office attachments: DOCX with real (merged) Word tables, XLSX and XLS sheets.

Zip-based formats are rewritten with fixed member timestamps and fixed document
properties so that the same report always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import docx
import openpyxl
import xlwt
from docx.shared import Pt
from openpyxl.styles import Alignment, Border, Side
from openpyxl.writer.excel import ExcelWriter

from .model import Report, Table
from .tables import cell_number, place

EPOCH = dt.datetime(2000, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _fixed_zip(data: bytes) -> bytes:
    """The same archive with every member stamped ``ZIP_TIME`` (python-docx/openpyxl use now)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, source.read(info))
    return out.getvalue()


def _stamp(report: Report) -> dt.datetime:
    return dt.datetime.fromisoformat(report.publish_date) if report.publish_date else EPOCH


def _sections(report: Report) -> list[tuple[str, Table]]:
    """Each table with the paragraph just before it (its heading) as caption."""
    found, previous = [], ""
    for block in report.blocks:
        if isinstance(block, Table):
            found.append((block.caption or previous, block))
        else:
            previous = block
    return found


def render_docx(report: Report) -> bytes:
    """The report as a Word document: title, paragraphs and tables with merged cells."""
    document = docx.Document()
    properties = document.core_properties
    properties.title, properties.author, properties.last_modified_by = report.title, report.agency, report.agency
    properties.created = properties.modified = _stamp(report)
    properties.revision = 1
    document.add_heading(report.title, level=1)
    for block in report.blocks:
        if isinstance(block, str):
            paragraph = document.add_paragraph(block)
            paragraph.paragraph_format.first_line_indent = Pt(24)
            continue
        placed, height, width = place(block)
        table = document.add_table(rows=height, cols=width)
        table.style = "Table Grid"
        grid = table._cells  # one pass; table.cell() rescans the whole table on every call
        for r, c, text, _, _ in placed:
            lines = text.split("\n")
            grid[r * width + c].paragraphs[0].text = lines[0]
            for line in lines[1:]:
                grid[r * width + c].add_paragraph(line)
        for r, c, _, rowspan, colspan in placed:  # merge after filling: merged cells keep the text
            if rowspan > 1 or colspan > 1:
                grid[r * width + c].merge(grid[(r + rowspan - 1) * width + c + colspan - 1])
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip(buffer.getvalue())


def _value(text: str) -> int | float | str:
    """Numbers as numeric cells, the rest ("/", "+3", "32.52元", labels) as text."""
    number = cell_number(text)
    return text if number is None or text.startswith("+") else number


def render_xlsx(report: Report) -> bytes:
    """The report's tables on one sheet, under the title and each table's heading."""
    tables = _sections(report)
    if not tables:
        raise ValueError(f"{report.title}: no tables to put in a spreadsheet")
    book = openpyxl.Workbook()
    book.properties.creator = report.agency
    book.properties.title = report.title
    book.properties.created = book.properties.modified = _stamp(report)
    sheet = book.active
    sheet.title = "统计表"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet.cell(1, 1, report.title)
    row = 3
    for caption, table in tables:
        sheet.cell(row, 1, caption)
        placed, height, _ = place(table)
        for r, c, text, rowspan, colspan in placed:
            cell = sheet.cell(row + 1 + r, c + 1, _value(text))
            cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
            cell.border = border
            if rowspan > 1 or colspan > 1:
                sheet.merge_cells(start_row=row + 1 + r, start_column=c + 1,
                                  end_row=row + r + rowspan, end_column=c + colspan)
        row += height + 3
    buffer = io.BytesIO()
    # Not book.save(): openpyxl's save stamps the modified property with the current time.
    ExcelWriter(book, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    return _fixed_zip(buffer.getvalue())


def render_xls(report: Report) -> bytes:
    """The same sheet in the BIFF8 .xls format (xlwt), merged cells included."""
    tables = _sections(report)
    if not tables:
        raise ValueError(f"{report.title}: no tables to put in a spreadsheet")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("统计表")
    style = xlwt.easyxf("align: wrap on, horiz center, vert center; "
                        "borders: left thin, right thin, top thin, bottom thin")
    sheet.write(0, 0, report.title)
    row = 2
    for caption, table in tables:
        sheet.write(row, 0, caption)
        placed, height, _ = place(table)
        for r, c, text, rowspan, colspan in placed:
            top = row + 1 + r
            if rowspan > 1 or colspan > 1:
                sheet.write_merge(top, top + rowspan - 1, c, c + colspan - 1, _value(text), style)
            else:
                sheet.write(top, c, _value(text), style)
        row += height + 3
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
