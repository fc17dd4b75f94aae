"""Rebuild the catalog from the WARC files alone, through the code the live crawl uses.

Every response, revisit and failure record becomes a ``captures`` row (``capture_from_records``,
as the capture extension describes what it wrote); every capture that ``is_document`` and, by
the rule the live crawl follows (``archive.versions``), starts a new version of its URL's
document is extracted with ``pipelines.extract.extract`` from its payload (a revisit's is its
original's), its headers and the hints its metadata record carries, and written with
``Catalog.add_document``. Run report records become ``runs`` rows; ``archive.history`` derives
the rest. With ``as_of``, records dated after it are left out: the catalog as it stood then
(``archive.snapshot``). ``reindex_run`` rebuilds one run's rows in place (a resumed run).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders

from archive.asof import at_or_before
from archive.catalog import Catalog, is_document
from archive.history import derive
from archive.lookup import RecordNotFound, answer_at, capture_row
from archive.records import (
    RUN_FIELD,
    Capture,
    capture_from_records,
    decode_fields,
    read_answer,
    read_provenance,
)
from archive.runs import read_run_record
from archive.versions import UrlState, load_states
from archive.warc import OPEN_SUFFIX, file_order
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
    runs: int = 0


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
    http: StatusAndHeaders | None = None  # the head of a response or revisit, read from its bytes


def warc_files(warc_dir: Path) -> list[Path]:
    """The closed WARC files of a directory, oldest first (by the timestamp in their names)."""
    open_files = sorted(warc_dir.glob(f"*.warc.gz{OPEN_SUFFIX}"))
    if open_files:
        names = ", ".join(path.name for path in open_files)
        raise RebuildError(
            f"{warc_dir}: unfinished WARC file(s) {names}; a crawl is running or was killed — "
            "repair them first (archive.warc.repair) so only whole records are read"
        )
    return sorted(warc_dir.glob("*.warc.gz"), key=file_order)


def rebuild_catalog(
    warc_dir: str | Path, catalog_path: str | Path, as_of: datetime | None = None
) -> RebuildStats:
    """Write every capture and document of ``warc_dir`` into the catalog at ``catalog_path``.

    ``as_of`` (aware datetime): only records whose WARC-Date is at or before it are read.
    """
    warc_dir = Path(warc_dir)
    stats = RebuildStats()
    with Catalog(catalog_path) as catalog:
        indexer = _Indexer(catalog, warc_dir, {}, stats, as_of)
        for path in warc_files(warc_dir):
            indexer.index_file(path)
        catalog.flush()
        derive(catalog.db)
    return stats


def reindex_run(warc_dir: str | Path, catalog_path: str | Path, run_id: str) -> RebuildStats:
    """Replace a run's rows in the catalog with what its WARC files hold (after a crash left
    the catalog behind its files), then derive the history again."""
    with Catalog(catalog_path) as catalog:
        catalog.delete_run(run_id)
    return index_files(warc_dir, catalog_path, run_files(Path(warc_dir), run_id))


def index_files(warc_dir: str | Path, catalog_path: str | Path, files: Iterable[Path]) -> RebuildStats:
    """Add what some closed files of ``warc_dir`` hold to the catalog (a run's, or those of a
    distributed crawl's worker that died before its rows were written), then derive the
    history again."""
    stats = RebuildStats()
    with Catalog(catalog_path) as catalog:
        indexer = _Indexer(catalog, Path(warc_dir), load_states(catalog.db), stats, None)
        for path in files:
            indexer.index_file(path)
        catalog.flush()
        derive(catalog.db)
    return stats


def run_files(warc_dir: Path, run_id: str) -> list[Path]:
    """The closed WARC files whose warcinfo record names ``run_id``."""
    found = []
    for path in warc_files(warc_dir):
        with path.open("rb") as fh:
            info = next(iter(ArchiveIterator(fh)), None)
            if info is not None and info.rec_type == "warcinfo":
                fields = dict(decode_fields(info.content_stream().read()))
                if fields.get(RUN_FIELD) == run_id:
                    found.append(path)
    return found


class _Indexer:
    """Writes the records of WARC files into a catalog, keeping each document URL's state."""

    def __init__(
        self, catalog: Catalog, warc_dir: Path, states: dict[str, UrlState], stats: RebuildStats,
        as_of: datetime | None,
    ) -> None:
        self.catalog = catalog
        self.warc_dir = warc_dir
        self.states = states
        self.stats = stats
        self.as_of = as_of

    def index_file(self, path: Path) -> None:
        self.stats.files += 1
        for pending, provenance in _exchanges(path, self.stats, self.as_of, self._run_report):
            capture = capture_from_records(
                pending.record, provenance, warc_file=path.name,
                offset=pending.offset, length=pending.length, http=pending.http,
            )
            self.catalog.add_capture(dataclasses.asdict(capture))
            self.stats.captures += 1
            state = self.states.get(capture.url)
            new = is_document(provenance.get("role"), capture.status) and (
                state is None or state.is_new_version(capture.status, capture.payload_digest)
            )
            if new:
                new = self._add_document(pending, capture, provenance)
            if new or state is not None:
                self.states.setdefault(capture.url, UrlState()).advance(capture.status, capture.payload_digest, new)

    def _add_document(self, pending: _Pending, capture: Capture, provenance: dict) -> bool:
        body = pending.body
        if capture.record_type == "revisit":
            try:
                body = self._original_payload(capture)
            except RecordNotFound as exc:
                logger.warning("%s: revisit %s: %s; no document", capture.url, capture.record_id, exc)
                return False
        hints = {key: provenance.get(key) for key in HINT_KEYS}
        record = extract(body, pending.url, pending.headers, hints)
        fetched = {
            "url": pending.url,
            "status": pending.status,
            "record_id": pending.record_id,
            **{key: provenance.get(key) for key in ("source", "role", "column", "parent_url")},
        }
        self.catalog.add_document(fetched, record)
        self.stats.documents += 1
        return True

    def _original_payload(self, capture: Capture) -> bytes:
        """The payload a revisit stands for, decoded as a live answer's body is."""
        self.catalog.flush()
        row = capture_row(self.catalog.db, capture.refers_to) if capture.refers_to else None
        if row is None:
            raise RecordNotFound(f"its original {capture.refers_to} is not in the catalog")
        return answer_at(self.warc_dir / row["warc_file"], row["offset"]).content()

    def _run_report(self, record: ArcWarcRecord) -> bool:
        report = read_run_record(record)
        if report is None:
            return False
        self.catalog.add_run(report)
        self.stats.runs += 1
        return True


def _exchanges(
    path: Path, stats: RebuildStats, as_of: datetime | None, take_other: Callable[[ArcWarcRecord], bool],
) -> Iterator[tuple[_Pending, dict]]:
    """(response or revisit, its provenance) pairs, joined through WARC-Concurrent-To.

    Metadata records that are not an exchange's go to ``take_other`` first (run reports).
    """
    pending: dict[str, _Pending] = {}
    with path.open("rb") as fh:
        records = ArchiveIterator(fh, no_record_parse=True)  # heads are read as bytes (read_answer)
        for record in records:
            if not at_or_before(record, as_of):
                continue
            stats.records += 1
            rec_type = record.rec_type
            if rec_type in CAPTURED_TYPES:
                pending_record = _read(record, records)
                pending[pending_record.record_id] = pending_record
            elif rec_type == "metadata" and not take_other(record):
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
    answer = read_answer(record)
    records.read_to_end(record)
    return _Pending(
        record_id=record.rec_headers.get_header("WARC-Record-ID"),
        offset=records.get_record_offset(),
        length=records.get_record_length(),
        url=record.rec_headers.get_header("WARC-Target-URI"),
        status=answer.status,
        headers={name.decode("latin-1").title(): value for name, value in answer.headers},
        body=answer.content(),
        record=record,
        http=answer.status_and_headers(),
    )
