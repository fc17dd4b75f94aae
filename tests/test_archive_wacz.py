"""WACZ packages: what ``wacz validate`` accepts, and an index pywb and ReplayWeb.page can read."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import archive.wacz
from archive.cdxj import index_entries
from archive.records import Exchange, HttpRequest, HttpResponse, new_record_id
from archive.wacz import write_wacz
from archive.warc import RotatingWarcWriter

T0 = datetime(2026, 3, 24, 2, 0, tzinfo=timezone.utc)
SITE = "http://127.0.0.12:8802"


@pytest.fixture
def warcs(tmp_path: Path) -> list[Path]:
    """Two files: twelve pages, and a failure."""
    writer = RotatingWarcWriter(tmp_path / "warc", max_size=4000)
    for n in range(12):
        writer.write_exchange(Exchange(
            url=f"{SITE}/zfxxgknb/t{n}.htm", method="GET", date=T0 + timedelta(seconds=n),
            ids=(new_record_id(), new_record_id(), new_record_id()), provenance={"role": "detail"},
            request=HttpRequest(b"GET / HTTP/1.1\r\n\r\n"),
            response=HttpResponse("HTTP/1.1", 200, [(b"Content-Type", b"text/html")], f"<p>年报 {n}</p>".encode()),
        ))
    writer.write_exchange(Exchange(url=f"{SITE}/down.htm", method="GET", date=T0 + timedelta(minutes=1),
                                   ids=(new_record_id(), new_record_id(), new_record_id()), error="timeout"))
    writer.close()
    assert len(writer.closed_files) > 1
    return writer.closed_files


def test_wacz_passes_wacz_validate_with_a_block_index_of_every_answer(warcs, tmp_path, monkeypatch):
    monkeypatch.setattr(archive.wacz, "INDEX_BLOCK_LINES", 5)
    entries = [entry for path in warcs for entry in index_entries(path)]
    pages = [{"id": "p0", "url": f"{SITE}/zfxxgknb/t0.htm", "ts": "2026-03-24T02:00:00Z", "title": "年报 0"}]
    path = write_wacz(tmp_path / "a.wacz", warcs, entries, pages, title="test")
    result = subprocess.run([sys.executable, "-m", "wacz", "validate", "-f", str(path)], capture_output=True, text=True)
    assert result.returncode == 0 and "the passed WACZ is valid" in result.stdout, result.stdout
    assert not list(tmp_path.glob("*.partial"))

    with zipfile.ZipFile(path) as wacz:
        blocks = wacz.read("indexes/index.cdx.gz")
        idx = wacz.read("indexes/index.idx").decode().splitlines()
        listed = wacz.read("pages/pages.jsonl").decode().splitlines()
    meta, *block_lines = idx
    assert json.loads(meta.split(" ", 2)[2]) == {"format": "cdxj-gzip-1.0", "filename": "index.cdx.gz"}
    lines = []
    for line in block_lines:  # each block is found by offset and length alone, as a reader seeks it
        key, where = line.split(" {", 1)
        where = json.loads("{" + where)
        block = gzip.decompress(blocks[where["offset"]:where["offset"] + where["length"]]).decode().splitlines()
        assert block[0].startswith(key + " ")
        lines += block
    assert len(block_lines) == 3 and len(lines) == 12  # the failure has no place in a replay index
    assert lines == sorted(lines)
    assert [json.loads(line) for line in listed] == [{"format": "json-pages-1.0", "id": "pages", "title": "Documents"}, *pages]
