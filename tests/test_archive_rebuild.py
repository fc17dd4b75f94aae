"""Rebuild as of a moment: only records dated at or before it make the catalog.

The WARC files are written by the crawler's own writer (``RotatingWarcWriter``) with exchanges
dated in the past, so the rebuild reads real records; the catalogs are real SQLite files.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from archive.rebuild import rebuild_catalog
from archive.records import Exchange, HttpRequest, HttpResponse, new_record_id
from archive.warc import RotatingWarcWriter

T0 = datetime(2026, 3, 24, 2, 0, 0, 123456, tzinfo=timezone.utc)
REPORT = "<html><head><title>{title}</title></head><body><h1>{title}</h1><p>一、总体情况</p><p>{text}</p></body></html>"
URL = "http://127.0.0.1:9/xxgk/ndbg/2025/report.html"


def exchange(url: str, date: datetime, title: str, text: str, role: str = "detail") -> Exchange:
    body = REPORT.format(title=title, text=text).encode("utf-8")
    return Exchange(
        url=url, method="GET", date=date, ids=(new_record_id(), new_record_id(), new_record_id()),
        provenance={"source": "t", "role": role, "agency": "凉州区教育局", "region_code": "620602"},
        request=HttpRequest(head=b"GET /x HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n"),
        response=HttpResponse("HTTP/1.1", 200, [(b"Content-Type", b"text/html; charset=utf-8")], body),
    )


@pytest.fixture
def warc_dir(tmp_path: Path) -> Path:
    """Two files: the first night's report, then its edit and a second report a day later."""
    directory = tmp_path / "warc"
    title = "凉州区教育局2025年政府信息公开工作年度报告"
    for exchanges in (
        [exchange(URL, T0, title, "本局主动公开信息120条。")],
        [exchange(URL, T0 + timedelta(days=1), title, "本局主动公开信息121条。（更正）"),
         exchange(URL.replace("report", "other"), T0 + timedelta(days=1, seconds=5), title, "其他。")],
    ):
        writer = RotatingWarcWriter(directory)
        for item in exchanges:
            writer.write_exchange(item)
        writer.close()
    return directory


def rows(path: Path, sql: str) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        return sorted(db.execute(sql))
    finally:
        db.close()


def test_as_of_keeps_only_records_at_or_before_it(warc_dir: Path, tmp_path: Path):
    everything = rebuild_catalog(warc_dir, tmp_path / "all.db")
    first_night = rebuild_catalog(warc_dir, tmp_path / "night0.db", as_of=T0 + timedelta(hours=1))
    assert (everything.captures, everything.documents) == (3, 3)
    assert (first_night.files, first_night.captures, first_night.documents) == (2, 1, 1)
    captures = rows(tmp_path / "night0.db", "select url, fetched_at from captures")
    assert captures == [(URL, "2026-03-24T02:00:00.123456Z")]
    texts = rows(tmp_path / "night0.db", "select text from documents")
    assert len(texts) == 1 and "120条" in texts[0][0]


def test_as_of_is_inclusive_to_the_microsecond(warc_dir: Path, tmp_path: Path):
    at = rebuild_catalog(warc_dir, tmp_path / "at.db", as_of=T0)
    before = rebuild_catalog(warc_dir, tmp_path / "before.db", as_of=T0 - timedelta(microseconds=1))
    assert (at.captures, before.captures) == (1, 0)


def test_rows_as_of_a_moment_are_the_full_rebuilds_rows_of_that_moment(warc_dir: Path, tmp_path: Path):
    rebuild_catalog(warc_dir, tmp_path / "all.db")
    as_of = T0 + timedelta(days=1, seconds=1)
    rebuild_catalog(warc_dir, tmp_path / "partial.db", as_of=as_of)
    stamp = as_of.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    for table, key in (("captures", "record_id"), ("documents", "id"), ("stats", "document_id"), ("checks", "document_id")):
        expected = rows(tmp_path / "all.db", f"select t.* from {table} t join captures c on c.record_id = t.{key} "
                                               f"where c.fetched_at <= '{stamp}'")
        assert rows(tmp_path / "partial.db", f"select * from {table}") == expected
    assert len(rows(tmp_path / "partial.db", "select * from captures")) == 2
