"""CDXJ index entries of WARC files written by the crawler's own writer."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from archive.cdxj import canonical_body, cdxj_line, index_entries, url_key
from archive.records import Exchange, HttpRequest, HttpResponse, new_record_id
from archive.warc import RotatingWarcWriter

T0 = datetime(2026, 3, 24, 2, 0, tzinfo=timezone.utc)
SITE = "http://127.0.0.11:8801"
FORM = b"Content-Type: application/x-www-form-urlencoded; charset=UTF-8\r\n"


def exchange(path: str, date: datetime, *, method: str = "GET", form: bytes = b"", status: int = 200,
             error: str | None = None) -> Exchange:
    head = f"{method} {path} HTTP/1.1\r\n".encode() + (FORM if form else b"") + b"\r\n"
    return Exchange(
        url=SITE + path, method=method, date=date, ids=(new_record_id(), new_record_id(), new_record_id()),
        provenance={"source": "liangzhou", "role": "list"}, request=HttpRequest(head, form),
        response=None if error else HttpResponse("HTTP/1.1", status, [(b"Content-Type", b"text/xml")], b"<xml/>"),
        error=error,
    )


@pytest.fixture
def warc(tmp_path: Path) -> Path:
    writer = RotatingWarcWriter(tmp_path)
    for item in (
        exchange("/col/col1021/index.html", T0),
        exchange("/module/web/jpage/dataproxy.jsp?startrecord=1", T0, method="POST",
                 form=b"col=1&webname=%E5%87%89%E5%B7%9E%E5%8C%BA"),
        exchange("/gone.html", T0 + timedelta(seconds=1), error="twisted.internet.error.TimeoutError: timeout"),
        exchange("/col/col1021/index.html", T0 + timedelta(days=1)),
    ):
        writer.write_exchange(item)
    writer.close()
    (path,) = writer.closed_files
    return path


def test_every_response_and_failure_is_an_entry_with_its_provenance_and_place(warc: Path):
    entries = list(index_entries(warc))
    assert [(e.capture.method, e.capture.url.removeprefix(SITE), e.capture.record_type) for e in entries] == [
        ("GET", "/col/col1021/index.html", "response"),
        ("POST", "/module/web/jpage/dataproxy.jsp?startrecord=1", "response"),
        ("GET", "/gone.html", "metadata"),
        ("GET", "/col/col1021/index.html", "response"),
    ]
    assert [e.is_failure for e in entries] == [False, False, True, False]
    assert all((e.capture.source, e.capture.role) == ("liangzhou", "list") for e in entries)
    data = warc.read_bytes()
    for entry in entries:  # each entry's offset starts its record's gzip member
        assert data[entry.capture.offset:entry.capture.offset + 2] == b"\x1f\x8b"
    assert entries[1].request_body == "col=1&webname=凉州区" and entries[0].request_body == ""


def test_as_of_leaves_out_later_records(warc: Path):
    assert len(list(index_entries(warc, as_of=T0))) == 2
    assert len(list(index_entries(warc, as_of=T0 + timedelta(seconds=1)))) == 3


def test_cdxj_lines_are_keyed_as_pywb_looks_them_up(warc: Path):
    get, post, _, _ = index_entries(warc)
    key, timestamp, fields = cdxj_line(get).split(" ", 2)
    assert (key, timestamp) == ("11,0,0,127:8801)/col/col1021/index.html", "20260324020000")  # SURT, as surt writes IPs
    assert json.loads(fields) == {
        "url": SITE + "/col/col1021/index.html", "mime": "text/xml", "status": "200",
        "digest": get.capture.payload_digest, "length": str(get.capture.length),
        "offset": str(get.capture.offset), "filename": warc.name,
    }
    key, _, fields = cdxj_line(post).split(" ", 2)
    assert key == url_key("POST", post.capture.url, post.request_body)
    assert "dataproxy.jsp?__wb_method=post&col=1&startrecord=1" in key
    assert json.loads(fields)["requestBody"] == "col=1&webname=凉州区"


def test_canonical_body_is_the_form_decoded_and_nothing_for_a_get():
    assert canonical_body("POST", SITE, b"a=1&b=%E5%B9%B4", "application/x-www-form-urlencoded") == "a=1&b=年"
    assert canonical_body("POST", SITE, b"\x00\x01", "application/octet-stream") == "__wb_post_data=AAE="
    assert canonical_body("GET", SITE, b"a=1", None) == ""
