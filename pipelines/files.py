"""Extraction from files on disk: a page, a text capture, an attachment, or a WARC file.

A WARC file gives one record per ``response`` record (warcio reads the transfer and
content encodings); the crawl's ``metadata`` record that follows each response
(``WARC-Concurrent-To`` it) supplies the list-page hints. Records from WARC carry the
response's ``warc_record_id`` and HTTP ``status`` besides the extraction record.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from .extract import HINT_KEYS, extract


# Bytes allowed between the last record and the end of the file (WARC's closing CRLF CRLF).
RECORD_GAP = 4


class UnreadableFile(Exception):
    """Raised by ``extract_file`` for a file that cannot be read at all (the message says why)."""


def is_warc(path: Path) -> bool:
    """True when the file starts like a WARC file (plain or gzip-compressed)."""
    with path.open("rb") as handle:
        head = handle.read(4)
        if head[:2] == b"\x1f\x8b":
            handle.seek(0)
            try:
                head = gzip.GzipFile(fileobj=handle).read(4)
            except (OSError, EOFError):
                return False
    return head == b"WARC"


def extract_file(path: str | Path, url: str | None = None) -> Iterator[dict]:
    """Extraction records of one file: one for a document, one per response of a WARC."""
    path = Path(path)
    try:
        if is_warc(path):
            yield from _warc_records(path)
            return
        body = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"{path}: cannot be read: {exc.strerror or exc}") from exc
    if not body:
        raise UnreadableFile(f"{path}: empty file")
    yield extract(body, url or path.resolve().as_uri())


def _warc_records(path: Path) -> Iterator[dict]:
    pending: tuple | None = None  # (record id, url, status, headers, body) awaiting its metadata
    end = 0
    error: UnreadableFile | None = None
    try:
        with path.open("rb") as handle:
            records = ArchiveIterator(handle)
            for record in records:
                content = record.content_stream().read()
                if getattr(record.raw_stream, "limit", 0):
                    break  # the file ends inside this record
                end = records.get_record_offset() + records.get_record_length()
                if record.rec_type == "metadata" and pending is not None:
                    if record.rec_headers.get_header("WARC-Concurrent-To") == pending[0]:
                        yield _warc_record(pending, _warc_fields(content))
                        pending = None
                        continue
                if pending is not None:
                    yield _warc_record(pending, {})
                    pending = None
                if record.rec_type == "response" and record.http_headers is not None:
                    headers = {name: value.encode("latin-1", "replace")
                               for name, value in record.http_headers.headers}
                    pending = (record.rec_headers.get_header("WARC-Record-ID"),
                               record.rec_headers.get_header("WARC-Target-URI") or "",
                               int(record.http_headers.get_statuscode() or 0), headers, content)
    except ArchiveLoadFailed as exc:
        error = UnreadableFile(f"{path}: not a readable WARC file: {' '.join(str(exc).split())}")
    except (OSError, EOFError, ValueError) as exc:
        error = UnreadableFile(f"{path}: WARC file ends in a broken record: {exc}")
    if pending is not None:
        yield _warc_record(pending, {})
    if error is None and path.stat().st_size - end > RECORD_GAP:
        error = UnreadableFile(f"{path}: truncated: the WARC file ends inside a record after byte {end}")
    if error is not None:
        raise error


def _warc_fields(block: bytes) -> dict[str, str]:
    fields = {}
    for line in block.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip() in HINT_KEYS:
            fields[name.strip()] = value.strip()
    return fields


def _warc_record(pending: tuple, hints: dict[str, str]) -> dict:
    record_id, url, status, headers, body = pending
    if not 200 <= status < 300:
        hints = {}  # a redirect or error page is not the document the list page named
    record = extract(body, url, headers, hints)
    return {"warc_record_id": record_id, "status": status, **record}
