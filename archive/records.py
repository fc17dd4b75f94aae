"""WARC records for one HTTP exchange, built with warcio, and the ``Capture`` describing them.

Pure: an ``Exchange`` (plain data taken from the crawler) goes in, warcio records come out.
The records follow one declared fidelity profile (``PROFILE``, written into every warcinfo
record): what the HTTP client keeps is recorded byte for byte, what it loses is stated.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from io import BytesIO

from warcio.bufferedreaders import BufferedReader, ChunkedDataReader
from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date

WARC_VERSION = "WARC/1.1"
PROFILE = "nianbao-http-normalised/1"
PROFILE_RULES = (
    "payload: the body de-chunked and still content-encoded, as the server sent it;"
    " WARC-Payload-Digest is over these bytes",
    "transfer framing is not recorded: Transfer-Encoding, Connection, Keep-Alive, TE, Trailers,"
    " Upgrade and Proxy-Connection are dropped by the HTTP client; Content-Length states the"
    " recorded body length, or on WARC-Truncated records the length the server announced"
    " (if any), and is absent on HEAD, 1xx, 204 and 304 answers",
    "response status line: the protocol as received; the reason phrase is the standard phrase"
    " of the status code (the HTTP client does not keep the one sent)",
    "header values are the bytes received, non-UTF-8 included, every repeat kept in order;"
    " names are title-cased and grouped by name (case and order across names are not kept)",
    "request records: the request line, headers and body serialised as the HTTP client wrote"
    " them (request line, Content-Length, headers, Host)",
    "WARC-Protocol: the HTTP version of the answer",
    "304 answers are revisit records with the server-not-modified profile, naming (when known)"
    " the record whose payload the validators came from in WARC-Refers-To*",
    "an answer whose payload digest the archive already holds is a revisit record with the"
    " identical-payload-digest profile: its HTTP head only, WARC-Refers-To* naming the original",
    "one metadata record per exchange (application/warc-fields) carries the crawl provenance;"
    " a download that failed without an answer is a metadata record with an error field,"
    " with the request record when an answer had begun (the request was surely sent)",
)

WARCINFO_FORMAT = (
    ("format", "WARC File Format 1.1"),
    ("conformsTo", "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"),
)
SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
IDENTICAL_PAYLOAD_DIGEST = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
# The Target-URI of the metadata record a nightly run writes its report into.
RUN_URI_PREFIX = "urn:nianbao:run:"
RUN_FIELD = "nianbao-run-id"  # the warcinfo field naming the nightly run that wrote a file
JSON = "application/json"
WARC_FIELDS = "application/warc-fields"
NO_BODY_STATUSES = frozenset({*range(100, 200), 204, 304})
INT_FIELDS = frozenset({"depth", "retry_times", "redirect_times"})

_builder = RecordBuilder(warc_version=WARC_VERSION)


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """A request as written on the wire: ``head`` is the request line and headers up to and
    including the blank line."""

    head: bytes
    body: bytes = b""


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """An answer as the HTTP client handed it over.

    ``headers`` are (name, value) bytes without framing headers; ``announced_length`` is the
    Content-Length the server sent, if any; ``truncated`` is a WARC-Truncated reason.
    """

    protocol: str
    status: int
    headers: Sequence[tuple[bytes, bytes]]
    body: bytes
    ip_address: str | None = None
    announced_length: int | None = None
    truncated: str | None = None
    payload_digest: str | None = None  # of ``body``, when the crawler has computed it already


@dataclass(frozen=True, slots=True)
class Original:
    """A record holding a payload that later revisit records refer to."""

    record_id: str
    url: str
    date: str  # its WARC-Date
    payload_digest: str | None


@dataclass(frozen=True, slots=True)
class Exchange:
    """One download: the request, the answer (None when the download failed) and provenance.

    ``ids`` are the record ids of the request, response and metadata records, fixed by the
    crawler before writing so it can refer to them at once. ``revisit_of`` makes the response
    a revisit: of the payload the validators of a 304 came from, or of an identical payload.
    """

    url: str
    method: str
    date: datetime
    ids: tuple[str, str, str]
    provenance: Mapping[str, object] = field(default_factory=dict)
    request: HttpRequest | None = None
    response: HttpResponse | None = None
    error: str | None = None
    revisit_of: Original | None = None


@dataclass(frozen=True, slots=True)
class Capture:
    """A record on disk: the response (or revisit, or failure metadata) record of an exchange.

    ``offset``/``length`` locate the record's gzip member in ``warc_file`` (a file name in the
    WARC directory); ``concurrent_ids`` are the ids of the exchange's other records;
    ``refers_to`` is a revisit's original; ``etag``/``last_modified`` the validators a 200 or
    304 answer carried; ``run_id`` the nightly run that made it.
    """

    record_id: str
    record_type: str
    url: str
    fetched_at: str
    status: int | None
    mime: str | None
    payload_digest: str | None
    warc_file: str
    offset: int
    length: int
    method: str
    source: str | None
    role: str | None
    concurrent_ids: tuple[str, ...] = ()
    truncated: str | None = None
    error: str | None = None
    refers_to: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    run_id: str | None = None


def new_record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def warc_date(date: datetime) -> str:
    """ISO 8601 UTC with microseconds, as WARC 1.1 allows."""
    return datetime_to_iso_date(date.astimezone(timezone.utc).replace(tzinfo=None), use_micros=True)


def encode_fields(fields: Iterable[tuple[str, object]]) -> bytes:
    """``application/warc-fields``: one ``name: value`` line each; None values are left out.

    Values are single lines: runs of whitespace (newlines in link text) become one space.
    """
    lines = [
        f"{name}: {' '.join(str(value).split())}\r\n"
        for name, value in fields
        if value is not None
    ]
    return "".join(lines).encode("utf-8")


def decode_fields(block: bytes) -> list[tuple[str, str]]:
    fields = []
    for line in block.decode("utf-8").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields.append((name.strip(), value.strip()))
    return fields


def warcinfo_record(
    filename: str, fields: Iterable[tuple[str, object]], *, record_id: str, date: datetime
) -> ArcWarcRecord:
    """The first record of every file: the caller's fields, then the fidelity profile."""
    profile = [("nianbao-profile", PROFILE), *(("nianbao-profile-rule", r) for r in PROFILE_RULES)]
    block = encode_fields([*WARCINFO_FORMAT, *fields, *profile])
    headers = _warc_headers("warcinfo", record_id, date, None, None, [("WARC-Filename", filename)])
    return _record("", "warcinfo", headers, block, WARC_FIELDS)


