"""The WARC record behind a ``captures`` row: read by file and offset, one seek and no scan.

Each record is its own gzip member, so a reader can start at a row's offset. Revisit rows are
resolved to the response that holds their payload, through the catalog.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from archive.records import RecordedAnswer, read_answer

# The response whose payload a revisit row stands for, captured at or before it. A 304 answer
# (server-not-modified) means the URL's last response; an identical-payload revisit means the
# response with the same payload digest, the same URL preferred (it may name another URL).
ORIGINAL_SQL = """
select * from captures
where record_type = 'response' and fetched_at <= :fetched_at
  and case when :status = 304 or :payload_digest is null then url = :url
           else payload_digest = :payload_digest end
order by url = :url desc, fetched_at desc
limit 1
"""


class RecordNotFound(LookupError):
    """Raised by ``record_at`` and ``payload_capture`` when the record a row names is not there."""


@contextmanager
def record_at(
    path: Path, offset: int, check_digests: bool = False, parse_http: bool = True
) -> Iterator[tuple[ArcWarcRecord, ArchiveIterator]]:
    """The record starting at ``offset`` of the WARC file ``path``, and the iterator that read it.

    ``parse_http=False`` leaves the HTTP head in the block, for ``read_answer``. Raises
    ``RecordNotFound`` for a missing file or nothing at the offset; a corrupt record raises
    what warcio raises (``ArchiveLoadFailed``, ``zlib.error``, ``EOFError``).
    """
    try:
        handle = open(path, "rb")
    except FileNotFoundError as exc:
        raise RecordNotFound(f"{path.name}: no such WARC file") from exc
    with handle:
        handle.seek(offset)
        iterator = ArchiveIterator(handle, check_digests=check_digests, no_record_parse=not parse_http)
        record = next(iter(iterator), None)
        if record is None:
            raise RecordNotFound(f"{path.name}: no record at offset {offset}")
        # warcio falls back to the ARC format for a line it cannot read as WARC: stray bytes
        # (an offset inside a gzip member) whose first line has five words pass as a record.
        if record.format != "warc":
            raise ArchiveLoadFailed(f"{path.name}: no WARC record at offset {offset}")
        yield record, iterator


def answer_at(path: Path, offset: int) -> RecordedAnswer:
    """The HTTP answer of the response or revisit record at ``offset`` of ``path``, as archived."""
    with record_at(path, offset, parse_http=False) as (record, _):
        return read_answer(record)


def capture_row(db: sqlite_utils.Database, record_id: str) -> dict[str, Any] | None:
    """The ``captures`` row of ``record_id``, or None."""
    return next(db.query("select * from captures where record_id = ?", [record_id]), None)


def payload_capture(db: sqlite_utils.Database, row: dict[str, Any]) -> dict[str, Any]:
    """The row whose record holds ``row``'s payload: itself, or for a revisit its original."""
    if row["record_type"] != "revisit":
        return row
    original = next(db.query(ORIGINAL_SQL, row), None)
    if original is None:
        raise RecordNotFound(f"revisit {row['record_id']}: no original response in the catalog")
    return original
