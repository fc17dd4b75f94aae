"""Charset choice: BOM, valid UTF-8, header, meta charset / http-equiv, GB18030 fallback."""

from __future__ import annotations

import codecs

import pytest

from pipelines.decode import decode_body, header_charset, meta_charset

TEXT = "平潭综合实验区2019年度政府信息公开工作年度报告"


def test_utf8_bytes_win_over_a_wrong_gbk_declaration():
    body = f'<meta charset="gbk"><p>{TEXT}</p>'.encode()
    text, charset, clean = decode_body(body, {"Content-Type": b"text/html; charset=GBK"})
    assert (TEXT in text, charset, clean) == (True, "utf-8", True)


@pytest.mark.parametrize("declaration", [
    '<meta charset="gb2312">',
    '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
    "",
])
def test_gbk_page_by_meta_http_equiv_or_fallback(declaration):
    text, charset, clean = decode_body(f"{declaration}<p>{TEXT}</p>".encode("gbk"))
    assert TEXT in text and charset == "gb18030" and clean


def test_header_charset_is_used_before_meta():
    body = f'<meta charset="gbk"><p>{TEXT}</p>'.encode("big5", "replace")
    assert decode_body(body, {"content-type": "text/html; charset=big5"})[1] == "big5"


def test_latin1_server_default_is_not_believed():
    body = TEXT.encode("gbk")
    text, charset, _ = decode_body(body, {"Content-Type": b"text/html; charset=ISO-8859-1"})
    assert (text, charset) == (TEXT, "gb18030")


def test_bom_decides():
    text, charset, _ = decode_body(codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"))
    assert (text, charset) == (TEXT, "utf-16-le")


def test_undecodable_bytes_are_replaced_and_reported():
    body = b'<meta charset="utf-8"><p>' + TEXT.encode("gbk") + b"\x81</p>"
    text, charset, clean = decode_body(body)
    assert not clean and charset == "gb18030" and "\ufffd" in text


def test_unknown_declared_label_is_ignored():
    assert decode_body(TEXT.encode("gbk"), {"Content-Type": "text/html; charset=x-nonsense"})[0] == TEXT


def test_declarations_are_read_from_header_and_meta():
    assert header_charset({"Content-Type": b'text/html; charset="UTF-8"'}) == "utf-8"
    assert header_charset({}) is None
    assert meta_charset(b'<head><meta http-equiv="content-type" content="text/html;charset=GBK">') == "gbk"
