"""Table grids from report documents: HTML, DOCX, XLS, XLSX and PDF text layers.

A ``Grid`` is a list of rows of cell strings, rectangular, with every merged cell
(rowspan/colspan, Word vMerge/gridSpan, spreadsheet merges, PDF spanning boxes) copied into
each position it covers. Cell text is whitespace-normalized, with the pieces of a cell
split over ``<p>``/``<br>`` (or Word paragraphs) joined; columns and rows that are empty
throughout are dropped. Statistics are read from these grids, never from flattened text.

Public API:
    html_grids(tree_or_bytes) -> list[Grid]   leaf ``<table>``s of a page (tree, str or bytes)
    docx_grids(data: bytes) -> list[Grid]     Word tables, nested ones included
    xlsx_grids(data: bytes) -> list[Grid]     one grid per blank-row-separated block of a sheet
    xls_grids(data: bytes) -> list[Grid]      same, legacy Excel
    pdf_grids(data: bytes) -> list[Grid]      ruled tables of the text layer (none for scans)
    pdf_page_grids(page) -> list[Grid]        same, one pdfplumber page (``pipelines.pdf`` reads
                                              the text in the same pass)
    grid_text(grid) -> str                    rows of " | "-separated cells, for clean text
    html_table_grid(table) -> Grid            one ``<table>`` element
    tidy(rows) -> Grid                        rectangular, empty rows and columns dropped
    decode_html(data: bytes) -> str           declared charset, else UTF-8, else GB18030
    TableReadError                            raised for unreadable DOCX/XLS/XLSX/PDF bytes
    SpanCopy                                  str of a merged cell repeated to the right
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator

import lxml.etree
import lxml.html

Grid = list[list[str]]

MAX_SPAN = 500  # hostile or broken spans are clamped, not trusted
MAX_ROWS = 5000
MAX_COLS = 200
CELL_SEPARATOR = " | "

_SPACE = re.compile(r"\s+")
# Whitespace next to a CJK character (and a CJK character or digit on the other side) is
# layout — a <p> break inside a label, "2016\n年度" — not a word gap. Digits stay apart.
_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}0-9])|(?<=[0-9])\s+(?=[{_CJK}])")


class TableReadError(ValueError):
    """The bytes could not be read as the document type asked for."""


class SpanCopy(str):
    """The text of a merged cell repeated in a column it covers to the right of its origin."""


def clean_cell(text: str) -> str:
    """One cell's text: whitespace collapsed, CJK characters split over lines joined."""
    text = _SPACE.sub(" ", text.replace("\u3000", " ").replace("\xa0", " ")).strip()
    return _CJK_GAP.sub("", text)


def tidy(grid: Iterable[Iterable[str]]) -> Grid:
    """Rectangular grid without rows or columns that are empty throughout."""
    rows = [list(row) for row in grid]
    rows = [row for row in rows if any(row)]
    if not rows:
        return []
    width = max(len(row) for row in rows)
    for row in rows:
        row.extend([""] * (width - len(row)))
    keep = [c for c in range(width) if any(row[c] for row in rows)]
    return [[row[c] for c in keep] for row in rows]


def grid_text(grid: Grid) -> str:
    """The grid as lines of cells joined by " | ".

    A merged cell is shown once per row (its ``SpanCopy`` positions are left out), so a
    value spanning three columns does not read as three values.
    """
    return "\n".join(CELL_SEPARATOR.join(cell for cell in row if not isinstance(cell, SpanCopy))
                     for row in grid)


def _span(value: str | None, default: int = 1) -> int:
    try:
        span = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return min(max(span, 0), MAX_SPAN)


def expand_spans(rows: Iterable[Iterable[tuple[str, int, int]]]) -> Grid:
    """Lay out rows of (text, rowspan, colspan) cells; a rowspan of 0 runs to the table's end."""
    rows = [list(r) for r in rows][:MAX_ROWS]
    grid: Grid = []
    pending: dict[int, tuple[str, int]] = {}  # column -> (text, rows still covered)
    for cells in rows:
        line: list[str] = []
        queue = iter(cells)
        col = 0
        while True:
            if col in pending:
                text, left = pending[col]
                line.append(text)
                if left > 1:
                    pending[col] = (text, left - 1)
                else:
                    del pending[col]
                col += 1
                continue
            cell = next(queue, None)
            if cell is None:
                break
            text, rowspan, colspan = cell
            rowspan = len(rows) if rowspan == 0 else rowspan
            for offset in range(max(colspan, 1)):
                if col >= MAX_COLS:
                    break
                copy = SpanCopy(text) if offset else text
                line.append(copy)
                if rowspan > 1:
                    pending[col] = (copy, rowspan - 1)
                col += 1
        # rowspans reaching past the last cell of a short row still fill their columns
        for extra in sorted(c for c in pending if c >= col):
            line.extend([""] * (extra - len(line)))
            text, left = pending[extra]
            line.append(text)
            pending[extra] = (text, left - 1)
            if left <= 1:
                del pending[extra]
        grid.append(line)
    return tidy(grid)


