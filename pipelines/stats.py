"""Statistics of a report from its table grids: canonical long-format cells.

Public API:
    parse_stats(grids: list[Grid], text: str = "") -> StatsResult
        ``template`` "2019" | "2021" | "free" | None, ``stats`` [{table, row, column, value,
        raw}] in the ids of docs/statistics.md, ``flags`` (needs_ocr, partial_table, …).
    parse_value(raw: str) -> (value, ok)    one cell: int/float, or None for "/", blank, 无
    detect_template(stats, text="") -> str | None
    narrative_counts(text) -> list[dict]    free-form era counts quoted in sentences
    sentences(text) -> list[str]            the text cut after 。！？； and at line ends

How a grid is read: rows without numbers are header rows; consecutive header rows form a
block whose columns get a *path* (their distinct header cells joined). The first column
whose path names a known label splits label columns (left) from data columns. Each data
row's label path (its distinct label cells) and each column path are matched against the
vocabularies of ``statlabels``; per block, the table and the orientation (row ids from row
labels, or transposed, or both ids from the column path as in the 复议/诉讼 table) that
name the most cells win. A block without a header of its own continues the previous one
(tables broken over pages). Numbers come only from cells, never from flattened text —
except the free-form era's narrative counts, kept with their sentence as ``raw``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from . import statlabels as L
from .tables import Grid

Value = int | float | None

NULL_TOKENS = frozenset({
    "", "/", "\\", "//", "无", "-", "--", "—", "——", "–", "―", "不适用", "暂无", "空", "没有",
    "不涉及", "未涉及", "无此项", "暂无数据", "未统计",
})
_UNITS = "万元|亿元|元|人次|件|条|个|项|次|家|起|篇|期|%|‰"
_NUMBER = re.compile(rf"^([+-]?)(\d+(?:\.\d+)?)(?:{_UNITS})?$")
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3})")
_SIGNS = str.maketrans({"−": "-", "＋": "+", "﹢": "+", "﹣": "-"})

VALUE, BLANK, TEXT = "value", "blank", "text"
# Where a cell's row id and column id are read: from its row's labels or its column's
# header. In order of preference on a tie: the usual layout, the 复议/诉讼 layout (both from
# the header), transposed, and a header-less list (both from the row's labels).
MODES = (("row", "col"), ("col", "col"), ("col", "row"), ("row", "row"))
TABLE_PRIORITY = ("applications", "review_litigation", "active", "legacy")
MAX_HEADER_ROWS = 6  # a header is a few rows; a long run of text rows keeps only its last ones
MAX_GRID_ROWS, MAX_GRID_COLUMNS = 400, 60  # the report tables are ≤ 30 rows and ≤ 15 columns


@dataclass
class StatsResult:
    """What ``parse_stats`` read: the template, long-format cells and flags (sorted)."""

    template: str | None
    stats: list[dict] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


@lru_cache(maxsize=8192)
def parse_value(raw: str) -> tuple[Value, bool]:
    """(value, ok): a number with its sign and unit dropped, or None for a null token.

    ``ok`` is False when the text is neither a number nor a known "not applicable" token;
    the value is then None too, and the caller keeps the raw text.
    """
    text = L.fold(raw).translate(_SIGNS)
    text = _THOUSANDS.sub("", "".join(text.split()))
    if text in NULL_TOKENS:
        return None, True
    found = _NUMBER.match(text)
    if not found:
        return None, False
    sign, digits = found.groups()
    number: int | float = float(digits) if "." in digits else int(digits)
    return (-number if sign == "-" else number), True


def _kind(cell: str) -> str:
    if not cell:
        return BLANK
    value, ok = parse_value(cell)
    return VALUE if ok else TEXT


def _path(cells: list[str]) -> str:
    """Distinct consecutive labels joined, normalized."""
    parts: list[str] = []
    for cell in cells:
        label = L.normalize_label(cell)
        if label and (not parts or parts[-1] != label):
            parts.append(label)
    return "".join(parts)


@lru_cache(maxsize=4096)
def _lookup(table: str, axis: int, label: str) -> str | None:
    """The id ``label`` names in a table's row (axis 0) or column (axis 1) vocabulary."""
    return L.match(L.TABLES[table][axis], label) if label else None


