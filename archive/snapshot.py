"""The archive as it stood at a moment, rebuilt from the WARC files alone as a data directory.

``make_snapshot(data_dir, out_dir, as_of)`` writes:

- ``warc/``: every record dated at or before ``as_of``. A file whose records all are is
  linked (or copied) whole; a file still being filled then is copied up to the end of its last
  such record; a file with none is left out. Names and offsets do not change, so the catalog's
  ``captures`` rows point into the snapshot's own files.
- ``catalog.db``: ``archive.rebuild.rebuild_catalog`` over those files, as of ``as_of``:
  the rows the live catalog held then.
- ``archive.wacz``: the same WARC files, their CDXJ index and the documents as pages, each
  at its URL's closest capture at or before ``as_of`` (``archive.wacz``).

The directory is assembled beside ``out_dir`` and renamed into place when complete.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlite_utils
from warcio.archiveiterator import ArchiveIterator

from archive.asof import at_or_before, warc_datetime
from archive.cdxj import index_entries
from archive.rebuild import rebuild_catalog, warc_files
from archive.wacz import write_wacz

COPY_CHUNK = 1 << 20
CAPTURE_TYPES = frozenset({"request", "response", "revisit", "metadata"})
WACZ_NAME = "archive.wacz"
DOCUMENT_PAGES_SQL = """
select d.id, d.url, d.title, c.fetched_at from documents d join captures c on c.record_id = d.id
"""
LATEST_CAPTURES_SQL = """
select url, fetched_at from captures where record_type in ('response', 'revisit')
"""


class SnapshotError(RuntimeError):
    """Raised by ``make_snapshot`` when there is nothing to snapshot or nowhere to put it."""


@dataclass
class Snapshot:
    path: Path
    as_of: datetime
    warc_files: int = 0
    captures: int = 0
    documents: int = 0
    pages: int = 0


def make_snapshot(data_dir: str | Path, out_dir: str | Path, as_of: datetime) -> Snapshot:
    """Write the snapshot of ``data_dir`` as of ``as_of`` (aware datetime) into ``out_dir``.

    ``out_dir`` must not exist or be empty. Raises ``SnapshotError`` when nothing was
    captured at or before ``as_of``, and ``archive.rebuild.RebuildError`` for unrepaired
    ``.open`` WARC files.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise SnapshotError(f"{out_dir}: exists and is not an empty directory")
    warc_dir = Path(data_dir) / "warc"
    if not warc_dir.is_dir():
        raise SnapshotError(f"{warc_dir}: no WARC directory (is {data_dir} a data directory?)")
    sources = warc_files(warc_dir)
    work = out_dir.with_name(f".{out_dir.name}.partial")
    shutil.rmtree(work, ignore_errors=True)
    try:
        snapshot = _assemble(sources, work, as_of)
        if out_dir.exists():
            out_dir.rmdir()
        os.replace(work, out_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    snapshot.path = out_dir
    return snapshot


def _assemble(sources: list[Path], work: Path, as_of: datetime) -> Snapshot:
    warc_dir = work / "warc"
    warc_dir.mkdir(parents=True)
    snapshot = Snapshot(work, as_of)
    for source in sources:
        end = end_at(source, as_of)
        if end:
            copy_prefix(source, warc_dir / source.name, end)
            snapshot.warc_files += 1
    if not snapshot.warc_files:
        raise SnapshotError(f"nothing was captured at or before {as_of.isoformat()}")
    kept = warc_files(warc_dir)
    stats = rebuild_catalog(warc_dir, work / "catalog.db", as_of=as_of)
    snapshot.captures, snapshot.documents = stats.captures, stats.documents
    pages = document_pages(work / "catalog.db")
    snapshot.pages = len(pages)
    write_wacz(
        work / WACZ_NAME,
        kept,
        (entry for path in kept for entry in index_entries(path, as_of)),
        pages,
        title=f"nianbao archive as of {as_of.isoformat()}",
        description="Government information-disclosure annual reports as captured at or before that moment.",
    )
    return snapshot


def end_at(path: Path, as_of: datetime) -> int:
    """Where the file's records dated at or before ``as_of`` end (0: it holds no capture then).

    A crawl writes records in date order, so those records are the file's first ones.
    """
    end, captured = 0, False
    with path.open("rb") as fh:
        records = ArchiveIterator(fh)
        for record in records:
            if at_or_before(record, as_of):
                records.read_to_end(record)
                end = records.get_record_offset() + records.get_record_length()
                captured = captured or record.rec_type in CAPTURE_TYPES
    return end if captured else 0


def copy_prefix(source: Path, target: Path, end: int) -> None:
    """``target`` holds the first ``end`` bytes of ``source``: a link or copy when that is all of it."""
    if end == source.stat().st_size:
        link_or_copy(source, target)
        return
    with source.open("rb") as src, target.open("xb") as out:
        remaining = end
        while remaining and (chunk := src.read(min(COPY_CHUNK, remaining))):
            out.write(chunk)
            remaining -= len(chunk)


def link_or_copy(source: Path, target: Path) -> None:
    """A hard link to ``source`` at ``target`` (closed WARC files never change), or a copy
    across file systems; nothing to do when ``target`` already is that file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        if os.path.samefile(source, target):
            return
        raise FileExistsError(f"{target}: a different file of that name is already there")
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def document_pages(catalog: Path) -> list[dict]:
    """One page per document URL: its latest document's id and title, at its latest capture."""
    db = sqlite_utils.Database(catalog)
    try:
        latest: dict[str, str] = {}
        for row in db.query(LATEST_CAPTURES_SQL):
            if row["url"] not in latest or warc_datetime(row["fetched_at"]) > warc_datetime(latest[row["url"]]):
                latest[row["url"]] = row["fetched_at"]
        documents: dict[str, tuple[datetime, dict]] = {}
        for row in db.query(DOCUMENT_PAGES_SQL):
            when = warc_datetime(row["fetched_at"])
            if row["url"] not in documents or when > documents[row["url"]][0]:
                documents[row["url"]] = (when, row)
    finally:
        db.close()
    return [
        {"id": row["id"], "url": url, "ts": latest[url], "title": row["title"] or url}
        for url, (_, row) in sorted(documents.items())
    ]
