"""Rebuild the catalog from the WARC files alone, through the code the live crawl uses.

Every response, revisit and failure record becomes a ``captures`` row (``capture_from_records``,
as the capture extension describes what it wrote); every capture that ``is_document`` is
extracted with ``pipelines.extract.extract`` from its payload, its headers and the hints its
metadata record carries, and written with ``Catalog.add_document``. With ``as_of``, records
dated after it are left out: the catalog as it stood then (``archive.snapshot``).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from archive.asof import at_or_before
from archive.catalog import Catalog, is_document
from archive.records import capture_from_records, read_provenance
from archive.warc import OPEN_SUFFIX
from pipelines.extract import HINT_KEYS, extract

logger = logging.getLogger(__name__)

CAPTURED_TYPES = frozenset({"response", "revisit"})


class RebuildError(RuntimeError):
    """Raised by ``rebuild_catalog`` when the WARC directory cannot be rebuilt from as it is."""


@dataclass
class RebuildStats:
    files: int = 0
    records: int = 0
    captures: int = 0
    documents: int = 0


@dataclass
class _Pending:
    record_id: str
    offset: int
    length: int
    url: str
    status: int | None
    headers: dict[str, bytes]
    body: bytes
    record: ArcWarcRecord


def warc_files(warc_dir: Path) -> list[Path]:
    """The closed WARC files of a directory, oldest first (names start with a timestamp)."""
    open_files = sorted(warc_dir.glob(f"*.warc.gz{OPEN_SUFFIX}"))
    if open_files:
        names = ", ".join(path.name for path in open_files)
        raise RebuildError(
            f"{warc_dir}: unfinished WARC file(s) {names}; a crawl is running or was killed — "
            "repair them first (archive.warc.repair) so only whole records are read"
        )
    return sorted(warc_dir.glob("*.warc.gz"))


def rebuild_catalog(
    warc_dir: str | Path, catalog_path: str | Path, as_of: datetime | None = None
) -> RebuildStats:
    """Write every capture and document of ``warc_dir`` into the catalog at ``catalog_path``.

    ``as_of`` (aware datetime): only records whose WARC-Date is at or before it are read.
    """
    warc_dir = Path(warc_dir)
    stats = RebuildStats()
    with Catalog(catalog_path) as catalog:
        for path in warc_files(warc_dir):
            stats.files += 1
            for pending, provenance in _exchanges(path, stats, as_of):
                capture = capture_from_records(
                    pending.record, provenance, warc_file=path.name,
                    offset=pending.offset, length=pending.length,
                )
                catalog.add_capture(dataclasses.asdict(capture))
                stats.captures += 1
                if pending.record.rec_type == "response" and is_document(provenance.get("role"), pending.status):
                    hints = {key: provenance.get(key) for key in HINT_KEYS}
                    record = extract(pending.body, pending.url, pending.headers, hints)
                    fetched = {
                        "url": pending.url,
                        "status": pending.status,
                        "record_id": pending.record_id,
                        **{key: provenance.get(key) for key in ("source", "role", "column", "parent_url")},
                    }
                    catalog.add_document(fetched, record)
                    stats.documents += 1
    return stats


def _exchanges(path: Path, stats: RebuildStats, as_of: datetime | None) -> Iterator[tuple[_Pending, dict]]:
    """(response or revisit, its provenance) pairs, joined through WARC-Concurrent-To."""
    pending: dict[str, _Pending] = {}
    with path.open("rb") as fh:
        records = ArchiveIterator(fh)
        for record in records:
            if not at_or_before(record, as_of):
                continue
            stats.records += 1
            rec_type = record.rec_type
            if rec_type in CAPTURED_TYPES:
                pending_record = _read(record, records)
                pending[pending_record.record_id] = pending_record
            elif rec_type == "metadata":
                provenance = read_provenance(record)
                offset, length = records.get_record_offset(), records.get_record_length()
                target = record.rec_headers.get_header("WARC-Concurrent-To")
                if target in pending:
                    yield pending.pop(target), provenance
                elif "error" in provenance:
                    yield _Pending(
                        record.rec_headers.get_header("WARC-Record-ID"), offset, length,
                        record.rec_headers.get_header("WARC-Target-URI"), None, {}, b"", record,
                    ), provenance
    for orphan in pending.values():
        logger.warning("%s: %s has no metadata record; captured without provenance", path, orphan.url)
        yield orphan, {}


def _read(record: ArcWarcRecord, records: ArchiveIterator) -> _Pending:
    body = record.content_stream().read()
    http = record.http_headers
    headers = {name.title(): value.encode("latin-1") for name, value in (http.headers if http else [])}
    records.read_to_end(record)
    return _Pending(
        record_id=record.rec_headers.get_header("WARC-Record-ID"),
        offset=records.get_record_offset(),
        length=records.get_record_length(),
        url=record.rec_headers.get_header("WARC-Target-URI"),
        status=int(http.get_statuscode()) if http and http.get_statuscode() else None,
        headers=headers,
        body=body,
        record=record,
    )
