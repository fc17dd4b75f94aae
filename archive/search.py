"""Full-text search over the documents' clean text: an SQLite FTS5 index with the trigram tokenizer.

Chinese has no spaces between words, so the index is of character trigrams: any run of three or
more characters can be found. Everything is matched in simplified script: the index holds each
document's title, agency and ``text_simplified`` converted with OpenCC t2s, and a query is
converted the same way, so a simplified or a traditional query finds both kinds of page. Terms
shorter than a trigram cannot be matched by the index; they fall back to ``LIKE`` over it.

The index (table ``documents_search``, rowid = ``documents.rowid``) is derived from the
``documents`` table and refreshed by ``ensure_search_index``. Its name deliberately does not
follow datasette's ``<table>_fts`` convention: datasette's own ``_search`` would pass a
traditional query through unconverted, so ``archive.serve`` does the table search itself.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import sqlite_utils

from pipelines.script import to_simplified

INDEX_TABLE = "documents_search"
INDEX_COLUMNS = ("title", "agency", "text")
TRIGRAM = 3
# Heavy columns left out of search results (the snippet stands for them).
TEXT_COLUMNS = ("text", "text_simplified")
SNIPPET_CONTEXT = 40
SNIPPET_MARKS = ("【", "】")
INSERT_BATCH = 200
WHITESPACE_RE = re.compile(r"\s+")

CREATE_INDEX_SQL = f"""
create virtual table if not exists {INDEX_TABLE}
using fts5(document_id unindexed, title, agency, text, tokenize = 'trigram')
"""

# Rows whose document is gone, or whose rowid now belongs to another document (VACUUM may
# renumber rowids). A document re-added by the catalog is replaced, so it gets a new rowid and
# is indexed again as new: the catalog never updates extracted text in place.
STALE_SQL = f"""
select s.rowid from {INDEX_TABLE} s left join documents d on d.rowid = s.rowid
where d.id is null or d.id is not s.document_id
"""

UNINDEXED_SQL = f"select rowid from documents where rowid not in (select rowid from {INDEX_TABLE})"
DOCUMENTS_BY_ROWID_SQL = "select rowid, id, title, agency, text, text_simplified from documents where rowid in ({})"


class SearchError(ValueError):
    """Raised by ``search`` for a query with nothing to look for, or an SQLite without FTS5 trigrams."""


def ensure_search_index(db: sqlite_utils.Database | str | Path) -> int:
    """Create the search index if missing and bring it up to date; returns the rows (re)indexed.

    Idempotent and incremental: only documents added or replaced since the last call are
    converted and indexed, and rows of removed documents are dropped.
    """
    db = _database(db)
    _require_trigram()
    with db.conn:
        db.execute(CREATE_INDEX_SQL)
        stale = [row[0] for row in db.execute(STALE_SQL)]
        db.conn.executemany(f"delete from {INDEX_TABLE} where rowid = ?", ((r,) for r in stale))
    # Only the rowids are held in memory; the text is read and indexed a batch at a time.
    rowids = [row[0] for row in db.execute(UNINDEXED_SQL)]
    for start in range(0, len(rowids), INSERT_BATCH):
        batch = rowids[start : start + INSERT_BATCH]
        rows = db.execute(DOCUMENTS_BY_ROWID_SQL.format(", ".join("?" * len(batch))), batch).fetchall()
        with db.conn:
            db.conn.executemany(
                f"insert into {INDEX_TABLE} (rowid, document_id, title, agency, text) values (?, ?, ?, ?, ?)",
                (_index_row(row) for row in rows),
            )
    return len(rowids)


def search_condition(query: str) -> tuple[str, dict[str, str]]:
    """A ``where`` condition over the ``documents_search`` table, and its parameters.

    Every whitespace-separated term must occur (in title, agency or text). Terms of three or
    more characters go through the trigram index; shorter ones through ``LIKE``. The
    ``fts_match`` parameter is present when the index is used (and ``rank`` then orders).
    """
    terms = to_simplified(query).split()
    if not terms:
        raise SearchError("empty search query")
    params: dict[str, str] = {}
    conditions = []
    long_terms = [term for term in terms if len(term) >= TRIGRAM]
    if long_terms:
        params["fts_match"] = " ".join('"' + term.replace('"', '""') + '"' for term in long_terms)
        conditions.append(f"{INDEX_TABLE} match :fts_match")
    for i, term in enumerate(term for term in terms if len(term) < TRIGRAM):
        params[f"fts_like{i}"] = "%" + _escape_like(term) + "%"
        columns = (f"{INDEX_TABLE}.{column} like :fts_like{i} escape '\\'" for column in INDEX_COLUMNS)
        conditions.append("(" + " or ".join(columns) + ")")
    return " and ".join(conditions), params


def search(db: sqlite_utils.Database | str | Path, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Documents matching ``query``, best first, each with a ``snippet`` of the matching text.

    A row carries every ``documents`` column except the full text (so columns added to the
    catalog later pass through) plus ``snippet``. The index is refreshed first.
    """
    db = _database(db)
    ensure_search_index(db)
    condition, params = search_condition(query)
    columns = ", ".join(f"documents.[{c}]" for c in db["documents"].columns_dict if c not in TEXT_COLUMNS)
    order = f"{INDEX_TABLE}.rank" if "fts_match" in params else "documents.report_year desc"
    sql = f"""
        select {columns}, {INDEX_TABLE}.text as _indexed_text
        from {INDEX_TABLE} join documents on documents.rowid = {INDEX_TABLE}.rowid
        where {condition}
        order by {order}, documents.id
        limit :limit
    """
    terms = to_simplified(query).split()
    results = []
    for row in db.query(sql, {**params, "limit": limit}):
        row["snippet"] = snippet(row.pop("_indexed_text") or "", terms)
        results.append(row)
    return results


