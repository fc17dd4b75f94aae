"""CDXJ index entries of WARC files: what was captured, where, and under which request.

One ``IndexEntry`` per response and revisit record, and per failure (a metadata record with an
error), described by ``capture_from_records`` exactly as the catalog describes it, plus what
a replay needs to match a request: the method and, for POST and PUT, the request body in
pywb's canonical form (``cdxj_indexer.postquery``: form fields decoded, other bodies base64).
The same request body makes the CDXJ ``urlkey`` (SURT of the URL with
``__wb_method=POST&…`` appended), so pywb and ReplayWeb.page find Hanweb's POSTed list pages.

cdxj-indexer's own record walk is not used: it joins a request to its response only when the
response names the request in WARC-Concurrent-To, and nianbao writes the link the other way
(request, then response; the request and the metadata record point at the response).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path

import surt
from cdxj_indexer.postquery import append_method_query
from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.timeutils import iso_date_to_timestamp

from archive.asof import at_or_before
from archive.records import WARC_FIELDS, Capture, capture_from_records, read_provenance

BODY_METHODS = frozenset({"POST", "PUT"})
INDEXED_TYPES = frozenset({"response", "revisit"})


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One capture as an index holds it.

    ``request_body`` is the canonical body of a POST or PUT ("" otherwise); ``profile``,
    ``refers_to_url`` and ``refers_to_date`` are a revisit's WARC-Profile and
    WARC-Refers-To-Target-URI / -Date, when it has them.
    """

    capture: Capture
    request_body: str = ""
    profile: str | None = None
    refers_to_url: str | None = None
    refers_to_date: str | None = None

    @property
    def request(self) -> tuple[str, str, str]:
        """What a replayed request must match: method, URL, canonical body."""
        return (self.capture.method, self.capture.url, self.request_body)

    @property
    def is_failure(self) -> bool:
        return self.capture.record_type not in INDEXED_TYPES


def canonical_body(method: str, url: str, body: bytes, content_type: str | None) -> str:
    """A POST or PUT body as pywb indexes it ("" for other methods)."""
    if method.upper() not in BODY_METHODS:
        return ""
    query, _ = append_method_query(method.upper(), content_type, len(body), BytesIO(body), url)
    return query or ""


def url_key(method: str, url: str, request_body: str) -> str:
    """The CDXJ ``urlkey``: SURT of the URL, with pywb's method and body suffix for POST and PUT."""
    if method.upper() in BODY_METHODS:
        url += ("&" if "?" in url else "?") + f"__wb_method={method.upper()}"
        if request_body:
            url += "&" + request_body
    try:
        return surt.surt(url)
    except ValueError:  # surt cannot parse every URL a server sends; pywb keeps those as they are
        return url


def cdxj_line(entry: IndexEntry) -> str:
    """One line of a CDXJ index (pywb's fields, as cdxj-indexer writes them), newline included."""
    capture = entry.capture
    fields = {
        "url": capture.url,
        "mime": "warc/revisit" if capture.record_type == "revisit" else capture.mime or "unk",
        "status": str(capture.status),
        "digest": capture.payload_digest,
        "length": str(capture.length),
        "offset": str(capture.offset),
        "filename": capture.warc_file,
    }
    if capture.method.upper() in BODY_METHODS:
        fields.update(method=capture.method.upper(), requestBody=entry.request_body)
    timestamp = iso_date_to_timestamp(capture.fetched_at)
    key = url_key(capture.method, capture.url, entry.request_body)
    return f"{key} {timestamp} {json.dumps(fields)}\n"


def index_entries(path: Path, as_of: datetime | None = None) -> Iterator[IndexEntry]:
    """The entries of one WARC file, in file order; records dated after ``as_of`` are skipped.

    A capture is complete when its metadata record (provenance: source, role, method) has been
    read; one without a metadata record is indexed without provenance, as the rebuild does.
    """
    bodies: dict[str, tuple[bytes, str | None]] = {}  # record a request points at → body, Content-Type
    pending: dict[str, tuple[ArcWarcRecord, int, int]] = {}
    with path.open("rb") as fh:
        records = ArchiveIterator(fh)
        for record in records:
            if not at_or_before(record, as_of):
                continue
            headers = record.rec_headers
            if record.rec_type == "request":
                http = record.http_headers
                body = record.content_stream().read()
                bodies[headers.get_header("WARC-Concurrent-To")] = (body, http.get_header("Content-Type") if http else None)
            elif record.rec_type in INDEXED_TYPES:
                records.read_to_end(record)
                pending[headers.get_header("WARC-Record-ID")] = (record, records.get_record_offset(), records.get_record_length())
            elif record.rec_type == "metadata" and headers.get_header("Content-Type") == WARC_FIELDS:
                provenance = read_provenance(record)
                target = headers.get_header("WARC-Concurrent-To")
                if target in pending:
                    yield _entry(path, *pending.pop(target), provenance, bodies.pop(target, None))
                elif "error" in provenance:
                    record_id = headers.get_header("WARC-Record-ID")
                    place = (records.get_record_offset(), records.get_record_length())
                    yield _entry(path, record, *place, provenance, bodies.pop(record_id, None))
    for record_id, (record, offset, length) in pending.items():
        yield _entry(path, record, offset, length, {}, bodies.pop(record_id, None))


def _entry(
    path: Path,
    record: ArcWarcRecord,
    offset: int,
    length: int,
    provenance: dict,
    body: tuple[bytes, str | None] | None,
) -> IndexEntry:
    capture = capture_from_records(record, provenance, warc_file=path.name, offset=offset, length=length)
    headers = record.rec_headers
    request_body = canonical_body(capture.method, capture.url, *body) if body else ""
    return IndexEntry(
        capture=capture,
        request_body=request_body,
        profile=headers.get_header("WARC-Profile"),
        refers_to_url=headers.get_header("WARC-Refers-To-Target-URI"),
        refers_to_date=headers.get_header("WARC-Refers-To-Date"),
    )
