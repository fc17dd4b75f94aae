"""Extraction from WARC files read back with warcio, and ``nianbao extract`` over files of every kind."""

from __future__ import annotations

import gzip
import io
import json

import pytest
from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from reportlab.pdfgen import canvas
from warcio.warcwriter import WARCWriter

from nianbao.cli import main
from archive.warcextract import extract_path
from pipelines.files import UnreadableFile

REPORT = ("<html><head><title>某县2017年政府信息公开工作年度报告</title></head><body><div id='zoom'>"
          "<p>一、概述</p><p>2017年，本县认真贯彻落实《条例》。</p></div></body></html>")
UNTITLED = "<html><body><div class='TRS_Editor'><p>一、总体情况</p><p>2019年，我局深化政务公开。</p></div></body></html>"


def _response(writer: WARCWriter, url: str, body: bytes, headers: list[tuple[str, str]], record_id: str):
    http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
    record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http,
                                       warc_headers_dict={"WARC-Record-ID": record_id})
    writer.write_record(record)


def _metadata(writer: WARCWriter, url: str, fields: str, concurrent_to: str):
    record = writer.create_warc_record(url, "metadata", payload=io.BytesIO(fields.encode()),
                                       warc_content_type="application/warc-fields",
                                       warc_headers_dict={"WARC-Concurrent-To": concurrent_to})
    writer.write_record(record)


def _warc(gzipped: bool = True) -> bytes:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzipped)
    _response(writer, "http://127.0.0.15/a.asp", REPORT.encode("gbk"),
              [("Content-Type", "text/html; charset=gb2312")], "<urn:uuid:00000000-0000-0000-0000-000000000001>")
    _response(writer, "http://127.0.0.12/b.htm", UNTITLED.encode(), [("Content-Type", "text/html")],
              "<urn:uuid:00000000-0000-0000-0000-000000000002>")
    _metadata(writer, "http://127.0.0.12/b.htm",
              "role: detail\r\nlist_title: 某局2019年政府信息公开工作年度报告\r\nlist_date: 2020-01-20\r\n",
              "<urn:uuid:00000000-0000-0000-0000-000000000002>")
    return out.getvalue()


@pytest.mark.parametrize("gzipped", [True, False], ids=["warc.gz", "warc"])
def test_every_response_of_a_warc_with_its_provenance(tmp_path, gzipped):
    path = tmp_path / ("crawl.warc.gz" if gzipped else "crawl.warc")
    path.write_bytes(_warc(gzipped))
    first, second = extract_path(path)
    assert (first["url"], first["status"], first["title"], first["report_year"]) == (
        "http://127.0.0.15/a.asp", 200, "某县2017年政府信息公开工作年度报告", 2017)
    assert first["warc_record_id"] == "<urn:uuid:00000000-0000-0000-0000-000000000001>"
    assert (second["title"], second["publish_date"], second["report_year"]) == (
        "某局2019年政府信息公开工作年度报告", "2020-01-20", 2019)


def test_truncated_warc_gives_its_complete_records_then_an_error(tmp_path):
    data = _warc(gzipped=False)
    path = tmp_path / "cut.warc"
    path.write_bytes(data[: data.index(b"WARC/1", 10) + 200])
    records = []
    with pytest.raises(UnreadableFile, match="cut.warc"):
        for record in extract_path(path):
            records.append(record)
    assert [r["url"] for r in records] == ["http://127.0.0.15/a.asp"]


def test_cli_prints_json_lines_and_fails_at_the_end_for_bad_files(tmp_path):
    good = tmp_path / "page.html"
    good.write_bytes(REPORT.encode("gbk"))
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    warc = tmp_path / "crawl.warc.gz"
    warc.write_bytes(_warc())
    result = CliRunner().invoke(main, ["extract", str(tmp_path / "missing.pdf"), str(good), str(empty), str(warc)])
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["url"] for r in records] == [good.resolve().as_uri(), "http://127.0.0.15/a.asp", "http://127.0.0.12/b.htm"]
    errors = result.stderr.splitlines()
    assert len(errors) == 2
    assert "missing.pdf: cannot be read" in errors[0] and "empty.html: empty file" in errors[1]


def test_cli_exit_zero_and_url_option(tmp_path):
    good = tmp_path / "page.html"
    good.write_bytes(gzip.decompress(gzip.compress(REPORT.encode())))
    result = CliRunner().invoke(main, ["extract", "--url", "http://127.0.0.15/a.asp", str(good)])
    assert result.exit_code == 0 and result.stderr == ""
    assert json.loads(result.stdout)["url"] == "http://127.0.0.15/a.asp"


def test_gzip_warc_cut_inside_its_last_record(tmp_path):
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(_warc()[:-50])
    with pytest.raises(UnreadableFile, match="truncated"):
        list(extract_path(path))


def test_redirects_do_not_take_the_list_pages_hints(tmp_path):
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    http = StatusAndHeaders("301 Moved Permanently", [("Location", "http://127.0.0.12/new.htm")], protocol="HTTP/1.1")
    record_id = "<urn:uuid:00000000-0000-0000-0000-000000000003>"
    writer.write_record(writer.create_warc_record(
        "http://127.0.0.12/old.htm", "response", payload=io.BytesIO(b"<html><body>Moved</body></html>"),
        http_headers=http, warc_headers_dict={"WARC-Record-ID": record_id}))
    _metadata(writer, "http://127.0.0.12/old.htm", "list_title: 某局2019年政府信息公开工作年度报告\r\n", record_id)
    path = tmp_path / "redirect.warc.gz"
    path.write_bytes(out.getvalue())
    (record,) = extract_path(path)
    assert (record["status"], record["title"], record["doc_type"]) == (301, None, "other")


def _blank_pdf() -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


@pytest.mark.parametrize("charset", ["utf-8", "gbk"])
def test_header_bytes_reach_the_extraction_as_archived(tmp_path, charset):
    """A file name in Content-Disposition titles a scan; warcio's parsed header text would lose
    UTF-8 bytes, so the head is read back as bytes."""
    title = "某县2019年政府信息公开工作年度报告"
    body = _blank_pdf()
    block = (b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\n"
             b"Content-Disposition: attachment; filename=\"" + f"{title}.pdf".encode(charset) + b"\"\r\n"
             b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    head = ("WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000009>\r\n"
            "WARC-Date: 2020-01-20T00:00:00Z\r\nWARC-Target-URI: http://127.0.0.15/Download.asp?FileID=9\r\n"
            f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(block)}\r\n\r\n")
    path = tmp_path / "scan.warc"
    path.write_bytes(head.encode() + block + b"\r\n\r\n")
    (record,) = extract_path(path)
    assert (record["title"], record["report_year"], record["format"]) == (title, 2019, "pdf")
