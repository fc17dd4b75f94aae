"""A small real data directory for the researcher commands' tests: WARC files and a catalog.

The WARC files are written with warcio (one gzip member per record), so every offset, length
and digest in the ``captures`` rows is real; the ``documents`` rows are written through
``archive.catalog.Catalog``. Three documents: a simplified report, a traditional mirror page
(GBK, served gzip-encoded, spam-flagged) and a notice that is not a report.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.catalog import Catalog
from pipelines.script import to_simplified

HOST = "http://www.pingtan.gov.cn"
PINGTAN = "平潭综合实验区管理委员会"
LUAN = "六安市审计局"

PAGES = [
    {
        "key": "pingtan-2020",
        "url": f"{HOST}/zwgk/ndbg/202101/t20210120_1.htm",
        "charset": "utf-8",
        "text": "平潭综合实验区2020年政府信息公开工作年度报告\n一、总体情况\n2020年，本区主动公开政府信息1200条。",
        "record": {
            "title": "平潭综合实验区2020年政府信息公开工作年度报告", "agency": PINGTAN,
            "region_code": "350128", "report_year": 2020, "publish_date": "2021-01-20",
            "doc_type": "annual_report", "template": "2019", "script": "simplified", "flags": [],
            "stats": [
                {"table": "applications", "row": "new_received", "column": "total", "value": 35, "raw": "35"},
                {"table": "proactive", "row": "regulations", "column": "new", "value": 2, "raw": "2"},
            ],
        },
    },
    {
        "key": "luan-2019",
        "url": "http://big5.example.org/gate/big5/www.luan.gov.cn/sjj/ndbg/2020/01/14/2.html",
        "charset": "gbk",
        "gzip": True,
        "text": "六安市審計局2019年政府信息公開工作年度報告\n一、總體情況\n本局認真貫徹《條例》，依申請公開3件。",
        "record": {
            "title": "六安市審計局2019年政府信息公開工作年度報告", "agency": LUAN,
            "region_code": "341500", "report_year": 2019, "publish_date": "2020-01-14",
            "doc_type": "annual_report", "template": "2019", "script": "traditional",
            "flags": ["defaced"], "removed": ["比分直播"],
            "stats": [{"table": "applications", "row": "new_received", "column": "total", "value": 3, "raw": "3"}],
        },
    },
    {
        "key": "pingtan-letter",
        "url": f"{HOST}/zwgk/ndbg/201404/t20140410_3.htm",
        "charset": "utf-8",
        "text": "关于报送2013年度政府信息公开工作年度报告的函\n各部门：请于3月31日前报送。",
        "record": {
            "title": "关于报送2013年度政府信息公开工作年度报告的函", "agency": PINGTAN,
            "region_code": "350128", "report_year": 2013, "publish_date": "2014-04-10",
            "doc_type": "other", "template": None, "script": "simplified", "flags": [],
        },
    },
]
LIST_URL = f"{HOST}/zwgk/ndbg/index.htm"


@dataclass
class DataDir:
    root: Path
    record_ids: dict[str, str] = field(default_factory=dict)  # page key -> response record id
    captures: list[dict] = field(default_factory=list)

    @property
    def catalog(self) -> Path:
        return self.root / "catalog.db"

    @property
    def warc_dir(self) -> Path:
        return self.root / "warc"


def html(text: str) -> str:
    title, *paragraphs = text.split("\n")
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>"


def build_data_dir(root: Path) -> DataDir:
    """Write ``root/warc/*.warc.gz`` and ``root/catalog.db`` for ``PAGES`` and one list page."""
    data = DataDir(root)
    data.warc_dir.mkdir(parents=True)
    # Two WARC files, so verify and serve resolve names: the list page alone, then the documents.
    _write_warc(data, "nianbao-20260101000000-00000.warc.gz", [
        (LIST_URL, "list", "utf-8", False, html("年度报告\n平潭综合实验区2020年政府信息公开工作年度报告")),
    ])
    _write_warc(data, "nianbao-20260101000000-00001.warc.gz", [
        (page["url"], page["key"], page["charset"], page.get("gzip", False), html(page["text"])) for page in PAGES
    ])
    with Catalog(data.catalog) as catalog:
        for row in data.captures:
            catalog.add_capture(row)
        for page in PAGES:
            record_id = data.record_ids[page["key"]]
            fetched = {
                "url": page["url"], "status": 200, "source": "pingtan", "record_id": record_id,
                "role": "detail", "column": LIST_URL, "parent_url": LIST_URL,
                "fetched_at": "2026-01-01T00:00:00Z",
            }
            record = {
                **page["record"], "text": page["text"], "text_simplified": to_simplified(page["text"]),
                "extractor_version": "1",
            }
            catalog.add_document(fetched, record)
    return data


def add_revisit(data, original_key: str, not_modified: bool) -> str:
    """A later revisit of a page in a WARC file of its own: a 304 answer to a conditional GET, or
    an identical payload; returns its record id."""
    page = next(p for p in PAGES if p["key"] == original_key)
    original = next(row for row in data.captures if row["record_id"] == data.record_ids[original_key])
    name = f"nianbao-20260102000000-0000{int(not_modified)}.warc.gz"
    with open(data.warc_dir / name, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        if not_modified:
            record = writer.create_warc_record(
                page["url"], "revisit", payload=BytesIO(b""),
                http_headers=StatusAndHeaders("304 Not Modified", [], protocol="HTTP/1.1"),
                warc_headers_dict={"WARC-Profile": "http://netpreserve.org/warc/1.1/revisit/server-not-modified"},
            )
        else:
            record = writer.create_revisit_record(
                page["url"], original["payload_digest"], page["url"], original["fetched_at"],
                http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1"),
            )
        writer.write_record(record)
        length = out.tell()
    record_id = record.rec_headers.get_header("WARC-Record-ID")
    with Catalog(data.catalog) as catalog:
        catalog.add_capture({
            **original, "record_id": record_id, "record_type": "revisit", "warc_file": name, "offset": 0,
            "length": length, "fetched_at": "2026-01-02T00:00:00Z", "status": 304 if not_modified else 200,
            "payload_digest": record.rec_headers.get_header("WARC-Payload-Digest"),
        })
    return record_id


def _write_warc(data: DataDir, name: str, pages: list[tuple]) -> None:
    with open(data.warc_dir / name, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, key, charset, encode, page in pages:
            body = page.encode(charset)
            headers = [("Content-Type", f"text/html; charset={charset}")]
            if encode:
                body = gzip.compress(body, mtime=0)
                headers.append(("Content-Encoding", "gzip"))
            headers.append(("Content-Length", str(len(body))))
            record = writer.create_warc_record(
                url, "response", payload=BytesIO(body),
                http_headers=StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1"),
                warc_headers_dict={"WARC-Date": "2026-01-01T00:00:00Z"},
            )
            request = writer.create_warc_record(
                url, "request", payload=BytesIO(b""),
                http_headers=StatusAndHeaders(
                    f"GET {url} HTTP/1.1", [("Host", "www.pingtan.gov.cn")], is_http_request=True
                ),
            )
            offset = out.tell()
            writer.write_record(record)
            length = out.tell() - offset
            writer.write_record(request)
            record_id = record.rec_headers.get_header("WARC-Record-ID")
            data.record_ids[key] = record_id
            data.captures.append({
                "record_id": record_id, "url": url, "method": "GET", "fetched_at": "2026-01-01T00:00:00Z",
                "status": 200, "mime": "text/html",
                "payload_digest": record.rec_headers.get_header("WARC-Payload-Digest"),
                "warc_file": name, "offset": offset, "length": length, "record_type": "response",
                "source": "pingtan", "role": "list" if key == "list" else "detail",
            })