def _names_label(label: str) -> bool:
    return any(_lookup(table, axis, label) for table in L.TABLES for axis in (0, 1))


@dataclass
class _Block:
    columns: list[str]  # path of every column
    first_data: int  # columns before this one hold row labels
    rows: list[tuple[str, list[str]]] = field(default_factory=list)  # (label path, cells)


def _continuation(previous: _Block | None, grid: Grid) -> _Block | None:
    """The columns a header-less grid takes over from the block before it (a table broken
    over pages): its value columns, counted from the right, are the last data columns of
    ``previous``. Label columns may have merged differently on the new page."""
    if previous is None:
        return None
    kinds = [_kind(cell) for cell in grid[0]]
    if VALUE not in kinds:
        return None
    first = next(c for c, kind in enumerate(kinds) if kind != TEXT)
    data = len(kinds) - first
    if TEXT in kinds[first:] or data > len(previous.columns) - previous.first_data:
        return None
    return _Block([""] * first + previous.columns[len(previous.columns) - data:], first)


def _blocks(grid: Grid, inherited: _Block | None) -> list[_Block]:
    """Split a grid into header-defined blocks of data rows (see module docstring)."""
    blocks: list[_Block] = [inherited] if inherited else []
    current = inherited
    header: list[list[str]] = []
    after_data = True
    width = len(grid[0])
    for row in grid:
        kinds = [_kind(cell) for cell in row]
        has_value = VALUE in kinds
        text_in_data = current is not None and TEXT in kinds[current.first_data:]
        if not has_value and (current is None or text_in_data):
            if after_data:
                header, after_data = [], False
            header = [*header[1 - MAX_HEADER_ROWS:], row]
            paths = [_path([h[c] for h in header]) for c in range(width)]
            first = next((c for c, p in enumerate(paths) if _names_label(p)), None)
            if first is not None:
                current = _Block(paths, first)
                blocks.append(current)
            continue
        if current is None:
            if kinds[0] != TEXT:
                continue  # numbers before any header or label: nothing says what they are
            # no header at all: a list whose labels name both ids (行政复议 | 结果维持 | 0)
            current = _Block([""] * width, next(c for c, kind in enumerate(kinds) if kind != TEXT))
            blocks.append(current)
        after_data = True
        label = _path([c for c, k in zip(row[:current.first_data], kinds) if k == TEXT])
        current.rows.append((label, row))
    return blocks


class _Reading:
    """A block read as one table: the ids each row label and each column path names."""

    def __init__(self, block: _Block, table: str):
        self.block, self.table = block, table
        labels = [label for label, _ in block.rows]
        paths = block.columns[block.first_data:]
        self.by_label = {"row": [_lookup(table, 0, x) for x in labels], "col": [_lookup(table, 1, x) for x in labels]}
        self.by_path = {"row": [_lookup(table, 0, x) for x in paths], "col": [_lookup(table, 1, x) for x in paths]}

    def _axes(self, mode: tuple[str, str]) -> tuple[list, list]:
        """Per row and per data column, the (row id, column id) parts each contributes."""
        row_from, column_from = mode
        n_rows, n_cols = len(self.block.rows), len(self.by_path["row"])
        per_row = [((self.by_label["row"][i] if row_from == "row" else None),
                    (self.by_label["col"][i] if column_from == "row" else None)) for i in range(n_rows)]
        per_col = [((self.by_path["row"][j] if row_from == "col" else None),
                    (self.by_path["col"][j] if column_from == "col" else None)) for j in range(n_cols)]
        return per_row, per_col

    def count(self, mode: tuple[str, str]) -> int:
        per_row, per_col = self._axes(mode)
        rows = sum(1 for r in per_row if (r[0] or mode[0] == "col") and (r[1] or mode[1] == "col"))
        cols = sum(1 for c in per_col if (c[0] or mode[0] == "row") and (c[1] or mode[1] == "row"))
        return rows * cols

    def cells(self, mode: tuple[str, str]):
        """(row id, column id, raw) of every cell the mode names, in reading order."""
        per_row, per_col = self._axes(mode)
        first = self.block.first_data
        for (_, cells), (row_of_row, column_of_row) in zip(self.block.rows, per_row):
            for j, (row_of_col, column_of_col) in enumerate(per_col):
                row_id, column_id = row_of_row or row_of_col, column_of_row or column_of_col
                if row_id and column_id and first + j < len(cells):
                    yield row_id, column_id, cells[first + j]


