"""End to end: `nianbao crawl` over the sample web (night 0) into WARC and the catalog.

The crawl runs as a real process against the real sample web; every assertion reads the
WARC files back with warcio and compares with the sample web's manifest or with what the
server sends when asked directly.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import signal
import sqlite3
import subprocess
import sys
import time
from base64 import b32encode
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from warcio.archiveiterator import ArchiveIterator

from archive.rebuild import rebuild_catalog
from archive.warc import repair

CATALOG_TABLES = {"captures": "record_id", "documents": "id", "stats": "document_id, table_id, row_id, column_id",
                  "checks": "document_id, rule", "pages": "url", "runs": "run_id"}


def write_registry(web, path: Path) -> Path:
    path.write_text(yaml.safe_dump({"sources": web.registry()}, allow_unicode=True), encoding="utf-8")
    return path


def nianbao(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "nianbao", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, **kwargs)


@pytest.fixture(scope="module")
def crawl(sample_web, tmp_path_factory):
    """One finished crawl of the whole sample web: (data dir, manifest, registry entries)."""
    data = tmp_path_factory.mktemp("crawl")
    registry = write_registry(sample_web, data / "registry.yaml")
    proc = nianbao("crawl", "--sources", str(registry), "--data", str(data / "out"), "--json")
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err.decode()[-3000:]
    return data / "out", sample_web.manifest(), sample_web.registry()


def records(path: Path):
    with path.open("rb") as fh:
        iterator = ArchiveIterator(fh)
        for record in iterator:
            payload = record.raw_stream.read()
            yield record, payload


def captures(data: Path) -> list[dict]:
    db = sqlite3.connect(data / "catalog.db")
    db.row_factory = sqlite3.Row
    return [dict(row) for row in db.execute("select * from captures")]


def response_records(data: Path) -> dict[str, list]:
    """URL → [(record, raw payload bytes)] of every response record."""
    found: dict[str, list] = {}
    for path in sorted((data / "warc").glob("*.warc.gz")):
        for record, payload in records(path):
            if record.rec_type == "response":
                found.setdefault(record.rec_headers.get_header("WARC-Target-URI"), []).append((record, payload))
    return found


def test_every_report_of_the_manifest_is_in_the_catalog(crawl):
    data, manifest, _ = crawl
    db = sqlite3.connect(data / "catalog.db")
    urls = {url for (url,) in db.execute("select url from documents")}
    in_scope = {site["name"] for site in manifest["sites"] if site["in_scope"]}
    live = [doc for doc in manifest["documents"] if doc["status"] == "live" and doc["site"] in in_scope
            and doc["robots"] == "allowed"]  # robots.txt keeps the others out (test_robots_txt_is_captured_and_obeyed)
    assert live
    missing = [doc["url"] for doc in live if doc["url"] not in urls]
    assert missing == []
    captured = {row["url"] for row in captures(data)}
    attachments = [a["url"] for doc in live for a in doc["attachments"] if a["robots"] == "allowed"]
    assert attachments and [url for url in attachments if url not in captured] == []
    gone = [doc["url"] for doc in manifest["documents"] if doc["status"] == "deleted"]
    statuses = dict(db.execute("select url, status from documents"))
    assert gone and all(statuses.get(url) == 404 for url in gone)


def test_every_warc_file_passes_warcio_check_and_reads_back(crawl):
    data, _, _ = crawl
    files = sorted((data / "warc").glob("*"))
    assert files and all(path.name.endswith(".warc.gz") for path in files), files
    for path in files:
        check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", "-v", str(path)],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stdout[-2000:]
        types = [record.rec_type for record, _ in records(path)]
        assert types[0] == "warcinfo"
        assert {"request", "response", "metadata"} <= set(types)


def test_every_capture_reads_back_from_its_offset_with_its_digest(crawl):
    data, _, _ = crawl
    rows = captures(data)
    assert rows
    for row in rows:
        with (data / "warc" / row["warc_file"]).open("rb") as fh:
            fh.seek(row["offset"])
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_headers.get_header("WARC-Record-ID") == row["record_id"]
            payload = record.raw_stream.read()
        if row["record_type"] == "response":
            digest = "sha1:" + b32encode(hashlib.sha1(payload).digest()).decode()
            assert row["payload_digest"] == digest == record.rec_headers.get_header("WARC-Payload-Digest")


def test_gzip_pages_keep_their_content_encoding_and_compressed_payload(crawl):
    data, manifest, _ = crawl
    found = response_records(data)
    gzip_urls = [url for url in manifest["faults"]["gzip"] if url in found]
    assert gzip_urls
    for url in gzip_urls:
        (record, payload), *_ = found[url]
        assert record.http_headers.get_header("Content-Encoding") == "gzip"
        assert payload[:2] == b"\x1f\x8b"
        assert record.http_headers.get_header("Transfer-Encoding") is None


def test_chunked_responses_are_recorded_with_a_true_length(crawl):
    data, manifest, _ = crawl
    found = response_records(data)
    chunked = [url for url in manifest["faults"]["chunked"] if url in found]
    assert chunked
    for url in chunked:
        (record, payload), *_ = found[url]
        assert record.http_headers.get_header("Transfer-Encoding") is None
        assert int(record.http_headers.get_header("Content-Length")) == len(payload)


def test_gbk_content_disposition_bytes_survive(crawl):
    data, manifest, _ = crawl
    found = response_records(data)
    for url in manifest["faults"]["gbk_content_disposition"]:
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        conn.request("GET", f"{parts.path}?{parts.query}")
        sent = conn.getresponse()
        # http.client decodes header bytes as latin-1: encoding back gives the wire bytes.
        wire = sent.getheader("Content-Disposition").encode("latin-1")
        conn.close()
        assert any(byte > 0x7F for byte in wire)
        (record, _), *_ = found[url]
        assert record.http_headers.get_header("Content-Disposition").encode("latin-1") == wire


def test_robots_txt_is_captured_and_obeyed(crawl):
    data, manifest, registry = crawl
    fetched = {row["url"] for row in captures(data)}
    roots = {f"http://{entry['hosts'][0]}/robots.txt" for entry in registry}
    assert roots <= fetched
    disallowed = manifest["faults"]["robots_disallowed"]
    assert disallowed and not set(disallowed) & fetched


def test_no_request_leaves_the_registry_hosts(crawl):
    data, manifest, registry = crawl
    hosts = {host for entry in registry for host in entry["hosts"]}
    seen = {urlsplit(row["url"]).netloc for row in captures(data)}
    assert seen <= hosts
    assert not {urlsplit(url).netloc for url in manifest["faults"]["mirror"]} & seen


def test_redirect_hops_retries_and_errors_are_each_captured(crawl):
    data, manifest, _ = crawl
    found = response_records(data)
    (chain,) = manifest["faults"]["redirect_chain"][:1]
    for hop in chain[:-1]:
        assert int(found[hop][0][0].http_headers.get_statuscode()) in (301, 302)
    assert chain[-1] in found
    for url in manifest["faults"]["flaky_500"]:
        statuses = [int(record.http_headers.get_statuscode()) for record, _ in found[url]]
        assert 500 in statuses and 200 in statuses


def test_catalog_rebuilt_from_warc_equals_the_live_catalog(crawl, tmp_path):
    data, _, _ = crawl
    rebuilt = tmp_path / "rebuilt.db"
    rebuild_catalog(data / "warc", rebuilt)
    live, again = sqlite3.connect(data / "catalog.db"), sqlite3.connect(rebuilt)
    for table, order in CATALOG_TABLES.items():
        query = f"select * from {table} order by {order}"
        assert live.execute(query).fetchall() == again.execute(query).fetchall(), table


def test_killing_the_crawl_leaves_only_whole_records(tmp_path):
    from sampleweb.server import SampleWeb

    with SampleWeb(night=0, port=0, latency=0.05) as web:
        registry = write_registry(web, tmp_path / "registry.yaml")
        proc = nianbao("crawl", "--sources", str(registry), "--data", str(tmp_path / "out"),
                       start_new_session=True)
        warc_dir = tmp_path / "out" / "warc"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            open_files = list(warc_dir.glob("*.open")) if warc_dir.exists() else []
            if open_files and open_files[0].stat().st_size > 200_000:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the crawl ended before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    (left,) = list(warc_dir.glob("*.open"))
    repaired = repair(left)
    assert repaired is not None and repaired.name.endswith(".warc.gz")
    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", str(repaired)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout[-2000:]
    assert sum(1 for _ in records(repaired)) > 10


def test_every_capture_belongs_to_a_source(crawl):
    data, _, registry = crawl
    owners = {host: entry["name"] for entry in registry for host in entry["hosts"]}
    for row in captures(data):
        assert row["source"] == owners[urlsplit(row["url"]).netloc], row["url"]
