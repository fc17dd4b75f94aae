"""WARC records under the fidelity profile: frozen bytes, exact headers, framing rules, provenance."""

from __future__ import annotations

import base64
import gzip
import hashlib
from datetime import datetime, timezone
from io import BytesIO

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.records import (
    PROFILE,
    RecordedAnswer,
    RUN_URI_PREFIX,
    Exchange,
    HttpRequest,
    HttpResponse,
    Original,
    capture_from_records,
    digest_of,
    exchange_records,
    read_answer,
    read_provenance,
    record_bytes,
    run_record,
    warcinfo_record,
)

DATE = datetime(2024, 3, 1, 8, 30, 15, 250000, tzinfo=timezone.utc)
IDS = tuple(f"<urn:uuid:00000000-0000-4000-8000-00000000000{i}>" for i in (1, 2, 3))
WARCINFO_ID = "<urn:uuid:00000000-0000-4000-8000-000000000000>"
URL = "http://www.example.gov.cn/zwgk/nb/index.jsp?page=2"
GBK_NAME = 'inline; filename="年报.html"'.encode("gbk")
REQUEST = HttpRequest(
    b"POST /zwgk/nb/index.jsp?page=2 HTTP/1.1\r\nContent-Length: 9\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\nHost: www.example.gov.cn\r\n\r\n",
    b"pageNo=2&",
)
RESPONSE = HttpResponse(
    "HTTP/1.1",
    200,
    [
        (b"Content-Type", b"text/html; charset=gbk"),
        (b"Set-Cookie", b"a=1"),
        (b"Set-Cookie", b"b=2"),
        (b"Content-Disposition", GBK_NAME),
    ],
    "<p>年报</p>".encode("gbk"),
    ip_address="192.0.2.7",
)
PROVENANCE = {"spider": "reports", "source": "example", "role": "list", "depth": 1}

# Frozen: any change here is a change of the archive format and must be deliberate.
GOLDEN = b"".join([
    b"WARC/1.1\r\n",
    b"WARC-Type: request\r\n",
    b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\n",
    b"WARC-Date: 2024-03-01T08:30:15.250000Z\r\n",
    b"WARC-Target-URI: http://www.example.gov.cn/zwgk/nb/index.jsp?page=2\r\n",
    b"WARC-Warcinfo-ID: <urn:uuid:00000000-0000-4000-8000-000000000000>\r\n",
    b"WARC-Concurrent-To: <urn:uuid:00000000-0000-4000-8000-000000000002>\r\n",
    b"WARC-Payload-Digest: sha1:PEA3XIHZO7U5Y2I2MVRSMFI7MDWOIPW4\r\n",
    b"WARC-Block-Digest: sha1:H3JRTCGHGGTGSCDQEYSWQZ3242SKXVQA\r\n",
    b"Content-Type: application/http; msgtype=request\r\n",
    b"Content-Length: 146\r\n",
    b"\r\n",
    b"POST /zwgk/nb/index.jsp?page=2 HTTP/1.1\r\n",
    b"Content-Length: 9\r\n",
    b"Content-Type: application/x-www-form-urlencoded\r\n",
    b"Host: www.example.gov.cn\r\n",
    b"\r\n",
    b"pageNo=2&\r\n\r\n",
    b"WARC/1.1\r\n",
    b"WARC-Type: response\r\n",
    b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000002>\r\n",
    b"WARC-Date: 2024-03-01T08:30:15.250000Z\r\n",
    b"WARC-Target-URI: http://www.example.gov.cn/zwgk/nb/index.jsp?page=2\r\n",
    b"WARC-Warcinfo-ID: <urn:uuid:00000000-0000-4000-8000-000000000000>\r\n",
    b"WARC-IP-Address: 192.0.2.7\r\n",
    b"WARC-Protocol: http/1.1\r\n",
    b"WARC-Payload-Digest: sha1:56HKGIA4HSUPHRJ7376ZKT67L2Q6L7L5\r\n",
    b"WARC-Block-Digest: sha1:ONVS2EMS4UQWARD2GTUF63HNX2YH5AJV\r\n",
    b"Content-Type: application/http; msgtype=response\r\n",
    b"Content-Length: 173\r\n",
    b"\r\n",
    b"HTTP/1.1 200 OK\r\n",
    b"Content-Type: text/html; charset=gbk\r\n",
    b"Set-Cookie: a=1\r\n",
    b"Set-Cookie: b=2\r\n",
    b'Content-Disposition: inline; filename="\xc4\xea\xb1\xa8.html"\r\n',
    b"Content-Length: 11\r\n",
    b"\r\n",
    b"<p>\xc4\xea\xb1\xa8</p>\r\n\r\n",
    b"WARC/1.1\r\n",
    b"WARC-Type: metadata\r\n",
    b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000003>\r\n",
    b"WARC-Date: 2024-03-01T08:30:15.250000Z\r\n",
    b"WARC-Target-URI: http://www.example.gov.cn/zwgk/nb/index.jsp?page=2\r\n",
    b"WARC-Warcinfo-ID: <urn:uuid:00000000-0000-4000-8000-000000000000>\r\n",
    b"WARC-Concurrent-To: <urn:uuid:00000000-0000-4000-8000-000000000002>\r\n",
    b"WARC-Payload-Digest: sha1:CFVQCZD6VWJFU4JKFEHFOZL3BMU4NOFB\r\n",
    b"WARC-Block-Digest: sha1:CFVQCZD6VWJFU4JKFEHFOZL3BMU4NOFB\r\n",
    b"Content-Type: application/warc-fields\r\n",
    b"Content-Length: 70\r\n",
    b"\r\n",
    b"method: POST\r\n",
    b"spider: reports\r\n",
    b"source: example\r\n",
    b"role: list\r\n",
    b"depth: 1\r\n",
    b"\r\n\r\n",
])


