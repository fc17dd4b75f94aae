"""Responses as bytes: framing, encoding, validators and conditional requests."""

from __future__ import annotations

import gzip
from datetime import datetime, timedelta, timezone

from sampleweb_http import dechunk, split_head

from sampleweb.wire import Request, Response, entity_tag, http_date, not_modified

BODY = "政府信息公开工作年度报告".encode("utf-8") * 900


def test_content_length_framing():
    head, body = split_head(b"".join(Response(body=BODY).encode()))
    assert head[0] == b"HTTP/1.1 200 OK"
    assert f"Content-Length: {len(BODY)}".encode() in head and body == BODY


def test_chunks_split_characters_and_reassemble():
    writes = Response(body=BODY, chunked=True).encode()
    head, body = split_head(b"".join(writes))
    assert b"Transfer-Encoding: chunked" in head and not any(h.startswith(b"Content-Length") for h in head)
    assert len(writes) > 3 and dechunk(body) == BODY
    pieces = [write.split(b"\r\n", 1)[1][:-2] for write in writes[1:-1]]
    assert any(not _is_utf8(piece) for piece in pieces), "some chunk boundary falls inside a character"


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_gzip_is_deterministic_and_declared():
    first = b"".join(Response(body=BODY, gzip=True).encode())
    head, body = split_head(first)
    assert b"Content-Encoding: gzip" in head and gzip.decompress(body) == BODY
    assert first == b"".join(Response(body=BODY, gzip=True).encode())


def test_repeated_and_raw_header_bytes_are_kept():
    response = Response(body=b"x").with_header("Set-Cookie", "a=1").with_header("Set-Cookie", "b=2")
    response = response.with_header("Content-Disposition", 'attachment; filename="年报.xls"'.encode("gbk"))
    head, _ = split_head(b"".join(response.encode()))
    assert head.count(b"Set-Cookie: a=1") == 1 and b"Set-Cookie: b=2" in head
    assert 'Content-Disposition: attachment; filename="年报.xls"'.encode("gbk") in head


def test_head_and_304_have_no_body():
    assert split_head(b"".join(Response(body=BODY).encode(head=True)))[1] == b""
    head, body = split_head(b"".join(Response(status=304, body=b"").encode()))
    assert head[0] == b"HTTP/1.1 304 Not Modified" and body == b""
    assert not any(h.startswith((b"Content-Length", b"Content-Type")) for h in head)


def test_entity_tag_follows_content():
    assert entity_tag(BODY) == entity_tag(bytes(BODY)) != entity_tag(BODY + b" ")


def test_conditional_requests():
    tag = entity_tag(BODY)
    modified = datetime(2026, 3, 24, 2, 0, tzinfo=timezone.utc)

    def ask(**headers):
        return not_modified(Request("GET", "/", {k.replace("_", "-"): v for k, v in headers.items()}), tag, modified)

    assert ask(if_none_match=tag) and ask(if_none_match=f'"x", W/{tag}') and ask(if_none_match="*")
    assert not ask(if_none_match='"other"')
    assert not ask(if_none_match='"other"', if_modified_since=http_date(modified)), "If-None-Match wins"
    assert ask(if_modified_since=http_date(modified))
    assert ask(if_modified_since=http_date(modified + timedelta(days=1)))
    assert not ask(if_modified_since=http_date(modified - timedelta(seconds=1)))
    assert not ask(if_modified_since="yesterday")
    assert not not_modified(Request("POST", "/", {"if-none-match": tag}), tag, modified)
