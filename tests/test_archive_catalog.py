from __future__ import annotations

import json
import sqlite3

from archive.catalog import Catalog
from archive.summary import format_summary, site_summary

FETCHED = {
    "url": "http://127.0.0.11:8800/art/2021/3/1/art_11_5.html",
    "status": 200,
    "source": "hanweb-county",
    "record_id": "<urn:uuid:aaaa>",
    "role": "detail",
    "column": "http://127.0.0.11:8800/col/col11/index.html",
    "parent_url": "http://127.0.0.11:8800/col/col11/index.html",
    "fetched_at": "2026-11-22T01:00:00Z",
}
RECORD = {
    "title": "某县2020年政府信息公开工作年度报告",
    "agency": "某县人民政府",
    "region_code": "620602",
    "report_year": 2020,
    "publish_date": "2021-01-20",
    "doc_type": "annual_report",
    "template": "2019",
    "script": "simplified",
    "flags": ["year_conflict", "defaced"],
    "removed": ["比分直播"],
    "text": "一、总体情况",
    "text_simplified": "一、总体情况",
    "extractor_version": "1",
    "stats": [{"table": "applications", "row": "new_received", "column": "total", "value": 4, "raw": "4"}],
    "checks": [{"rule": 1, "status": "pass", "numbers": {"total": 4}}],
}


def capture(record_id: str, role: str = "detail", status: int = 200) -> dict:
    return {
        "record_id": record_id, "url": FETCHED["url"], "method": "GET",
        "fetched_at": FETCHED["fetched_at"], "status": status, "mime": "text/html",
        "payload_digest": "sha1:X", "warc_file": "a.warc.gz", "offset": 0, "length": 10,
        "record_type": "response", "source": "hanweb-county", "role": role,
    }


def test_rows_written_once_and_keyed_by_capture(tmp_path):
    path = tmp_path / "catalog.db"
    with Catalog(path) as catalog:
        catalog.add_capture(capture("<urn:uuid:aaaa>"))
        catalog.add_document(FETCHED, RECORD)
        catalog.add_document(FETCHED, RECORD)  # the same capture again replaces, never duplicates
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    (doc,) = db.execute("select * from documents").fetchall()
    assert doc["id"] == "<urn:uuid:aaaa>"
    assert doc["defaced"] == 1
    assert json.loads(doc["flags"]) == ["defaced", "year_conflict"]
    assert json.loads(doc["removed"]) == ["比分直播"]
    assert doc["column_url"] == FETCHED["column"]
    (stat,) = db.execute("select * from stats").fetchall()
    assert (stat["table_id"], stat["row_id"], stat["column_id"], stat["value"]) == (
        "applications", "new_received", "total", 4)
    (check,) = db.execute("select * from checks").fetchall()
    assert check["status"] == "pass" and json.loads(check["numbers"]) == {"total": 4}
    assert db.execute("select count(*) from captures").fetchone()[0] == 1


def test_batches_flush_before_close(tmp_path):
    path = tmp_path / "catalog.db"
    catalog = Catalog(path, batch_size=2)
    catalog.add_capture(capture("<urn:uuid:1>"))
    assert sqlite3.connect(path).execute("select count(*) from captures").fetchone()[0] == 0
    catalog.add_capture(capture("<urn:uuid:2>"))
    assert sqlite3.connect(path).execute("select count(*) from captures").fetchone()[0] == 2
    catalog.close()


def test_summary_counts_one_run(tmp_path):
    path = tmp_path / "catalog.db"
    with Catalog(path) as catalog:
        catalog.add_capture(capture("<urn:uuid:aaaa>"))
        catalog.add_capture(capture("<urn:uuid:bbbb>", role="attachment"))
        catalog.add_capture(capture("<urn:uuid:cccc>", status=404))
        catalog.add_document(FETCHED, RECORD)
    (site,) = site_summary(path, since="2026-11-22T00:00:00Z")
    assert site == {
        "source": "hanweb-county", "pages": 3, "attachments": 1, "errors": 1,
        "reports_by_year": {"2020": 1}, "other_items": 0, "spam_flagged": 1,
    }
    assert site_summary(path, since="2026-11-23T00:00:00Z") == []
    assert "hanweb-county reports by year — 2020: 1" in format_summary([site])