def exchange(**changes) -> Exchange:
    fields = {"url": URL, "method": "POST", "date": DATE, "ids": IDS, "provenance": PROVENANCE,
              "request": REQUEST, "response": RESPONSE}
    return Exchange(**{**fields, **changes})


def response(**changes) -> HttpResponse:
    fields = {f: getattr(RESPONSE, f) for f in RESPONSE.__slots__}
    return HttpResponse(**{**fields, **changes})


def serialise(records) -> bytes:
    out = BytesIO()
    writer = WARCWriter(out, gzip=False, warc_version="1.1")
    for record in records:
        writer.write_record(record)
    return out.getvalue()


def read_back(data: bytes) -> list:
    """Parse with warcio, verifying digests: (record, payload) pairs; for metadata records
    the payload is what ``read_provenance`` makes of it (it must read while iterating)."""
    out = []
    for rec in ArchiveIterator(BytesIO(data), check_digests="raise"):
        out.append((rec, read_provenance(rec) if rec.rec_type == "metadata"
                    else rec.raw_stream.read()))
    return out


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def http_head(record_bytes: bytes) -> bytes:
    return record_bytes.split(b"\r\n\r\n")[1] + b"\r\n\r\n"


def test_golden_exchange_bytes() -> None:
    records = exchange_records(exchange(), WARCINFO_ID)
    assert b"".join(record_bytes(r) for r in records) == GOLDEN
    assert serialise(records) == GOLDEN  # warcio's own writer agrees byte for byte


def test_records_read_back_with_valid_digests() -> None:
    (req, req_body), (resp, body), (meta, _) = read_back(GOLDEN)
    assert [r.rec_type for r in (req, resp, meta)] == ["request", "response", "metadata"]
    assert req_body == REQUEST.body
    assert body == RESPONSE.body
    assert resp.rec_headers.get_header("WARC-Payload-Digest") == sha1_b32(RESPONSE.body)


def test_non_utf8_and_repeated_header_values_stay_bytes() -> None:
    _, (resp, _), _ = read_back(GOLDEN)
    values = [(n, v.encode("latin-1")) for n, v in resp.http_headers.headers]
    assert ("Content-Disposition", GBK_NAME) in values
    assert [v for n, v in values if n == "Set-Cookie"] == [b"a=1", b"b=2"]


@pytest.mark.parametrize(("change", "length"), [
    ({}, len(RESPONSE.body)),  # chunked or close-delimited answers: the true length
    ({"announced_length": 999, "truncated": "disconnect"}, 999),  # what the server promised
])
def test_content_length_states_the_recorded_body(change, length) -> None:
    records = exchange_records(exchange(response=response(**change)), WARCINFO_ID)
    head = records[1].http_headers.headers_buff
    assert head.count(b"Content-Length") == 1
    assert b"Content-Length: %d\r\n" % length in head
    assert records[1].rec_headers.get_header("WARC-Truncated") == change.get("truncated")