def exchange_records(exchange: Exchange, warcinfo_id: str) -> list[ArcWarcRecord]:
    """request, response (or revisit) and metadata records.

    A failed download has no response: its metadata record carries the error, and the
    request record (when the request is known to have been sent) points to it.
    """
    request_id, response_id, metadata_id = exchange.ids
    fields = [("method", exchange.method), *exchange.provenance.items()]
    main_id = metadata_id if exchange.response is None else response_id
    records = []
    if exchange.request is not None:
        records.append(request_record(exchange, request_id, warcinfo_id, concurrent_to=main_id))
    if exchange.response is None:
        fields.append(("error", exchange.error))
        records.append(metadata_record(exchange, fields, metadata_id, warcinfo_id, None))
    else:
        records.append(response_record(exchange, response_id, warcinfo_id))
        records.append(metadata_record(exchange, fields, metadata_id, warcinfo_id, response_id))
    return records


def request_record(
    exchange: Exchange, record_id: str, warcinfo_id: str, concurrent_to: str
) -> ArcWarcRecord:
    assert exchange.request is not None
    head = exchange.request.head
    start, _, rest = head.partition(b"\r\n")
    http = _WireHead(start.decode("latin-1"), _header_pairs(rest), "", head, True)
    headers = _warc_headers(
        "request", record_id, exchange.date, exchange.url, warcinfo_id,
        [("WARC-Concurrent-To", concurrent_to)],
    )
    return _record(exchange.url, "request", headers, exchange.request.body, None, http)