def snippet(text: str, terms: list[str], context: int = SNIPPET_CONTEXT) -> str:
    """The text around the first occurrence of any term, the term marked, on one line."""
    folded = text.lower()
    found = [(folded.find(term.lower()), term) for term in terms]
    found = [(pos, term) for pos, term in found if pos >= 0]
    if not found:
        return _one_line(text[: 2 * context])
    pos, term = min(found)
    start, end = max(0, pos - context), min(len(text), pos + len(term) + context)
    open_mark, close_mark = SNIPPET_MARKS
    return (
        ("…" if start else "")
        + _one_line(text[start:pos])
        + open_mark + text[pos : pos + len(term)] + close_mark
        + _one_line(text[pos + len(term) : end])
        + ("…" if end < len(text) else "")
    )


def format_results(results: list[dict[str, Any]]) -> str:
    """Search results as text: year, agency and title, then the URL and the snippet, indented."""
    if not results:
        return "no documents found"
    lines = []
    for row in results:
        lines.append(f"{row.get('report_year') or '----'}  {row.get('agency') or '?'}  {row.get('title') or ''}")
        lines.append(f"      {row['url']}")
        lines.append(f"      {row['snippet']}")
    return "\n".join(lines)


def _index_row(row: tuple) -> tuple:
    rowid, doc_id, title, agency, text, text_simplified = row
    return (
        rowid,
        doc_id,
        to_simplified(title or ""),
        to_simplified(agency or ""),
        text_simplified if text_simplified is not None else to_simplified(text or ""),
    )


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _one_line(text: str) -> str:
    return WHITESPACE_RE.sub(" ", text)


def _database(db: sqlite_utils.Database | str | Path) -> sqlite_utils.Database:
    return db if isinstance(db, sqlite_utils.Database) else sqlite_utils.Database(db)


def _require_trigram() -> None:
    if sqlite3.sqlite_version_info < (3, 34, 0):
        raise SearchError(
            f"SQLite {sqlite3.sqlite_version} has no FTS5 trigram tokenizer; search needs SQLite 3.34 or newer"
        )