def _best_reading(block: _Block) -> tuple[_Reading, tuple[str, str]] | None:
    """The table and mode naming the most cells (ties: ``TABLE_PRIORITY``, then ``MODES``)."""
    best, best_count = None, 0
    for table in TABLE_PRIORITY:
        reading = _Reading(block, table)
        for mode in MODES:
            count = reading.count(mode)
            if count > best_count:
                best, best_count = (reading, mode), count
    return best


def _table_cells(grids: list[Grid], flags: set[str]) -> list[dict]:
    stats: list[dict] = []
    seen: dict[tuple[str, str, str], Value] = {}
    previous: _Block | None = None
    for grid in grids:
        if not grid:
            continue
        width = max(len(row) for row in grid)
        if len(grid) > MAX_GRID_ROWS or width > MAX_GRID_COLUMNS:
            flags.add("oversized_table")  # no report table is this big: a data dump or a hostile page
            continue
        grid = [list(row) + [""] * (width - len(row)) for row in grid]  # ragged input, made rectangular
        blocks = _blocks(grid, _continuation(previous, grid))
        previous = blocks[-1] if blocks else None
        for block in blocks:
            best = _best_reading(block)
            if best is None:
                continue
            reading, mode = best
            table = reading.table
            for row_id, column_id, raw in reading.cells(mode):
                value, ok = parse_value(raw)
                if not ok:
                    flags.add("unparsed_values")
                key = (table, row_id, column_id)
                if key in seen:
                    if seen[key] != value:
                        flags.add("conflicting_cells")
                    continue
                seen[key] = value
                stats.append({"table": table, "row": row_id, "column": column_id,
                              "value": value, "raw": str(raw)})
    return stats


def sentences(text: str) -> list[str]:
    """The text split after 。！？； and at line ends, stripped."""
    return [s.strip() for s in L.SENTENCE_END.split(text) if s and s.strip()]


def _column(sentence: str, start: int) -> str:
    """``cumulative`` when the clause before a number counts since an earlier year."""
    clause_start = max((m.end() for m in L.CLAUSE_START.finditer(sentence, 0, start)), default=0)
    return "cumulative" if L.CUMULATIVE_CLAUSE.search(sentence, clause_start, start) else "year"


def _resolve(statements: list[tuple[Value, str]]) -> tuple[Value, str] | None:
    """One value from every statement of a count, in text order; None when they disagree.

    Several numbers are read as a total followed by its breakdown (全区3460条 … 区直1822条,
    乡镇1638条) when the first is at least the sum of the others; a zero statement beside a
    number is a disagreement.
    """
    first = statements[0][0]
    others = [value for value, _ in statements if value != first]
    if others and (0 in others or first == 0 or first < sum(others)):
        return None
    return statements[0]


def _narrative(text: str) -> tuple[list[dict], set[str]]:
    found: dict[tuple[str, str], list[tuple[Value, str]]] = {}
    for sentence in sentences(text):
        for row, pattern in L.LEGACY_NARRATIVE:
            for hit in pattern.finditer(sentence):
                key = (row, _column(sentence, hit.start()))
                found.setdefault(key, []).append((parse_value(hit.group(1))[0], sentence))
        for row, pattern in L.LEGACY_NARRATIVE_ZERO:
            if pattern.search(sentence):
                found.setdefault((row, "year"), []).append((0, sentence))
    cells, ambiguous = [], set()
    for row, _ in L.LEGACY_NARRATIVE:
        for column in ("year", "cumulative"):
            statements = found.get((row, column))
            if not statements:
                continue
            resolved = _resolve(statements)
            if resolved is None:
                ambiguous.add((row, column))
                continue
            value, sentence = resolved
            cells.append({"table": "legacy", "row": row, "column": column, "value": value, "raw": sentence})
    return cells, ambiguous