def response_record(exchange: Exchange, record_id: str, warcinfo_id: str) -> ArcWarcRecord:
    """A response record; or a revisit: server-not-modified for a 304, identical-payload-digest
    for an answer whose payload is the ``revisit_of`` record's."""
    resp = exchange.response
    assert resp is not None
    http = response_head(resp, exchange.method)
    extra = [("WARC-IP-Address", resp.ip_address), ("WARC-Protocol", resp.protocol.lower())]
    original = exchange.revisit_of
    if resp.status == 304 or original is not None:
        identical = resp.status != 304
        extra.append(("WARC-Profile", IDENTICAL_PAYLOAD_DIGEST if identical else SERVER_NOT_MODIFIED))
        if original is not None:
            extra += [
                ("WARC-Refers-To", original.record_id),
                ("WARC-Refers-To-Target-URI", original.url),
                ("WARC-Refers-To-Date", original.date),
            ]
        if identical:
            extra.append(("WARC-Payload-Digest", resp.payload_digest or _sha1(resp.body)))
        rec_type = "revisit"
    else:
        extra.append(("WARC-Truncated", resp.truncated))
        rec_type = "response"
    headers = _warc_headers(rec_type, record_id, exchange.date, exchange.url, warcinfo_id, extra)
    return _record(exchange.url, rec_type, headers, resp.body, None, http, resp.payload_digest)


def run_record(run_id: str, report: bytes, *, record_id: str, date: datetime, warcinfo_id: str) -> ArcWarcRecord:
    """The metadata record holding a nightly run's report (JSON), at ``RUN_URI_PREFIX + run_id``."""
    url = RUN_URI_PREFIX + run_id
    headers = _warc_headers("metadata", record_id, date, url, warcinfo_id, [])
    return _record(url, "metadata", headers, report, JSON)


def metadata_record(
    exchange: Exchange,
    fields: Iterable[tuple[str, object]],
    record_id: str,
    warcinfo_id: str,
    concurrent_to: str | None,
) -> ArcWarcRecord:
    headers = _warc_headers(
        "metadata", record_id, exchange.date, exchange.url, warcinfo_id,
        [("WARC-Concurrent-To", concurrent_to)],
    )
    return _record(exchange.url, "metadata", headers, encode_fields(fields), WARC_FIELDS)


def response_head(resp: HttpResponse, method: str) -> StatusAndHeaders:
    """The response status line and headers under the profile, as exact bytes."""
    phrase = _reason_phrase(resp.status)
    headers = list(resp.headers)
    length = resp.announced_length if resp.truncated else len(resp.body)
    if length is not None and method != "HEAD" and resp.status not in NO_BODY_STATUSES:
        headers.append((b"Content-Length", str(length).encode()))
    start = f"{resp.protocol} {resp.status} {phrase}".encode("latin-1")
    head = b"".join([start, b"\r\n", *(n + b": " + v + b"\r\n" for n, v in headers), b"\r\n"])
    pairs = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in headers]
    return _WireHead(f"{resp.status} {phrase}", pairs, resp.protocol, head)


@dataclass(frozen=True, slots=True)
class RecordedAnswer:
    """An HTTP answer read back from a response or revisit record, its bytes as archived.

    ``headers`` are the header lines as (name, value) bytes, in order, repeats kept;
    ``payload`` is the body without transfer framing, still content-encoded (a revisit's is
    empty: its payload is its original's).
    """

    protocol: str
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    payload: bytes

    def header(self, name: str) -> bytes | None:
        """The last value of header ``name`` (any case), or None."""
        key = name.lower().encode("latin-1")
        return next((v for n, v in reversed(self.headers) if n.lower() == key), None)

    def content(self) -> bytes:
        """The payload decoded of its Content-Encoding, when warcio knows it (gzip, deflate, br)."""
        encoding = (self.header("Content-Encoding") or b"").strip().lower().decode("latin-1")
        if encoding not in BufferedReader.get_supported_decompressors():
            return self.payload
        return BufferedReader(BytesIO(self.payload), decomp_type=encoding).read()

    def status_and_headers(self) -> StatusAndHeaders:
        """The head as the records built here carry it: values as Latin-1 text, which keeps
        every byte (``value.encode("latin-1")`` gives them back)."""
        pairs = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in self.headers]
        return StatusAndHeaders(f"{self.status} {_reason_phrase(self.status)}", pairs, self.protocol)