# --- HTML -------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")


def decode_html(data: bytes) -> str:
    """Page bytes as text: the declared charset, else UTF-8, else GB18030 (never fails)."""
    declared = _META_CHARSET.search(data[:4096])
    candidates = [declared.group(1).decode("ascii").lower()] if declared else []
    for encoding in [*candidates, "utf-8", "gb18030"]:
        if encoding in ("gb2312", "gbk"):
            encoding = "gb18030"  # its superset: pages labelled GB2312 use GBK characters
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("gb18030", errors="replace")


def _html_root(source) -> lxml.html.HtmlElement | None:
    if isinstance(source, bytes):
        source = decode_html(source)
    if isinstance(source, str):
        source = _XML_DECLARATION.sub("", source)
        if not source.strip():
            return None
        try:
            return lxml.html.document_fromstring(source)
        except (lxml.etree.ParserError, ValueError):
            return None
    if hasattr(source, "getroot"):
        return source.getroot()
    return source


_SKIP_TEXT = frozenset({"script", "style"})


def _collect_text(node, parts: list[str]) -> None:
    if node.text:
        parts.append(node.text)
    for child in node:
        if isinstance(child.tag, str) and child.tag not in _SKIP_TEXT:
            _collect_text(child, parts)
        if child.tail:
            parts.append(child.tail)


def _html_cell_text(cell) -> str:
    parts: list[str] = []
    _collect_text(cell, parts)
    return clean_cell("".join(parts))


def html_table_grid(table) -> Grid:
    """One ``<table>`` element as a grid (rows of nested tables are not its rows)."""
    rows = []
    for tr in table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr"):
        rows.append([(_html_cell_text(td), _span(td.get("rowspan")), _span(td.get("colspan")))
                     for td in tr.xpath("./td|./th")])
    return expand_spans(rows)


def html_grids(tree_or_bytes) -> list[Grid]:
    """Grids of the page's leaf tables (layout tables wrapping other tables are skipped)."""
    root = _html_root(tree_or_bytes)
    if root is None:
        return []
    grids = []
    for table in root.iter("table"):
        if table.find(".//table") is not None:
            continue
        grid = html_table_grid(table)
        if grid:
            grids.append(grid)
    return grids


# --- DOCX -------------------------------------------------------------------------------

def _docx_tables(tables) -> Iterator:
    for table in tables:
        nested = [t for row in table.rows for cell in row.cells for t in cell.tables]
        if nested:
            yield from _docx_tables(nested)
        else:
            yield table


def docx_grids(data: bytes) -> list[Grid]:
    """Grids of a Word document's tables; merged cells repeat (python-docx resolves vMerge)."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx lets zip, XML and package errors through as they are
        raise TableReadError(f"not a readable DOCX file: {exc}") from exc
    grids = []
    for table in _docx_tables(document.tables):
        rows = []
        for row in table.rows:
            line = [""] * (row.grid_cols_before or 0)
            previous = None
            for cell in row.cells:  # a gridSpan yields the same cell once per grid column
                text = clean_cell(cell.text)
                line.append(SpanCopy(text) if previous is not None and cell._tc is previous._tc else text)
                previous = cell
            rows.append(line)
        grid = tidy(rows)
        if grid:
            grids.append(grid)
    return grids


# --- spreadsheets -----------------------------------------------------------------------

def _number_text(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _split_blocks(rows: Grid) -> list[Grid]:
    """A sheet's rows split at blank rows: stacked tables become separate grids."""
    blocks: list[Grid] = []
    current: Grid = []
    for row in rows:
        if any(row):
            current.append(row)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return [grid for grid in (tidy(block) for block in blocks) if grid]