@pytest.mark.parametrize(("method", "status", "truncated"), [
    ("HEAD", 200, None), ("GET", 204, None), ("GET", 304, None),
    ("GET", 200, "disconnect"),  # a cut chunked body: no length was ever announced
])
def test_no_content_length_invented(method, status, truncated) -> None:
    ex = exchange(method=method, response=response(status=status, truncated=truncated))
    head = exchange_records(ex, WARCINFO_ID)[1].http_headers.headers_buff
    assert b"Content-Length" not in head


def test_not_modified_is_a_server_not_modified_revisit() -> None:
    ex = exchange(method="GET", response=response(status=304, headers=[(b"ETag", b'"v1"')], body=b""))
    records = exchange_records(ex, WARCINFO_ID)
    (_, _), (revisit, _), (_, _) = read_back(serialise(records))
    assert revisit.rec_type == "revisit"
    assert revisit.rec_headers.get_header("WARC-Profile") == (
        "http://netpreserve.org/warc/1.1/revisit/server-not-modified")
    assert revisit.http_headers.get_statuscode() == "304"
    assert revisit.http_headers.get_header("ETag") == '"v1"'


def test_reason_phrase_reconstructed_and_protocol_kept() -> None:
    ex = exchange(response=response(protocol="HTTP/1.0", status=404))
    record = exchange_records(ex, WARCINFO_ID)[1]
    assert record.http_headers.headers_buff.startswith(b"HTTP/1.0 404 Not Found\r\n")
    assert record.rec_headers.get_header("WARC-Protocol") == "http/1.0"
    unknown = exchange_records(exchange(response=response(status=599)), WARCINFO_ID)[1]
    assert unknown.http_headers.headers_buff.startswith(b"HTTP/1.1 599 Unknown\r\n")


def test_failure_is_one_metadata_record_with_the_error() -> None:
    ex = exchange(method="GET", request=None, response=None,
                  error="scrapy.exceptions.CannotResolveHostError: DNS lookup failed")
    records = exchange_records(ex, WARCINFO_ID)
    assert [r.rec_type for r in records] == ["metadata"]
    (meta, fields), = read_back(serialise(records))
    assert meta.rec_headers.get_header("WARC-Record-ID") == IDS[2]
    assert meta.rec_headers.get_header("WARC-Concurrent-To") is None
    assert fields["error"] == "scrapy.exceptions.CannotResolveHostError: DNS lookup failed"
    assert fields["method"] == "GET" and fields["depth"] == 1


def test_failure_after_the_request_was_sent_keeps_the_request() -> None:
    ex = exchange(response=None, error="scrapy.exceptions.ResponseDataLossError: ")
    (req, body), (meta, fields) = read_back(serialise(exchange_records(ex, WARCINFO_ID)))
    assert (req.rec_type, body) == ("request", REQUEST.body)
    assert req.rec_headers.get_header("WARC-Concurrent-To") == IDS[2]
    assert meta.rec_headers.get_header("WARC-Concurrent-To") is None
    assert fields["error"].startswith("scrapy.exceptions.ResponseDataLossError")


def test_read_provenance_round_trip_folds_whitespace() -> None:
    provenance = {"source": "平潭", "role": "detail", "column": "http://x/nb/", "parent_url": None,
                  "list_title": "2023年度\r\n  政府信息公开\t年报", "list_date": "2024-01-15",
                  "depth": 3, "retry_times": 2}
    records = exchange_records(exchange(provenance=provenance), WARCINFO_ID)
    *_, (_, fields) = read_back(serialise(records))
    assert fields == {
        "method": "POST", "source": "平潭", "role": "detail", "column": "http://x/nb/",
        "list_title": "2023年度 政府信息公开 年报", "list_date": "2024-01-15",
        "depth": 3, "retry_times": 2,
    }