def read_answer(record: ArcWarcRecord) -> RecordedAnswer:
    """The HTTP answer of a response or revisit record, read from its block as bytes.

    ``record`` must be read by warcio unparsed (``no_record_parse=True``): warcio's parser
    decodes each header line as UTF-8 when it can, else as Latin-1, so "é" could have been
    sent as C3 A9 or as E9 and the bytes are lost. A payload recorded chunked, as on the wire
    (other archivers' WARC files), is de-chunked and its Transfer-Encoding header dropped:
    framing is never kept over a body without it (the fidelity profile's rule).
    """
    if record.http_headers is not None:
        raise ValueError("read_answer needs a record read with no_record_parse=True")
    stream = record.raw_stream
    protocol, status, *_ = stream.readline().decode("latin-1").split(None, 2)
    headers = []
    while line := stream.readline().rstrip(b"\r\n"):
        name, sep, value = line.partition(b":")
        if sep:
            headers.append((name.strip(), value.strip()))
    if any((n.lower(), v.lower()) == (b"transfer-encoding", b"chunked") for n, v in headers):
        headers = [(n, v) for n, v in headers if n.lower() != b"transfer-encoding"]
        stream = ChunkedDataReader(stream)
    return RecordedAnswer(protocol, int(status), tuple(headers), stream.read())


def read_provenance(record: ArcWarcRecord) -> dict[str, object]:
    """The fields of a metadata record written by ``exchange_records``, as a dict.

    Reads the record's content stream; counters (depth, retries, redirects) come back as int.
    """
    fields = decode_fields(record.content_stream().read())
    return {
        name: int(value) if name in INT_FIELDS and value.lstrip("-").isdigit() else value
        for name, value in fields
    }


def capture_from_records(
    record: ArcWarcRecord,
    provenance: Mapping[str, object],
    *,
    warc_file: str,
    offset: int,
    length: int,
    concurrent_ids: Sequence[str] = (),
    http: StatusAndHeaders | None = None,
) -> Capture:
    """Describe a written response/revisit/failure-metadata record; the rebuild uses it too.

    ``http`` is the head of a record read unparsed (``RecordedAnswer.status_and_headers``).
    """
    rec = record.rec_headers
    http = http if http is not None else record.http_headers
    status = int(http.get_statuscode()) if http else None
    content_type = http.get_header("Content-Type") if http else None
    validated = http is not None and status in (200, 304)
    mime = (content_type.split(";", 1)[0].strip().lower() or None) if content_type else None
    return Capture(
        record_id=rec.get_header("WARC-Record-ID"),
        record_type=rec.get_header("WARC-Type"),
        url=rec.get_header("WARC-Target-URI"),
        fetched_at=rec.get_header("WARC-Date"),
        status=status,
        mime=mime,
        payload_digest=rec.get_header("WARC-Payload-Digest") if http else None,
        warc_file=warc_file,
        offset=offset,
        length=length,
        method=str(provenance.get("method", "GET")),
        source=_optional_str(provenance.get("source")),
        role=_optional_str(provenance.get("role")),
        concurrent_ids=tuple(concurrent_ids),
        truncated=rec.get_header("WARC-Truncated"),
        error=_optional_str(provenance.get("error")),
        refers_to=rec.get_header("WARC-Refers-To"),
        etag=http.get_header("ETag") if validated else None,
        last_modified=http.get_header("Last-Modified") if validated else None,
        run_id=_optional_str(provenance.get("run")),
    )


