"""Check the catalog against the WARC files, and the WARC files themselves.

Two passes. Every ``captures`` row must name a WARC file that exists, with the record of that
id at its offset, of its type and length, whose payload digest matches both the row and the
digest recomputed from the payload. Then every WARC file in ``<data>/warc`` is read whole as
``warcio check`` reads it (block and payload digests of each record), and more: each gzip
member must be complete, and the last record must end where the file ends, since warcio stops
silently at a truncated member.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import redirect_stderr
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils
from warcio.archiveiterator import ArchiveIterator
from warcio.utils import Digester

from archive.lookup import RecordNotFound, record_at

WARC_SUFFIXES = (".warc", ".warc.gz")
OPEN_SUFFIX = ".open"
READ_CHUNK = 1 << 16
MESSAGE_CHARS = 120
# A damaged file makes warcio raise many kinds of error (ArchiveLoadFailed, zlib.error,
# EOFError, even AttributeError on a cut header): each is reported as a problem, never a crash.
READ_ERRORS = (Exception,)
# Record types whose payload digest is recomputed (a revisit has no payload of its own).
PAYLOAD_TYPES = ("response", "resource", "request")
CAPTURES_SQL = "select * from captures order by warc_file, offset"


@dataclass(frozen=True)
class Problem:
    """One thing wrong: where (``file`` or ``file@offset``), what, and the record concerned."""

    where: str
    message: str
    record_id: str | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" + (f" ({self.record_id})" if self.record_id else "")


class Verifier:
    """Verification of one data directory; ``problems()`` yields as it goes, counting what it read."""

    def __init__(self, data_dir: str | Path):
        self.data_dir = Path(data_dir)
        self.warc_dir = self.data_dir / "warc"
        self.catalog = self.data_dir / "catalog.db"
        self.captures_checked = 0
        self.files_checked = 0
        self.good_records = 0

    def problems(self) -> Iterator[Problem]:
        if not self.catalog.is_file():
            yield Problem(str(self.catalog), "no catalog")
        else:
            yield from self.check_captures()
        yield from self.check_files()

    def check_captures(self) -> Iterator[Problem]:
        """Every ``captures`` row against the record at its file and offset."""
        db = sqlite_utils.Database(self.catalog)
        missing: dict[str, int] = {}
        try:
            for row in db.query(CAPTURES_SQL):
                self.captures_checked += 1
                path = self.warc_dir / (row["warc_file"] or "")
                if not path.is_file():
                    missing[row["warc_file"]] = missing.get(row["warc_file"], 0) + 1
                    continue
                yield from check_capture(path, row)
        finally:
            db.close()
        for name, count in missing.items():
            yield Problem(str(name), f"WARC file missing; {count} captures point into it")

    def check_files(self) -> Iterator[Problem]:
        """Every WARC file of the data directory, read whole."""
        if not self.warc_dir.is_dir():
            yield Problem(str(self.warc_dir), "no WARC directory")
            return
        for path in sorted(self.warc_dir.iterdir()):
            if path.name.endswith(OPEN_SUFFIX):
                yield Problem(path.name, "WARC file still open: a crawl is running, or crashed and needs repair")
            elif path.name.endswith(WARC_SUFFIXES):
                self.files_checked += 1
                for problem in check_warc_file(path):
                    if problem is None:
                        self.good_records += 1
                    else:
                        yield problem


def check_capture(path: Path, row: dict) -> Iterator[Problem]:
    """The record at ``row``'s offset is ``row``'s record, whole, with the digest ``row`` says."""
    where = f"{path.name}@{row['offset']}"
    record_id = row["record_id"]
    try:
        with _quiet(), record_at(path, row["offset"], check_digests=True) as (record, reader):
            found_id = record.rec_headers.get_header("WARC-Record-ID")
            header_digest = record.rec_headers.get_header("WARC-Payload-Digest")
            recomputed, length, faults = _read_record(record, reader, row["payload_digest"] or header_digest)
    except RecordNotFound:
        yield Problem(where, "no record at this offset (the file ends before it)", record_id)
        return
    except READ_ERRORS as exc:
        yield Problem(where, f"no readable record at offset: {_describe(exc)}", record_id)
        return
    if found_id != record_id:
        yield Problem(where, f"offset holds record {found_id}, not this capture", record_id)
        return
    recorded = row["payload_digest"] or header_digest
    if row["record_type"] and record.rec_type != row["record_type"]:
        faults.append(f"record is a {record.rec_type}, catalog says {row['record_type']}")
    if row["payload_digest"] and header_digest != row["payload_digest"]:
        faults.append(f"WARC-Payload-Digest is {header_digest}, catalog says {row['payload_digest']}")
    if recomputed and recomputed != recorded:
        faults.append(f"payload digest recomputed as {recomputed}, recorded {recorded}")
    if row["length"] is not None and length != row["length"] and "gzip member is truncated" not in faults:
        faults.append(f"record is {length} bytes long, catalog says {row['length']}")
    for fault in faults:
        yield Problem(where, fault, record_id)


def check_warc_file(path: Path) -> Iterator[Problem | None]:
    """Read every record of ``path``; yields a problem for each fault, None for each good record."""
    size = path.stat().st_size
    end = 0
    with open(path, "rb") as handle:
        reader = ArchiveIterator(handle, check_digests=True)
        records = iter(reader)
        while True:
            try:
                with _quiet():
                    record = next(records, None)
                    if record is None:
                        break
                    offset = reader.offset
                    _, length, faults = _read_record(record, reader)
            except READ_ERRORS as exc:
                yield Problem(f"{path.name}@{end}", f"unreadable from here on: {_describe(exc)}")
                return
            end = offset + length
            record_id = record.rec_headers.get_header("WARC-Record-ID")
            yield from (Problem(f"{path.name}@{offset}", fault, record_id) for fault in faults)
            if not faults:
                yield None
    if path.name.endswith(".gz") and end != size:
        yield Problem(f"{path.name}@{end}", f"{size - end} bytes after the last whole record: truncated or corrupt")


def _read_record(
    record, reader: ArchiveIterator, recorded_digest: str | None = None
) -> tuple[str | None, int, list[str]]:
    """Read a record to its end: the payload digest recomputed (when ``recorded_digest`` names
    an algorithm), the record's length, and what warcio found wrong with it."""
    digester = None
    if recorded_digest and record.rec_type in PAYLOAD_TYPES:
        digester = Digester(recorded_digest.split(":")[0].lower())
    warnings = reader.err_count
    while chunk := record.raw_stream.read(READ_CHUNK):
        if digester:
            digester.update(chunk)
    length = reader.get_record_length()
    faults = list(record.digest_checker.problems)
    if reader.err_count > warnings:
        faults.append("record not followed by two blank lines (wrong Content-Length?)")
    if not _member_complete(reader):
        faults.append("gzip member is truncated")
    return (str(digester) if digester else None), length, faults


def _member_complete(reader: ArchiveIterator) -> bool:
    # zlib reports eof only once the gzip trailer (CRC and length) has been read and checked.
    decompressor = reader.reader.decompressor if reader.reader else None
    return decompressor is None or decompressor.eof


def _quiet():
    # warcio writes its warnings to stderr; they are reported as problems instead.
    return redirect_stderr(io.StringIO())


def _describe(exc: BaseException) -> str:
    # warcio quotes the bytes it could not parse: keep a printable start of them.
    text = "".join(c if c.isprintable() else "?" for c in " ".join(str(exc).split()))
    text = text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