def _sheet_grids(cells: dict[tuple[int, int], str], merges: Iterable[tuple[int, int, int, int]],
                 nrows: int, ncols: int) -> list[Grid]:
    nrows, ncols = min(nrows, MAX_ROWS), min(ncols, MAX_COLS)
    rows = [[cells.get((r, c), "") for c in range(ncols)] for r in range(nrows)]
    for top, left, bottom, right in merges:  # inclusive bounds, zero-based
        text = cells.get((top, left), "")
        for r in range(top, min(bottom + 1, nrows)):
            for c in range(left, min(right + 1, ncols)):
                rows[r][c] = SpanCopy(text) if c > left else text
    return _split_blocks(rows)


def xlsx_grids(data: bytes) -> list[Grid]:
    """Grids of every sheet of an XLSX workbook (cached formula values, merges filled)."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # zip, XML and openpyxl errors alike
        raise TableReadError(f"not a readable XLSX file: {exc}") from exc
    grids = []
    for sheet in workbook.worksheets:
        cells = {}
        for row in sheet.iter_rows(max_row=min(sheet.max_row, MAX_ROWS), max_col=min(sheet.max_column, MAX_COLS)):
            for cell in row:
                if cell.value is None:
                    continue
                value = cell.value
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    text = _number_text(value)
                elif isinstance(value, (dt.datetime, dt.date)):
                    text = value.isoformat()
                else:
                    text = clean_cell(str(value))
                cells[cell.row - 1, cell.column - 1] = text
        merges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1)
                  for m in sheet.merged_cells.ranges]
        grids += _sheet_grids(cells, merges, sheet.max_row, sheet.max_column)
    return grids


def xls_grids(data: bytes) -> list[Grid]:
    """Grids of every sheet of a legacy XLS workbook (merges filled)."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    except Exception as exc:  # xlrd raises XLRDError, CompDocError, struct errors …
        raise TableReadError(f"not a readable XLS file: {exc}") from exc
    grids = []
    for sheet in book.sheets():
        cells = {}
        for r in range(min(sheet.nrows, MAX_ROWS)):
            for c in range(min(sheet.ncols, MAX_COLS)):
                cell = sheet.cell(r, c)
                if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                    continue
                if cell.ctype == xlrd.XL_CELL_NUMBER:
                    text = _number_text(cell.value)
                elif cell.ctype == xlrd.XL_CELL_DATE:
                    text = xlrd.xldate.xldate_as_datetime(cell.value, book.datemode).isoformat()
                elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    text = str(bool(cell.value))
                else:
                    text = clean_cell(str(cell.value))
                cells[r, c] = text
        merges = [(rlo, clo, rhi - 1, chi - 1) for rlo, rhi, clo, chi in sheet.merged_cells]
        grids += _sheet_grids(cells, merges, sheet.nrows, sheet.ncols)
    return grids


# --- PDF --------------------------------------------------------------------------------

def _pdf_table_grid(table) -> Grid:
    """A pdfplumber table with each spanning box's text copied into the grid slots it covers."""
    boxes = table.cells
    xs = sorted({box[0] for box in boxes})
    tops = sorted({box[1] for box in boxes})
    texts = table.extract()
    grid = [["" for _ in xs] for _ in tops]
    for i, row in enumerate(table.rows):
        for j, box in enumerate(row.cells):
            if box is None:
                continue
            text = clean_cell(texts[i][j] or "") if i < len(texts) and j < len(texts[i]) else ""
            x0, top, x1, bottom = box
            for r, y in enumerate(tops):
                if top <= y < bottom:
                    covered = [c for c, x in enumerate(xs) if x0 <= x < x1]
                    for c in covered:
                        grid[r][c] = SpanCopy(text) if c != covered[0] else text
    return tidy(grid)


def pdf_page_grids(page) -> list[Grid]:
    """Grids of the ruled tables on one pdfplumber page; a page without text gives []."""
    if not page.chars:
        return []
    return [grid for grid in (_pdf_table_grid(table) for table in page.find_tables()) if grid]


def pdf_grids(data: bytes) -> list[Grid]:
    """Grids of the ruled tables in a PDF's text layer; a scanned (image-only) PDF gives []."""
    import pdfplumber

    try:
        # closing re-reads the pages, so a broken page box fails the ``with`` itself
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return [grid for page in pdf.pages for grid in pdf_page_grids(page)]
    except Exception as exc:  # syntax errors, encrypted files, broken xref tables, damaged pages …
        raise TableReadError(f"not a readable PDF file: {exc}") from exc
