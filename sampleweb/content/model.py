"""The truth the sample web is built from: reports as data, before any rendering."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class StatCell:
    """One statistic in canonical ids (shared/notes/stats-schema.md); value None for "/", blank, 无."""

    table: str
    row: str
    column: str
    value: int | float | None
    raw: str


@dataclass(frozen=True)
class Table:
    """A table as the page shows it: rows of cells; a cell is (text, rowspan, colspan).

    A "\\n" inside a cell's text is a line break the page shows as separate ``<p>``s or a
    ``<br>`` ("商业\\n企业"). ``kind`` is the canonical stats table the cells belong to
    (``active``, ``applications``, ``review_litigation``, ``legacy``) or "" for other tables.
    """

    caption: str
    rows: tuple[tuple[tuple[str, int, int], ...], ...]
    kind: str = ""


@dataclass(frozen=True)
class Report:
    """A document published in a 年报 column: an annual report or a non-report item.

    ``blocks`` are paragraphs (str) and tables (Table) in reading order: the clean truth,
    without site chrome and without spam.
    ``body_year`` is the reporting year the body itself states (differs from
    ``report_year`` when the title conflicts with the text, as in seed 002).
    ``spam`` lists the strings a hostile page carries that are not report content;
    ``injections`` are (original, injected) pairs: on the published page every
    ``original`` in the paragraphs is replaced by ``injected`` (seed 004). Spam strings
    not used by an injection are appended as trailing paragraphs (seed 003's lottery tail).
    """

    title: str
    agency: str
    region_code: str
    report_year: int | None
    template: str | None  # "free" | "2019" | "2021" | None for non-reports
    doc_type: str  # "annual_report" | "other"
    blocks: tuple[str | Table, ...]
    stats: tuple[StatCell, ...] = ()
    violations: tuple[int, ...] = ()
    body_year: int | None = None
    script: str = "simplified"  # "simplified" | "traditional"
    spam: tuple[str, ...] = field(default=())
    injections: tuple[tuple[str, str], ...] = ()
    publish_date: str | None = None  # ISO date the page states
    publisher: str | None = None  # who posted it when not the agency (发布机构 / 信息来源)

    def published_blocks(self) -> tuple[str | Table, ...]:
        """The blocks as the (possibly hacked) page shows them: injections applied, tails appended."""
        injected = {new for _, new in self.injections}
        blocks: list[str | Table] = []
        for block in self.blocks:
            if isinstance(block, str):
                for original, new in self.injections:
                    block = block.replace(original, new)
            blocks.append(block)
        blocks.extend(s for s in self.spam if s not in injected)
        return tuple(blocks)

    def text(self) -> str:
        """The clean paragraphs joined by newlines (tables left out)."""
        return "\n".join(b for b in self.blocks if isinstance(b, str))

    def stat(self, table: str, row: str, column: str) -> StatCell | None:
        """The cell with these canonical ids, or None."""
        for cell in self.stats:
            if (cell.table, cell.row, cell.column) == (table, row, column):
                return cell
        return None
