"""Lay statistics out as the templates print them: rowspans, colspans, split labels."""

from __future__ import annotations

from collections.abc import Mapping

from .model import StatCell, Table
from .schema import (
    ACTIVE_SECTIONS, ACTIVE_WIDTH, APPLICANT_HEADER, APPLICATION_COLUMNS, APPLICATIONS_NOTE,
    APPLICATIONS_TOP, CARRIED_FORWARD, LEGACY_HEADER, LEGACY_ROWS, OUTCOME_GROUPS, RESULTS_LABEL,
    REVIEW_COLUMNS, REVIEW_ROWS, TOTAL_PROCESSED,
)

Cell = tuple[str, int, int]
Raw = Mapping[tuple[str, str], str]  # (row, column) -> cell text


def raw_cells(stats: tuple[StatCell, ...] | list[StatCell], table: str) -> dict[tuple[str, str], str]:
    """The printed text of every cell of one canonical table, keyed by (row, column)."""
    return {(s.row, s.column): s.raw for s in stats if s.table == table}


def active_table(template: str, raw: Raw) -> Table:
    """主动公开政府信息情况: one block per 第二十条 item, four columns wide."""
    rows: list[tuple[Cell, ...]] = []
    for item, columns, items in ACTIVE_SECTIONS[template]:
        rows.append(((item, 1, ACTIVE_WIDTH),))
        last_span = ACTIVE_WIDTH - len(columns)
        header = [("信息内容", 1, 1)] + [(label, 1, 1) for _, label in columns]
        data_rows = [[(label, 1, 1)] + [(raw.get((row, c), ""), 1, 1) for c, _ in columns]
                     for row, label in items]
        for cells in [header, *data_rows]:
            text, _, _ = cells[-1]
            cells[-1] = (text, 1, last_span)
            rows.append(tuple(cells))
    return Table("", tuple(rows), kind="active")


def applications_table(template: str, raw: Raw, *, split_at: int | None = None) -> Table:
    """收到和处理政府信息公开申请情况, laid out like the 国办 template.

    ``split_at``: index of the outcome group where the page (as Word tables broken over
    pages do) closes the 三、本年度办理结果 rowspan and repeats the label.
    """
    def values(row: str) -> list[Cell]:
        return [(raw.get((row, c), ""), 1, 1) for c in APPLICATION_COLUMNS]

    natural, legal, total, legal_parts = APPLICANT_HEADER
    rows: list[tuple[Cell, ...]] = [
        ((APPLICATIONS_NOTE, 3, 3), ("申请人情况", 1, 7)),
        ((natural, 2, 1), (legal, 1, 5), (total, 2, 1)),
        tuple((label, 1, 1) for label in legal_parts),
    ]
    rows += [((label, 1, 3), *values(row)) for row, label in APPLICATIONS_TOP]
    groups = OUTCOME_GROUPS[template]
    parts = [groups] if split_at is None else [groups[:split_at], groups[split_at:]]
    for index, part in enumerate(parts):
        result_rows: list[list[Cell]] = []
        for group_label, members in part:
            if len(members) == 1 and not members[0][1]:
                result_rows.append([(group_label, 1, 2), *values(members[0][0])])
                continue
            for position, (row, label) in enumerate(members):
                lead = [(group_label, len(members), 1)] if position == 0 else []
                result_rows.append(lead + [(label, 1, 1), *values(row)])
        if index == len(parts) - 1:
            result_rows.append([(TOTAL_PROCESSED[1], 1, 2), *values(TOTAL_PROCESSED[0])])
        result_rows[0].insert(0, (RESULTS_LABEL, len(result_rows), 1))
        rows += [tuple(r) for r in result_rows]
    rows.append(((CARRIED_FORWARD[1], 1, 3), *values(CARRIED_FORWARD[0])))
    return Table("", tuple(rows), kind="applications")


def review_table(raw: Raw) -> Table:
    """政府信息公开行政复议、行政诉讼情况: three header rows and one row of fifteen numbers."""
    labels = [label for _, label in REVIEW_COLUMNS]
    rows: tuple[tuple[Cell, ...], ...] = (
        (("行政复议", 1, 5), ("行政诉讼", 1, 10)),
        tuple((label, 2, 1) for label in labels) + ((REVIEW_ROWS[1][1], 1, 5), (REVIEW_ROWS[2][1], 1, 5)),
        tuple((label, 1, 1) for label in labels * 2),
        tuple((raw.get((group, column), ""), 1, 1) for group, _ in REVIEW_ROWS for column, _ in REVIEW_COLUMNS),
    )
    return Table("", rows, kind="review_litigation")


def legacy_table(caption: str, year: int, values: Mapping[str, tuple[str, str]]) -> Table:
    """The free-form era 统计表: 指标名称 / 计量单位 / 本年度 / 历年累计."""
    header = tuple((label.format(year=year), 1, 1) for label in LEGACY_HEADER)
    rows = [header] + [
        ((label, 1, 1), (unit, 1, 1), (values[label][0], 1, 1), (values[label][1], 1, 1))
        for _, label, unit in LEGACY_ROWS
    ]
    return Table(caption, tuple(rows), kind="legacy")


def place(table: Table) -> tuple[list[tuple[int, int, str, int, int]], int, int]:
    """Where each cell sits once spans are resolved: ([(row, col, text, rowspan, colspan)], height, width)."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, row in enumerate(table.rows):
        c = 0
        for text, rowspan, colspan in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, text, rowspan, colspan))
            taken.update((r + dr, c + dc) for dr in range(rowspan) for dc in range(colspan))
            c += colspan
    height = max((r for r, _ in taken), default=-1) + 1
    width = max((c for _, c in taken), default=-1) + 1
    return placed, height, width


def cell_number(text: str) -> int | float | None:
    """The number a cell prints, or None ("/", blank, 无, amounts with units)."""
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return None