def test_capture_describes_the_response_record() -> None:
    records = exchange_records(exchange(), WARCINFO_ID)
    (_, _), (resp, _), (_, _) = read_back(serialise(records))
    capture = capture_from_records(resp, {"method": "POST", **PROVENANCE},
                                   warc_file="a.warc.gz", offset=10, length=20,
                                   concurrent_ids=(IDS[0], IDS[2]))
    assert capture.record_id == IDS[1] and capture.record_type == "response"
    assert (capture.url, capture.fetched_at) == (URL, "2024-03-01T08:30:15.250000Z")
    assert (capture.status, capture.mime, capture.method) == (200, "text/html", "POST")
    assert capture.payload_digest == sha1_b32(RESPONSE.body)
    assert (capture.source, capture.role, capture.error) == ("example", "list", None)
    assert (capture.warc_file, capture.offset, capture.length) == ("a.warc.gz", 10, 20)


def test_warcinfo_declares_the_profile() -> None:
    record = warcinfo_record("x.warc.gz", [("software", "nianbao/test")],
                             record_id=WARCINFO_ID, date=DATE)
    (info, block), = read_back(serialise([record]))
    assert info.rec_headers.get_header("WARC-Filename") == "x.warc.gz"
    text = block.decode()
    assert f"nianbao-profile: {PROFILE}\r\n" in text
    assert "software: nianbao/test\r\n" in text
    assert "Transfer-Encoding" in text and "reason phrase" in text


ORIGINAL = Original(IDS[0].replace("0001", "0009"), "http://www.example.gov.cn/a.html",
                    "2024-02-01T00:00:00.000000Z", sha1_b32(RESPONSE.body))


def test_identical_payload_is_a_revisit_naming_its_original() -> None:
    records = exchange_records(exchange(revisit_of=ORIGINAL), WARCINFO_ID)
    (_, _), (rev, payload), (_, _) = read_back(serialise(records))
    headers = rev.rec_headers
    assert rev.rec_type == "revisit" and payload == b""
    assert headers.get_header("WARC-Profile").endswith("/revisit/identical-payload-digest")
    assert headers.get_header("WARC-Payload-Digest") == sha1_b32(RESPONSE.body)
    assert (headers.get_header("WARC-Refers-To"), headers.get_header("WARC-Refers-To-Target-URI"),
            headers.get_header("WARC-Refers-To-Date")) == (ORIGINAL.record_id, ORIGINAL.url, ORIGINAL.date)
    assert rev.http_headers.get_statuscode() == "200"  # the head as received, Content-Length included
    assert rev.http_headers.get_header("Content-Length") == str(len(RESPONSE.body))
    capture = capture_from_records(rev, {"run": "R7"}, warc_file="a.warc.gz", offset=0, length=1)
    assert (capture.record_type, capture.refers_to, capture.payload_digest, capture.run_id) == (
        "revisit", ORIGINAL.record_id, ORIGINAL.payload_digest, "R7")


def test_not_modified_revisit_names_where_its_validators_came_from() -> None:
    answer = response(status=304, body=b"", headers=[(b"ETag", b'W/"1a"'), (b"Last-Modified", b"Sun, 01 Feb 2024 00:00:00 GMT")])
    records = exchange_records(exchange(method="GET", response=answer, revisit_of=ORIGINAL), WARCINFO_ID)
    (_, _), (rev, _), (_, _) = read_back(serialise(records))
    assert rev.rec_headers.get_header("WARC-Profile").endswith("/revisit/server-not-modified")
    assert rev.rec_headers.get_header("WARC-Refers-To") == ORIGINAL.record_id
    assert rev.rec_headers.get_header("WARC-Payload-Digest") is None
    capture = capture_from_records(rev, {}, warc_file="a.warc.gz", offset=0, length=1)
    assert (capture.status, capture.etag, capture.last_modified) == (304, 'W/"1a"', "Sun, 01 Feb 2024 00:00:00 GMT")


def test_a_digest_computed_by_the_crawler_is_used_as_given() -> None:
    records = exchange_records(exchange(response=response(payload_digest="sha1:GIVEN")), WARCINFO_ID)
    assert records[1].rec_headers.get_header("WARC-Payload-Digest") == "sha1:GIVEN"
    assert digest_of(RESPONSE.body) == sha1_b32(RESPONSE.body)


