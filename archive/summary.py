"""Per-site summary of a crawl, read from the catalog (what the demo and crawl commands print)."""

from __future__ import annotations

import json
from pathlib import Path

import sqlite_utils

CAPTURES_SQL = """
select source,
       count(*) as pages,
       sum(role = 'attachment') as attachments,
       sum(record_type = 'failure' or status >= 400) as errors
from captures where fetched_at >= :since group by source
"""

DOCUMENTS_SQL = """
select d.source, d.doc_type, d.report_year, d.defaced
from documents d join captures c on c.record_id = d.id where c.fetched_at >= :since
"""


def site_summary(db_path: str | Path, since: str = "") -> list[dict]:
    """One dict per source: pages, attachments, errors, reports by year, other items, spam-flagged.

    ``since`` (ISO-8601) limits the summary to captures fetched at or after it: one run.
    """
    db = sqlite_utils.Database(db_path)
    sites: dict[str, dict] = {}

    def site(name: str | None) -> dict:
        key = name or "(none)"
        return sites.setdefault(
            key,
            {"source": key, "pages": 0, "attachments": 0, "errors": 0,
             "reports_by_year": {}, "other_items": 0, "spam_flagged": 0},
        )

    for row in db.query(CAPTURES_SQL, {"since": since}):
        entry = site(row["source"])
        entry.update(pages=row["pages"], attachments=row["attachments"] or 0, errors=row["errors"] or 0)
    for row in db.query(DOCUMENTS_SQL, {"since": since}):
        entry = site(row["source"])
        if row["doc_type"] == "annual_report":
            year = str(row["report_year"] or "unknown")
            entry["reports_by_year"][year] = entry["reports_by_year"].get(year, 0) + 1
        else:
            entry["other_items"] += 1
        entry["spam_flagged"] += row["defaced"] or 0
    for entry in sites.values():
        entry["reports_by_year"] = dict(sorted(entry["reports_by_year"].items()))
    return [sites[name] for name in sorted(sites)]


def format_summary(summary: list[dict]) -> str:
    """The summary as an aligned text table, one line per site."""
    header = ("source", "pages", "reports", "other", "attachments", "spam-flagged", "errors")
    lines = [header]
    for entry in summary:
        reports = sum(entry["reports_by_year"].values())
        lines.append(
            (entry["source"], entry["pages"], reports, entry["other_items"],
             entry["attachments"], entry["spam_flagged"], entry["errors"])
        )
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    text = ["  ".join(str(cell).ljust(width) for cell, width in zip(line, widths)) for line in lines]
    for entry in summary:
        if entry["reports_by_year"]:
            years = ", ".join(f"{year}: {count}" for year, count in entry["reports_by_year"].items())
            text.append(f"{entry['source']} reports by year — {years}")
    return "\n".join(text)


def summary_json(summary: list[dict]) -> str:
    return json.dumps(summary, ensure_ascii=False, indent=2)
