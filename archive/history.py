"""The archive over time, derived from ``captures`` and ``documents``: versions, pages, carry-over.

``derive(db)`` runs after every crawl and at the end of every rebuild, so the live catalog and
one rebuilt from the WARC files hold the same rows; it reads nothing but those two tables (and
``stats``), so a catalog rebuilt as of a date derives what the archive knew on that date.
``derive(db, run_id)`` derives only what a nightly run can have changed: the pages it captured,
and rule 5 of the agencies whose documents those pages are. Every row is a function of its own
page's captures (rule 5: of its agency's current reports), so the result is the full
derivation's, at the cost of the run instead of the whole archive.

- ``documents.version``: 1, 2, … among the documents of one URL, in capture order.
- ``pages``: one row per document URL: its current (latest) document, how many versions it
  has had, when it was first seen, last seen answering, and since when it is gone and why.
- ``checks`` rule 5 (``pipelines.checks.check_carry_over``): each current 2019/2021-template
  report against the same agency's current report of the year before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import groupby

import sqlite_utils

from archive.catalog import DOCUMENT_ROLES, GONE_STATUSES, PAGE_COLUMNS, check_row
from pipelines.checks import check_carry_over

CARRY_OVER_RULE = 5
CARRY_OVER_TEMPLATES = ("2019", "2021")
# Why a page is gone, by its latest answer; a page that answers is gone only when its current
# document is a stub sending visitors elsewhere (a deleted report refreshing to its column).
DELETED, MOVED, UNREACHABLE, REFRESH = "deleted", "moved", "unreachable", "refresh"
STUB_FLAG = "meta_refresh"

_ROLES = "('" + "', '".join(sorted(DOCUMENT_ROLES)) + "')"

# What is derived: the document URLs and agencies of the whole catalog, or of what one run
# captured; as temporary tables every query below is limited to.
SCOPE_SQL = {
    "urls": "create temp table derive_urls as select distinct url from {}",
    "agencies": "create temp table derive_agencies as select distinct agency from documents"
                " where url in (select url from temp.derive_urls) and agency is not null",
}
WHOLE_CATALOG, ONE_RUN = "documents", "captures where run_id = ?"
DROP_SCOPE_SQL = ("drop table if exists temp.derive_urls", "drop table if exists temp.derive_agencies")

NUMBER_VERSIONS_SQL = """
update documents set version = numbered.version
from (
  select d.id, row_number() over (partition by d.url order by c.fetched_at, d.id) as version
  from documents d join captures c on c.record_id = d.id
  where d.url in (select url from temp.derive_urls)
) as numbered
where documents.id = numbered.id and documents.version is not numbered.version
"""

PAGE_CAPTURES_SQL = f"""
select url, record_id, record_type, status, fetched_at, source, role from captures
where role in {_ROLES} and url in (select url from temp.derive_urls) and url in (select url from documents)
order by url, fetched_at, record_id
"""

# Each document, and whether it is a stub: a page without text that refreshes elsewhere.
STUBS_SQL = """
select id, flags like ? and coalesce(trim(text), '') = '' from documents
where url in (select url from temp.derive_urls)
"""

CURRENT_REPORTS_SQL = """
select d.id, d.agency, d.report_year, d.template from documents d join pages p on p.document_id = d.id
where d.doc_type = 'annual_report' and d.report_year is not null
and d.agency in (select agency from temp.derive_agencies)
order by d.id
"""

APPLICATION_STATS_SQL = """
select document_id, table_id, row_id, column_id, value from stats where table_id = 'applications'
and document_id in (select id from documents where agency in (select agency from temp.derive_agencies))
order by document_id, row_id, column_id
"""

DELETE_PAGES_SQL = "delete from pages where url in (select url from temp.derive_urls)"
DELETE_CARRY_OVER_SQL = """
delete from checks where rule = ?
and document_id in (select id from documents where agency in (select agency from temp.derive_agencies))
"""


def derive(db: sqlite_utils.Database, run_id: str | None = None) -> None:
    """Number versions, rewrite ``pages`` and the rule-5 ``checks`` (one transaction): of the
    whole catalog, or of what the run ``run_id`` captured."""
    with db.conn:
        for sql in DROP_SCOPE_SQL:
            db.execute(sql)
        if run_id is None:
            db.execute(SCOPE_SQL["urls"].format(WHOLE_CATALOG))
        else:
            db.execute(SCOPE_SQL["urls"].format(ONE_RUN), [run_id])
        db.execute(SCOPE_SQL["agencies"])
        db.execute(NUMBER_VERSIONS_SQL)
        db.execute(DELETE_PAGES_SQL)
        db["pages"].insert_all(pages(db), batch_size=1000)
        db.execute(DELETE_CARRY_OVER_SQL, [CARRY_OVER_RULE])
        db["checks"].insert_all(carry_over_checks(db), batch_size=1000)
        for sql in DROP_SCOPE_SQL:
            db.execute(sql)


def gone_reason(record_type: str, status: int | None, stub: bool) -> str | None:
    """Why a capture shows its page gone, or None when it shows it there."""
    if record_type == "failure" or status is None:
        return UNREACHABLE
    if status in GONE_STATUSES:
        return DELETED
    if 300 <= status < 400 and status != 304:
        return MOVED
    if status >= 400:
        return UNREACHABLE
    return REFRESH if stub else None


def pages(db: sqlite_utils.Database) -> Iterator[dict]:
    """One row per document URL being derived, from its captures in order."""
    stubs = dict(db.execute(STUBS_SQL, [f'%"{STUB_FLAG}"%']))
    rows = db.execute(PAGE_CAPTURES_SQL)
    for url, captures in groupby(rows, key=lambda row: row[0]):
        page = dict.fromkeys(PAGE_COLUMNS)
        page["url"] = url
        versions = 0
        for _, record_id, record_type, status, fetched_at, source, role in captures:
            if record_id in stubs:
                versions += 1
                page["document_id"] = record_id
                page["first_seen"] = page["first_seen"] or fetched_at
            reason = gone_reason(record_type, status, bool(stubs.get(page["document_id"])))
            if reason is None:
                page["last_seen"], page["gone_since"], page["gone_reason"] = fetched_at, None, None
            elif page["gone_since"] is None:
                page["gone_since"], page["gone_reason"] = fetched_at, reason
            else:
                page["gone_reason"] = reason
            page.update(source=source, role=role, status=status, checked_at=fetched_at)
        if page["document_id"] is not None:
            page["versions"] = versions
            yield page


def carry_over_checks(db: sqlite_utils.Database) -> Iterator[dict]:
    """Rule 5 for every current template report (of the agencies being derived) that has a
    current report of the year before."""
    reports = list(db.execute(CURRENT_REPORTS_SQL))
    stats = _application_stats(db)
    by_year: dict[tuple[str, int], list[str]] = defaultdict(list)
    for doc_id, agency, year, _ in reports:
        by_year[(agency, year)].append(doc_id)
    for doc_id, agency, year, template in reports:
        if template not in CARRY_OVER_TEMPLATES:
            continue
        previous = _fullest(by_year.get((agency, year - 1), ()), stats)
        if previous is not None:
            yield check_row(doc_id, check_carry_over(stats.get(doc_id, []), stats.get(previous, [])))


def _fullest(candidates: Iterable[str], stats: dict[str, list[dict]]) -> str | None:
    """Of several current reports of one agency and year (a page and its attachment), the one
    with the most application statistics; the smallest id among equals."""
    return min(candidates, key=lambda doc_id: (-len(stats.get(doc_id, ())), doc_id), default=None)


def _application_stats(db: sqlite_utils.Database) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = defaultdict(list)
    rows = db.execute(APPLICATION_STATS_SQL)
    for doc_id, table, row, column, value in rows:
        found[doc_id].append({"table": table, "row": row, "column": column, "value": value})
    return found
