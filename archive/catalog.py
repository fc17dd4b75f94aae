"""The SQLite catalog: what the WARC files hold, as tables researchers can query.

Tables (see docs/catalog.md): ``captures`` (one row per WARC response, revisit or failure
record), ``documents`` (one row per version of a captured report or notice, keyed by the record
id of the capture it was first seen in), ``stats`` and ``checks`` (the statistics and arithmetic
checks of each document), ``pages`` (each document URL over time: versions, last seen, gone)
and ``runs`` (one row per nightly run). The catalog is derived: ``archive.rebuild`` writes the
same rows from the WARC files alone; ``archive.history`` derives versions, pages and the
checks across reports from the other tables.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import sqlite_utils

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 2
BUSY_TIMEOUT_MS = 600_000

CAPTURE_COLUMNS = {
    "record_id": str,
    "url": str,
    "method": str,
    "fetched_at": str,
    "status": int,
    "mime": str,
    "payload_digest": str,
    "warc_file": str,
    "offset": int,
    "length": int,
    "record_type": str,
    "source": str,
    "role": str,
    "refers_to": str,
    "etag": str,
    "last_modified": str,
    "truncated": str,
    "error": str,
    "run_id": str,
}

DOCUMENT_COLUMNS = {
    "id": str,
    "url": str,
    "source": str,
    "role": str,
    "column_url": str,
    "parent_url": str,
    "status": int,
    "title": str,
    "agency": str,
    "region_code": str,
    "report_year": int,
    "publish_date": str,
    "doc_type": str,
    "template": str,
    "script": str,
    "defaced": int,
    "flags": str,
    "removed": str,
    "text": str,
    "text_simplified": str,
    "extractor_version": str,
    "version": int,
}

STAT_COLUMNS = {
    "document_id": str,
    "table_id": str,
    "row_id": str,
    "column_id": str,
    "value": float,
    "raw": str,
}

CHECK_COLUMNS = {"document_id": str, "rule": int, "status": str, "detail": str, "numbers": str}

PAGE_COLUMNS = {
    "url": str,
    "source": str,
    "role": str,
    "document_id": str,
    "versions": int,
    "first_seen": str,
    "last_seen": str,
    "gone_since": str,
    "gone_reason": str,
    "status": int,
    "checked_at": str,
}

RUN_COLUMNS = {
    "run_id": str,
    "started": str,
    "finished": str,
    "finish_reason": str,
    "sources": str,
    "attempts": int,
    "duration": float,
    "new_reports": int,
    "new_documents": int,
    "changed": int,
    "gone": int,
    "defaced": int,
    "cleaned": int,
    "failed_hosts": str,
    "errors": int,
    "captures": int,
    "revisits": int,
    "bytes": int,
}

TABLES = {
    "captures": (CAPTURE_COLUMNS, "record_id"),
    "documents": (DOCUMENT_COLUMNS, "id"),
    "stats": (STAT_COLUMNS, ("document_id", "table_id", "row_id", "column_id")),
    "checks": (CHECK_COLUMNS, ("document_id", "rule")),
    "pages": (PAGE_COLUMNS, "url"),
    "runs": (RUN_COLUMNS, "run_id"),
}
INDEXES = {
    "captures": (["url", "fetched_at"], ["payload_digest"], ["run_id"]),
    "documents": (["url"], ["agency", "report_year"], ["region_code"], ["doc_type"]),
    "pages": (["document_id"],),
}

DOCUMENT_ROLES = frozenset({"detail", "attachment"})
# A page that is gone is a fact worth a row; redirects, server errors and throttling are not
# documents (the capture rows keep them).
GONE_STATUSES = frozenset({404, 410})


def is_document(role: object, status: int | None) -> bool:
    """Whether a capture is a document: a detail page or attachment that answered or is gone."""
    return role in DOCUMENT_ROLES and status is not None and (200 <= status < 300 or status in GONE_STATUSES)


class Catalog:
    """One catalog file; rows are buffered and written in batches by ``flush``."""

    def __init__(self, path: str | Path, batch_size: int = 200):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite_utils.Database(self.path)
        self.db.execute("PRAGMA journal_mode=WAL")
        # The workers of a distributed crawl write one catalog: a writer waits for the others,
        # and takes the lock before it reads (a read snapshot cannot become a write in WAL).
        self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.db.conn.isolation_level = "IMMEDIATE"
        self.batch_size = batch_size
        self._captures: list[dict] = []
        self._documents: list[dict] = []
        self._stats: list[dict] = []
        self._checks: list[dict] = []
        self.ensure_schema()

    def ensure_schema(self) -> None:
        """Create the tables and indexes if missing, add columns a catalog of an older schema
        lacks (idempotent)."""
        db = self.db
        existing = set(db.table_names())
        for name, (columns, pk) in TABLES.items():
            table = db[name]
            if name not in existing:
                table.create(columns, pk=pk)
                for index in INDEXES.get(name, ()):
                    table.create_index(index)
                continue
            have = table.columns_dict
            for column, kind in columns.items():
                if column not in have:
                    table.add_column(column, kind)
            for index in INDEXES.get(name, ()):
                table.create_index(index, if_not_exists=True)
        db["_nianbao_schema"].insert({"id": 1, "version": SCHEMA_VERSION}, pk="id", replace=True)

    def add_capture(self, row: Mapping[str, Any]) -> None:
        """Queue one ``captures`` row (keys of ``CAPTURE_COLUMNS``)."""
        self._captures.append({key: row.get(key) for key in CAPTURE_COLUMNS})
        self._maybe_flush()

    def add_document(self, fetched: Mapping[str, Any], record: Mapping[str, Any]) -> str:
        """Queue the rows for one extracted document; returns its id (the capture record id).

        ``fetched`` is the FetchedDocument as a mapping (provenance), ``record`` what
        ``pipelines.extract.extract`` returned for it.
        """
        doc_id = fetched["record_id"]
        self._documents.append(document_row(doc_id, fetched, record))
        for stat in record.get("stats") or ():
            self._stats.append(
                {
                    "document_id": doc_id,
                    "table_id": stat["table"],
                    "row_id": stat["row"],
                    "column_id": stat["column"],
                    "value": stat.get("value"),
                    "raw": stat.get("raw"),
                }
            )
        self._checks.extend(check_row(doc_id, check) for check in record.get("checks") or ())
        self._maybe_flush()
        return doc_id

    def flush(self) -> None:
        """Write every queued row in one transaction; re-adding a row replaces it."""
        if not (self._captures or self._documents or self._stats or self._checks):
            return
        with self.db.conn:
            for name, rows in (
                ("captures", self._captures),
                ("documents", self._documents),
                ("stats", self._stats),
                ("checks", self._checks),
            ):
                if rows:
                    self.db[name].insert_all(rows, replace=True)
        self._captures, self._documents, self._stats, self._checks = [], [], [], []

    def add_run(self, report: Mapping[str, Any]) -> None:
        """Write the ``runs`` row of a run report, replacing an earlier report of the run."""
        self.flush()
        row = {key: report.get(key) for key in RUN_COLUMNS}
        row["failed_hosts"] = json.dumps(report.get("failed_hosts") or [], ensure_ascii=False)
        with self.db.conn:
            self.db["runs"].insert(row, replace=True)

    def delete_run(self, run_id: str) -> int:
        """Remove the captures of a run and the documents, statistics and checks made from
        them (before the run is indexed again from its WARC files); returns the captures."""
        return self._delete_captures("run_id = ?", [run_id])

    def delete_files(self, warc_files: Iterable[str]) -> int:
        """Remove the captures held by these WARC files (names) and what was made from them
        (before the files are indexed again); returns the captures."""
        names = list(warc_files)
        return self._delete_captures(f"warc_file in ({', '.join('?' * len(names))})", names) if names else 0

    def _delete_captures(self, where: str, params: list) -> int:
        self.flush()
        owned = f"(select record_id from captures where {where})"
        with self.db.conn:
            for table, key in (("stats", "document_id"), ("checks", "document_id"), ("documents", "id")):
                self.db.execute(f"delete from {table} where {key} in {owned}", params)
            return self.db.execute(f"delete from captures where {where}", params).rowcount

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.db.close()

    def _maybe_flush(self) -> None:
        pending = len(self._captures) + len(self._documents)
        if pending >= self.batch_size:
            self.flush()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def document_row(doc_id: str, fetched: Mapping[str, Any], record: Mapping[str, Any]) -> dict:
    """The ``documents`` row for one document: provenance from the fetch, the rest extracted."""
    flags = sorted(record.get("flags") or ())
    return {
        "id": doc_id,
        "url": fetched["url"],
        "source": fetched.get("source"),
        "role": fetched.get("role"),
        "column_url": fetched.get("column"),
        "parent_url": fetched.get("parent_url"),
        "status": fetched.get("status"),
        "title": record.get("title"),
        "agency": record.get("agency"),
        "region_code": record.get("region_code"),
        "report_year": record.get("report_year"),
        "publish_date": record.get("publish_date"),
        "doc_type": record.get("doc_type"),
        "template": record.get("template"),
        "script": record.get("script"),
        "defaced": int("defaced" in flags),
        "flags": json.dumps(flags, ensure_ascii=False),
        "removed": json.dumps(record.get("removed") or [], ensure_ascii=False),
        "text": record.get("text"),
        "text_simplified": record.get("text_simplified"),
        "extractor_version": record.get("extractor_version"),
        "version": None,  # numbered among the URL's documents by archive.history
    }


def check_row(doc_id: str, check: Mapping[str, Any]) -> dict:
    """The ``checks`` row of one entry of ``pipelines.checks``."""
    return {
        "document_id": doc_id,
        "rule": check["rule"],
        "status": check["status"],
        "detail": _text(check.get("detail")),
        "numbers": json.dumps(check.get("numbers"), ensure_ascii=False, sort_keys=True),
    }


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
