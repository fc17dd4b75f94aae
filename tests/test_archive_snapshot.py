"""Snapshots: the archive as it stood after each night of the sample web, from WARC alone.

The sample web is crawled night by night (nights 0–3) into one data directory by real
``nianbao`` processes; after each night the live catalog is copied. ``nianbao snapshot`` as
of each of those moments must give that catalog back, row for row, from the WARC files alone,
with a WACZ that ``wacz validate`` accepts and a directory the researcher commands can read.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from datetime import timedelta, timezone
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.asof import parse_as_of, warc_datetime
from archive.serve import archive_path, build_datasette
from archive.snapshot import make_snapshot
from sampleweb.server import SampleWeb
from nightcrawl import Night, crawl_nights, nianbao, table_differences

NIGHTS = range(4)
CHINA = timezone(timedelta(hours=8))


def when(night: Night) -> str:
    """WHEN for each night, written a different way each time: the last night as a bare date
    (the end of that day in UTC, after every night was crawled)."""
    return {
        0: night.after.isoformat(),
        1: night.after.astimezone(CHINA).isoformat(),
        2: night.after.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        3: night.after.date().isoformat(),
    }[night.night]


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> tuple[Path, list[Night]]:
    root = tmp_path_factory.mktemp("nights")
    with SampleWeb(night=0, port=0) as web:
        nights = crawl_nights(web, root, NIGHTS)
    return root / "data", nights


@pytest.fixture(scope="module")
def snapshots(archive, tmp_path_factory) -> dict[int, Path]:
    data, nights = archive
    root = tmp_path_factory.mktemp("snapshots")
    made = {}
    for night in nights:
        out = root / f"night{night.night}"
        result = nianbao("snapshot", "--as-of", when(night), "--out", str(out), "--data", str(data))
        assert result.returncode == 0, result.stderr[-3000:]
        assert f"in {out}" in result.stdout
        made[night.night] = out
    return made


def records(path: Path):
    with path.open("rb") as fh:
        yield from ArchiveIterator(fh)


def rows(catalog: Path, sql: str) -> list[sqlite3.Row]:
    db = sqlite3.connect(catalog)
    db.row_factory = sqlite3.Row
    try:
        return list(db.execute(sql))
    finally:
        db.close()


@pytest.mark.parametrize("night", NIGHTS)
def test_snapshot_as_of_each_night_equals_the_catalog_after_that_night(archive, snapshots, night):
    _, nights = archive
    assert table_differences(nights[night].catalog, snapshots[night] / "catalog.db") == {}


@pytest.mark.parametrize("night", NIGHTS)
def test_snapshot_warc_holds_every_record_up_to_as_of_and_none_after(archive, snapshots, night):
    data, nights = archive
    as_of = parse_as_of(when(nights[night]))
    kept = sorted((snapshots[night] / "warc").iterdir())
    assert kept
    for path in kept:  # no run was under way at as-of: whole files, linked rather than copied
        assert os.path.samefile(path, data / "warc" / path.name)
        assert all(warc_datetime(r.rec_headers.get_header("WARC-Date")) <= as_of for r in records(path))
    later = [path for path in (data / "warc").iterdir() if path.name not in {p.name for p in kept}]
    assert bool(later) == (night < 3)
    assert all(warc_datetime(r.rec_headers.get_header("WARC-Date")) > as_of
               for path in later for r in records(path) if r.rec_type != "warcinfo")


@pytest.mark.parametrize("night", NIGHTS)
def test_snapshot_wacz_passes_wacz_validate(snapshots, night):
    result = subprocess.run([sys.executable, "-m", "wacz", "validate", "-f", str(snapshots[night] / "archive.wacz")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "the passed WACZ is valid" in result.stdout


def test_snapshot_wacz_holds_the_warc_files_their_index_and_the_documents_as_pages(archive, snapshots):
    _, nights = archive
    snapshot = snapshots[1]
    as_of = parse_as_of(when(nights[1]))
    with zipfile.ZipFile(snapshot / "archive.wacz") as wacz:
        names = set(wacz.namelist())
        warcs = sorted(name for name in names if name.startswith("archive/"))
        assert warcs == sorted(f"archive/{path.name}" for path in (snapshot / "warc").iterdir())
        for name in warcs:
            assert wacz.getinfo(name).compress_type == zipfile.ZIP_STORED
            assert wacz.read(name) == (snapshot / "warc" / name.removeprefix("archive/")).read_bytes()
        index = gzip.decompress(wacz.read("indexes/index.cdx.gz")).decode("utf-8").splitlines()
        blocks = wacz.read("indexes/index.idx").decode("utf-8").splitlines()
        pages = [json.loads(line) for line in wacz.read("pages/pages.jsonl").decode("utf-8").splitlines()]
        package = json.loads(wacz.read("datapackage.json"))
    assert package["wacz_version"] == "1.1.1"
    assert {resource["path"] for resource in package["resources"]} == names - {"datapackage.json", "datapackage-digest.json"}
    assert blocks[0].startswith("!meta 0 ") and len(blocks) == 1 + -(-len(index) // 1024)

    assert index == sorted(index)
    entries = {}
    for line in index:
        key, timestamp, fields = line.split(" ", 2)
        fields = json.loads(fields)
        entries[(fields["filename"], int(fields["offset"]))] = (key, timestamp, fields)
    catalog = snapshot / "catalog.db"
    captures = rows(catalog, "select * from captures where record_type in ('response', 'revisit')")
    assert len(entries) == len(index) == len(captures)
    for row in captures:
        key, timestamp, fields = entries[(row["warc_file"], row["offset"])]
        assert (fields["url"], int(fields["length"]), fields["digest"]) == (row["url"], row["length"], row["payload_digest"])
        assert timestamp == warc_datetime(row["fetched_at"]).strftime("%Y%m%d%H%M%S")
        if row["method"] == "POST":  # Hanweb's list pages: found by their form body, as pywb looks them up
            assert "__wb_method=post&" in key and "columnid=" in fields["requestBody"]
    assert any(row["method"] == "POST" for row in captures)

    header, *documents = pages
    assert header["format"] == "json-pages-1.0"
    expected = {row["url"] for row in rows(catalog, "select url from documents")}
    assert sorted(page["url"] for page in documents) == sorted(expected)
    latest = {}
    for row in captures:
        if row["url"] in expected:
            latest[row["url"]] = max(latest.get(row["url"], row["fetched_at"]), row["fetched_at"], key=warc_datetime)
    for page in documents:
        assert page["ts"] == latest[page["url"]] and warc_datetime(page["ts"]) <= as_of
        assert page["title"] and page["id"]


def test_snapshot_directory_is_a_data_directory_for_search_export_and_verify(archive, snapshots):
    snapshot = snapshots[0]
    documents = {row["id"]: row for row in rows(snapshot / "catalog.db", "select id, url, report_year from documents")}
    found = nianbao("search", "--data", str(snapshot), "--json", "--limit", "500", "政府信息公开工作年度报告")
    assert found.returncode == 0, found.stderr[-2000:]
    results = json.loads(found.stdout)
    assert results and all(result["id"] in documents for result in results)
    exported = nianbao("export", "--data", str(snapshot), "--format", "jsonl")
    assert exported.returncode == 0, exported.stderr[-2000:]
    assert sorted(json.loads(line)["id"] for line in exported.stdout.splitlines()) == sorted(documents)
    verified = nianbao("verify", "--data", str(snapshot))
    assert verified.returncode == 0, verified.stdout[-2000:] + verified.stderr[-2000:]
    assert "no problems" in verified.stderr
    served = build_datasette(snapshot)  # what `nianbao serve --data` runs: each document's archived page
    document = next(iter(documents.values()))
    page = asyncio.run(served.client.get(archive_path(served, document["id"])))
    assert page.status_code == 200 and page.headers["link"].endswith('>; rel="original"')


def test_snapshot_in_the_middle_of_a_night_ends_that_nights_file_at_its_last_record_then(archive, tmp_path):
    data, nights = archive
    first = {row["record_id"] for row in rows(nights[0].catalog, "select record_id from captures")}
    second = sorted((row for row in rows(nights[1].catalog, "select * from captures") if row["record_id"] not in first),
                    key=lambda row: warc_datetime(row["fetched_at"]))
    middle = second[len(second) // 2]
    as_of = warc_datetime(middle["fetched_at"])
    made = make_snapshot(data, tmp_path / "mid", as_of)
    cut = tmp_path / "mid" / "warc" / middle["warc_file"]
    whole = (data / "warc" / cut.name).read_bytes()
    assert 0 < cut.stat().st_size < len(whole) and whole.startswith(cut.read_bytes())
    assert all(warc_datetime(r.rec_headers.get_header("WARC-Date")) <= as_of
               for r in records(cut) if r.rec_type != "warcinfo")

    expected = sorted(tuple(row) for row in rows(nights[1].catalog, "select * from captures")
                      if warc_datetime(row["fetched_at"]) <= as_of)
    assert sorted(tuple(row) for row in rows(made.path / "catalog.db", "select * from captures")) == expected
    assert made.captures == len(expected) < len(second) + len(first)
    verified = nianbao("verify", "--data", str(made.path))
    assert verified.returncode == 0, verified.stdout[-2000:]
    valid = subprocess.run([sys.executable, "-m", "wacz", "validate", "-f", str(made.path / "archive.wacz")],
                           capture_output=True, text=True)
    assert valid.returncode == 0, valid.stdout[-2000:]


def test_snapshot_refuses_a_directory_in_use_and_a_moment_before_the_archive(archive, tmp_path):
    data, _ = archive
    used = tmp_path / "used"
    used.mkdir()
    (used / "notes.txt").write_text("mine")
    refused = nianbao("snapshot", "--as-of", "2026-03-24", "--out", str(used), "--data", str(data))
    assert refused.returncode != 0 and "not an empty directory" in refused.stderr
    assert (used / "notes.txt").read_text() == "mine"
    early = nianbao("snapshot", "--as-of", "2000-01-01", "--out", str(tmp_path / "early"), "--data", str(data))
    assert early.returncode != 0 and "nothing was captured at or before 2000-01-01T23:59:59.999999+00:00" in early.stderr
    assert not (tmp_path / "early").exists() and not list(tmp_path.glob(".early*"))
    garbled = nianbao("snapshot", "--as-of", "last tuesday", "--out", str(tmp_path / "g"), "--data", str(data))
    assert garbled.returncode == 2 and "not a date" in garbled.stderr
    nowhere = nianbao("snapshot", "--as-of", "2026-03-24", "--out", str(tmp_path / "n"), "--data", str(tmp_path))
    assert nowhere.returncode != 0 and "no WARC directory" in nowhere.stderr