def narrative_counts(text: str) -> list[dict]:
    """Free-form era counts stated in sentences, as ``legacy`` cells of column ``year``.

    A count is kept only when its statements agree (one number, a total with its
    breakdown, or a plain "未收到…申请" zero); the sentence it came from is the ``raw``.
    Clauses counting "2008年以来" go to column ``cumulative``.
    """
    return _narrative(L.simplified(text))[0]


def detect_template(stats: list[dict], text: str = "") -> str | None:
    """"2019" or "2021" from the ids only one template prints; "free" for legacy cells.

    The text's own markers (the 国办 letter number, template column labels) decide only
    when the cells carry no marker, e.g. when just the 复议/诉讼 table was readable.
    """
    names = {(s["table"], s["row"]) for s in stats} | {(s["table"], s["column"]) for s in stats}
    votes = {template: len(names & markers) for template, markers in L.TEMPLATE_MARKERS.items()}
    if votes["2019"] or votes["2021"]:
        return "2021" if votes["2021"] >= votes["2019"] else "2019"
    if any(s["table"] in L.TEMPLATE_TABLES for s in stats):
        return _text_template(text)
    if any(s["table"] == "legacy" for s in stats):
        return "free"
    return None


def _text_template(text: str) -> str | None:
    compact = "".join(text.split())  # labels broken over lines: 本年新\n制作数量
    for template, pattern in L.TEMPLATE_TEXT_MARKERS:
        if pattern.search(compact):
            return template
    return None


def _expected_cells(template: str) -> dict[str, set[tuple[str, str]]]:
    return {
        "applications": {(r, c) for r in L.APPLICATION_ROW_ORDER[template]
                         for c in L.APPLICANT_COLUMNS + ("total",)},
        "review_litigation": {(r, c) for r in L.REVIEW_ROW_ORDER for c in L.REVIEW_COLUMN_ORDER},
        "active": {(r, c) for rows, columns in L.ACTIVE_CELLS[template] for r in rows for c in columns},
    }


def _completeness_flags(stats: list[dict], template: str | None) -> set[str]:
    """``missing_table`` / ``partial_table`` against what the template prints (when the
    template is unknown, against what both templates print)."""
    if template is None:
        a, b = _expected_cells("2019"), _expected_cells("2021")
        expected = {table: a[table] & b[table] for table in a}
    else:
        expected = _expected_cells(template)
    flags = set()
    for table, cells in expected.items():
        present = {(s["row"], s["column"]) for s in stats if s["table"] == table}
        if not present:
            flags.add("missing_table")
        elif not cells <= present:
            flags.add("partial_table")
    return flags


def parse_stats(grids: list[Grid], text: str = "") -> StatsResult:
    """The statistics of one document from its table grids (and, free-form era, its text)."""
    flags: set[str] = set()
    text = L.simplified(text)
    stats = _table_cells(grids, flags)
    has_template_tables = any(s["table"] in L.TEMPLATE_TABLES for s in stats)
    tables_missing = not has_template_tables and bool(L.TEMPLATE_TABLE_HEADING.search(text))
    if tables_missing:
        # a template report whose tables are images or lost: its numbers are not read from text
        flags.add("tables_missing")
        stats = [s for s in stats if s["table"] != "legacy"]
    elif not has_template_tables:
        covered = {(s["row"], s["column"]) for s in stats if s["table"] == "legacy"}
        cells, ambiguous = _narrative(text)
        stats += [cell for cell in cells if (cell["row"], cell["column"]) not in covered]
        if ambiguous - covered:
            flags.add("ambiguous_narrative")
    template = detect_template(stats, text) if not tables_missing else _text_template(text)
    if has_template_tables:
        if template is None:
            flags.add("template_unknown")
        flags |= _completeness_flags(stats, template)
        names = {(s["table"], s["row"]) for s in stats} | {(s["table"], s["column"]) for s in stats}
        if all(names & markers for markers in L.TEMPLATE_MARKERS.values()):
            flags.add("template_conflict")
    if not stats and not grids and not text.strip():
        flags.add("needs_ocr")
    return StatsResult(template=template, stats=stats, flags=sorted(flags))