class _WireHead(StatusAndHeaders):
    """An HTTP head whose bytes are fixed: warcio would re-encode it and percent-encode
    non-ASCII values (GBK filenames), which would falsify the record."""

    def __init__(
        self,
        statusline: str,
        headers: list[tuple[str, str]],
        protocol: str,
        head: bytes,
        is_http_request: bool = False,
    ) -> None:
        super().__init__(statusline, headers, protocol, is_http_request=is_http_request)
        self.headers_buff = head

    def compute_headers_buffer(self, header_filter=None) -> None:
        """The bytes are already exact."""


def _header_pairs(lines: bytes) -> list[tuple[str, str]]:
    pairs = []
    for line in lines.split(b"\r\n"):
        name, sep, value = line.partition(b":")
        if sep:
            pairs.append((name.decode("latin-1"), value.strip().decode("latin-1")))
    return pairs


def _reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _warc_headers(
    rec_type: str,
    record_id: str,
    date: datetime,
    url: str | None,
    warcinfo_id: str | None,
    extra: Iterable[tuple[str, str | None]],
) -> StatusAndHeaders:
    pairs = [
        ("WARC-Type", rec_type),
        ("WARC-Record-ID", record_id),
        ("WARC-Date", warc_date(date)),
        ("WARC-Target-URI", url),
        ("WARC-Warcinfo-ID", warcinfo_id),
        *extra,
    ]
    return StatusAndHeaders("", [(n, v) for n, v in pairs if v is not None], protocol=WARC_VERSION)


def _record(
    url: str,
    rec_type: str,
    warc_headers: StatusAndHeaders,
    payload: bytes,
    content_type: str | None,
    http: StatusAndHeaders | None = None,
    payload_digest: str | None = None,
) -> ArcWarcRecord:
    """A warcio record complete with digests, Content-Type and Content-Length, so it can be
    serialised as it stands (``record_bytes``): capture runs on the crawl's CPU budget, and
    warcio's writer would read the payload three more times in 16 KB pieces. A
    ``payload_digest`` the crawler computed already is not computed again."""
    head = http.headers_buff if http else b""
    if rec_type == "revisit":  # a revisit keeps only the HTTP head
        block, payload_digest = b"", _SHA1_EMPTY
    else:
        block, payload_digest = payload, payload_digest or _sha1(payload)
    if rec_type not in _builder.NO_PAYLOAD_DIGEST_TYPES:
        warc_headers.headers.append(("WARC-Payload-Digest", payload_digest))
    content_type = content_type or _builder.WARC_RECORDS[rec_type]
    length = len(head) + len(block)
    warc_headers.headers += [
        ("WARC-Block-Digest", _sha1(head, block) if head else payload_digest),
        ("Content-Type", content_type),
        ("Content-Length", str(length)),
    ]
    record = ArcWarcRecord("warc", rec_type, warc_headers, BytesIO(block), http, content_type, length)
    record.payload_length = len(block)
    return record


def record_bytes(record: ArcWarcRecord) -> bytes:
    """A record built here, serialised exactly as warcio's WARCWriter writes it."""
    return b"".join(record_pieces(record))


def record_pieces(record: ArcWarcRecord) -> tuple[bytes, bytes, bytes]:
    """``record_bytes`` in three pieces: the WARC and HTTP heads, the payload, the record end."""
    head = record.http_headers.headers_buff if record.http_headers else b""
    return record.rec_headers.to_bytes() + head, record.raw_stream.getvalue(), b"\r\n\r\n"


def digest_of(payload: bytes) -> str:
    """The ``WARC-Payload-Digest`` value of a payload: ``sha1:`` and base 32."""
    return _sha1(payload)


def _sha1(*parts: bytes) -> str:
    if not any(parts):
        return _SHA1_EMPTY  # request records of GETs
    digest = hashlib.sha1()
    for part in parts:
        digest.update(part)
    return "sha1:" + base64.b32encode(digest.digest()).decode("ascii")


_SHA1_EMPTY = "sha1:" + base64.b32encode(hashlib.sha1().digest()).decode("ascii")


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)
