"""Extraction records of the responses in a WARC file, for ``nianbao extract FILE.warc.gz``.

One record per ``response`` record, in file order, its head read back as archived bytes
(``read_answer``) so header values reach the extraction as the server sent them (a
Content-Disposition file name in UTF-8 or GBK). The crawl's ``metadata`` record that follows
a response (``WARC-Concurrent-To`` it) supplies the list-page hints; WARC files of other
archivers have none. Records carry the response's ``warc_record_id`` and HTTP ``status``
besides the extraction record.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from archive.records import RecordedAnswer, read_answer, read_provenance
from pipelines.extract import HINT_KEYS, extract
from pipelines.files import UnreadableFile, extract_file, is_warc

# Bytes allowed between the last record and the end of the file (WARC's closing CRLF CRLF).
RECORD_GAP = 4


def extract_path(path: str | Path, url: str | None = None) -> Iterator[dict]:
    """Extraction records of one file: one per response of a WARC file, else one document."""
    path = Path(path)
    try:
        warc = is_warc(path)
    except OSError as exc:
        raise UnreadableFile(f"{path}: cannot be read: {exc.strerror or exc}") from exc
    return extract_warc(path) if warc else extract_file(path, url)


def extract_warc(path: Path) -> Iterator[dict]:
    """One extraction record per response record of ``path``; ``UnreadableFile`` after the
    last whole record of a damaged or truncated file."""
    pending: tuple[str, str, RecordedAnswer] | None = None  # awaiting its metadata record
    end = 0
    error: UnreadableFile | None = None
    try:
        with path.open("rb") as handle:
            records = ArchiveIterator(handle, no_record_parse=True)
            for record in records:
                if record.rec_headers.get_header("Content-Length") is None:
                    break  # every WARC record states its length: the file ends inside its head
                answer = _answer(record)
                hints = _hints(record) if pending is not None and _follows(record, pending[0]) else None
                record.raw_stream.read()
                if getattr(record.raw_stream, "limit", 0):
                    break  # the file ends inside this record
                end = records.get_record_offset() + records.get_record_length()
                if pending is not None:
                    yield _extraction(pending, hints or {})
                    pending = None
                if answer is not None:
                    pending = (record.rec_headers.get_header("WARC-Record-ID"),
                               record.rec_headers.get_header("WARC-Target-URI") or "", answer)
    except ArchiveLoadFailed as exc:
        error = UnreadableFile(f"{path}: not a readable WARC file: {' '.join(str(exc).split())}")
    except (OSError, EOFError, ValueError) as exc:
        error = UnreadableFile(f"{path}: WARC file ends in a broken record: {exc}")
    if pending is not None:
        yield _extraction(pending, {})
    if error is None and path.stat().st_size - end > RECORD_GAP:
        error = UnreadableFile(f"{path}: truncated: the WARC file ends inside a record after byte {end}")
    if error is not None:
        raise error


def _answer(record: ArcWarcRecord) -> RecordedAnswer | None:
    """The HTTP answer of a response record; None for other records and non-HTTP responses."""
    if record.rec_type != "response" or not (record.content_type or "").startswith("application/http"):
        return None
    return read_answer(record)


def _follows(record: ArcWarcRecord, response_id: str) -> bool:
    return record.rec_type == "metadata" and record.rec_headers.get_header("WARC-Concurrent-To") == response_id


def _hints(record: ArcWarcRecord) -> dict:
    """The list-page hints of the crawl's metadata record (another archiver's: none)."""
    try:
        provenance = read_provenance(record)
    except UnicodeDecodeError:
        return {}
    return {key: provenance[key] for key in HINT_KEYS if provenance.get(key)}


def _extraction(pending: tuple[str, str, RecordedAnswer], hints: dict) -> dict:
    record_id, url, answer = pending
    if not 200 <= answer.status < 300:
        hints = {}  # a redirect or error page is not the document the list page named
    headers = {name.decode("latin-1"): value for name, value in answer.headers}
    return {"warc_record_id": record_id, "status": answer.status, **extract(answer.content(), url, headers, hints)}
