"""Extraction from a document file on disk (WARC files: tests/test_archive_warcextract.py)."""

from __future__ import annotations

from pipelines.files import extract_file

REPORT = ("<html><head><title>某县2017年政府信息公开工作年度报告</title></head><body><div id='zoom'>"
          "<p>一、概述</p><p>2017年，本县认真贯彻落实《条例》。</p></div></body></html>")


def test_html_file_with_its_url(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(REPORT.encode("gbk"))
    (record,) = extract_file(path, "http://127.0.0.15/a.asp")
    assert record["url"] == "http://127.0.0.15/a.asp" and record["report_year"] == 2017
    (record,) = extract_file(path)
    assert record["url"] == path.resolve().as_uri()


def test_not_a_warc_is_read_as_a_document(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes("省管局2018年政府信息公开工作年度报告\n2018年，省管局深入贯彻落实国家部署。".encode())
    (record,) = extract_file(path)
    assert record["format"] == "text" and record["report_year"] == 2018