def test_run_record_holds_the_report() -> None:
    record = run_record("20240301T083015Z-ab12", b'{"finish_reason": "finished"}', record_id=IDS[2],
                        date=DATE, warcinfo_id=WARCINFO_ID)
    (read, _), = read_back(serialise([record]))
    assert read.rec_type == "metadata" and read.rec_headers.get_header("Content-Type") == "application/json"
    assert read.rec_headers.get_header("WARC-Target-URI") == RUN_URI_PREFIX + "20240301T083015Z-ab12"


def answer_records(data: bytes) -> list:
    """The response and revisit records of a serialised WARC, read unparsed for ``read_answer``."""
    return [read_answer(rec) for rec in ArchiveIterator(BytesIO(data), no_record_parse=True)
            if rec.rec_type in ("response", "revisit")]


@pytest.mark.parametrize(
    "wire",
    [
        "attachment; filename=\"2020年报.pdf\"".encode("utf-8"),
        "attachment; filename=\"2020年报.pdf\"".encode("gbk"),
        "attachment; filename=\"résumé.pdf\"".encode("latin-1"),
        # Latin-range letters sent as UTF-8: warcio's parsed value "é" cannot say which bytes came
        "attachment; filename=\"résumé.pdf\"".encode("utf-8"),
    ],
)
def test_read_answer_hands_back_the_archived_bytes(wire) -> None:
    resp = response(headers=[(b"Content-Type", b"text/html"), (b"Content-Disposition", wire),
                             (b"Set-Cookie", b"a=1"), (b"Set-Cookie", b"b=2")])
    data = serialise(exchange_records(exchange(response=resp), WARCINFO_ID))
    assert b"\r\nContent-Disposition: " + wire + b"\r\n" in data
    (answer,) = answer_records(data)
    length = str(len(RESPONSE.body)).encode()
    assert answer == RecordedAnswer("HTTP/1.1", 200, (*resp.headers, (b"Content-Length", length)), RESPONSE.body)
    assert answer.header("content-disposition") == wire


def test_read_answer_of_a_revisit_is_its_head() -> None:
    ex = exchange(method="GET", response=response(status=304, headers=[(b"ETag", b'"v1"')], body=b""))
    (answer,) = answer_records(serialise(exchange_records(ex, WARCINFO_ID)))
    assert answer == RecordedAnswer("HTTP/1.1", 304, ((b"ETag", b'"v1"'),), b"")


def test_a_record_read_unparsed_is_described_as_when_it_was_written() -> None:
    resp = response(headers=[(b"Content-Type", b"text/html"), (b"ETag", '"é"'.encode())])
    records = exchange_records(exchange(method="GET", response=resp), WARCINFO_ID)
    written = capture_from_records(records[1], {}, warc_file="a.warc.gz", offset=0, length=1)
    rec = next(r for r in ArchiveIterator(BytesIO(serialise(records)), no_record_parse=True) if r.rec_type == "response")
    http = read_answer(rec).status_and_headers()
    assert capture_from_records(rec, {}, warc_file="a.warc.gz", offset=0, length=1, http=http) == written


def test_read_answer_removes_recorded_chunk_framing() -> None:
    """Another archiver's record of the wire bytes: the payload comes back de-chunked, without
    the Transfer-Encoding header that no longer describes it."""
    out = BytesIO()
    writer = WARCWriter(out, gzip=True)
    http = StatusAndHeaders("200 OK", [("Transfer-Encoding", "chunked"), ("Content-Type", "text/plain")],
                            protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(URL, "response", payload=BytesIO(b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"),
                                                  http_headers=http))
    (answer,) = answer_records(out.getvalue())
    assert answer == RecordedAnswer("HTTP/1.1", 200, ((b"Content-Type", b"text/plain"),), b"hello world")


def test_content_is_the_payload_decoded_of_its_content_encoding() -> None:
    body = gzip.compress("年报".encode(), mtime=0)
    resp = response(headers=[(b"Content-Encoding", b"gzip")], body=body)
    (answer,) = answer_records(serialise(exchange_records(exchange(response=resp), WARCINFO_ID)))
    assert (answer.payload, answer.content()) == (body, "年报".encode())


def test_read_answer_refuses_a_parsed_record() -> None:
    record = next(r for r in ArchiveIterator(BytesIO(GOLDEN)) if r.rec_type == "response")
    with pytest.raises(ValueError, match="no_record_parse"):
        read_answer(record)
