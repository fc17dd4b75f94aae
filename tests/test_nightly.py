"""`nianbao nightly` over nights 0–3 of the sample web: revisits, versions, gone pages, runs,
kill -9 and resume, the lock, a full disk.

Every run is a real `nianbao nightly` process against the real sample web; the assertions read
the catalog, the WARC files (with warcio) and the run reports, and compare with the sample web's
manifest of each night.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml
from warcio.archiveiterator import ArchiveIterator

from archive.export import export
from archive.rebuild import rebuild_catalog
from archive.search import search
from sampleweb.server import SampleWeb
from sampleweb.wire import Response

TABLES = {"captures": "record_id", "documents": "id", "stats": "document_id, table_id, row_id, column_id",
          "checks": "document_id, rule", "pages": "url", "runs": "run_id"}
DOCUMENT_ROLES = ("detail", "attachment")
LIST_ROLES = ("root", "landing", "column", "list")


def free_port() -> int:
    """A port free on the sample web's first address, so two webs in turn serve the same URLs."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.11", 0))
        return sock.getsockname()[1]


def write_registry(web: SampleWeb, path: Path) -> Path:
    path.write_text(yaml.safe_dump({"sources": web.registry()}, allow_unicode=True), encoding="utf-8")
    return path


def nightly_command(registry: Path, data: Path) -> list[str]:
    return [sys.executable, "-m", "nianbao", "nightly", "--sources", str(registry), "--data", str(data), "--json"]


def nightly(registry: Path, data: Path) -> dict:
    """Run `nianbao nightly --json` to the end; its report."""
    done = subprocess.run(nightly_command(registry, data), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout)


def query(data: Path, sql: str, params: tuple = ()) -> list[tuple]:
    db = sqlite3.connect(data / "catalog.db")
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


def run_captures(data: Path, run_id: str) -> list[tuple]:
    return query(data, "select url, role, record_type, status from captures where run_id = ?", (run_id,))


def response_payload_digests(data: Path) -> Counter:
    """Payload digest → how many response records (with a payload of their own) hold it."""
    found: Counter = Counter()
    for path in sorted((data / "warc").glob("*.warc.gz")):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "response" and record.raw_stream.read():
                    found[record.rec_headers.get_header("WARC-Payload-Digest")] += 1
    return found


def warcio_check(data: Path) -> None:
    files = sorted((data / "warc").iterdir())
    assert files and all(path.name.endswith(".warc.gz") for path in files), files
    for path in files:
        check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout[-2000:]


def assert_rebuild_equals_live(data: Path, rebuilt: Path) -> None:
    rebuild_catalog(data / "warc", rebuilt)
    live, again = sqlite3.connect(data / "catalog.db"), sqlite3.connect(rebuilt)
    for table, order in TABLES.items():
        query_ = f"select * from {table} order by {order}"
        assert live.execute(query_).fetchall() == again.execute(query_).fetchall(), table


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    """Nights 0, 0 again, 1, 2 and 3 into one data directory, the web at one port throughout.

    Returns the data directory, a copy of it after the first night, the port, and per run its
    report and the manifest of its night.
    """
    root = tmp_path_factory.mktemp("nights")
    data, port = root / "data", free_port()
    runs = []
    with SampleWeb(night=0, port=port) as web:
        registry = write_registry(web, root / "registry.yaml")
        for night in (0, 0, 1, 2, 3):
            web.set_night(night)
            runs.append({"night": night, "report": nightly(registry, data), "manifest": web.manifest()})
            if len(runs) == 1:
                shutil.copytree(data, root / "after-night-0")
    return {"data": data, "after0": root / "after-night-0", "port": port, "runs": runs, "root": root}


def test_an_unchanged_night_writes_only_revisits_and_extracts_nothing(nights):
    data, (first, again, *_) = nights["data"], nights["runs"]
    before = run_captures(data, first["report"]["run_id"])
    after = run_captures(data, again["report"]["run_id"])
    documents = [row for row in after if row[1] in DOCUMENT_ROLES]
    assert documents and all(record_type == "revisit" for _, _, record_type, _ in documents)
    assert Counter(status for *_, status in documents)[304] > 200  # conditional GET answered
    # List pages are fetched again, every one of them.
    assert {url for url, role, *_ in after if role in LIST_ROLES} == {url for url, role, *_ in before if role in LIST_ROLES}
    report = again["report"]
    assert (report["new_documents"], report["changed"], report["gone"], report["defaced"]) == (0, 0, 0, 0)
    assert query(data, "select count(*) from documents d join captures c on c.record_id = d.id where c.run_id = ?",
                 (report["run_id"],)) == [(0,)]
    assert report["revisits"] == report["captures"] == len(after)


def test_revisits_name_their_originals(nights):
    data = nights["data"]
    rows = query(data, """select r.refers_to, o.record_type, o.url = r.url, r.status, o.payload_digest = r.payload_digest
                          from captures r left join captures o on o.record_id = r.refers_to
                          where r.record_type = 'revisit'""")
    assert rows
    for refers_to, original_type, same_url, status, same_digest in rows:
        assert original_type == "response", refers_to  # always the record holding the payload
        if status == 304:
            assert same_url
        else:
            assert same_digest
    warcio_check(data)


def test_new_reports_appear_as_new_documents(nights):
    data = nights["data"]
    for run in nights["runs"][2:]:
        new = run["manifest"]["changes"]["new"]
        assert new
        found = dict(query(data, f"""select d.url, d.version from documents d join captures c on c.record_id = d.id
                                     where c.run_id = ? and d.url in ({','.join('?' * len(new))})""",
                           (run["report"]["run_id"], *new)))
        assert found == {url: 1 for url in new}, run["night"]
        assert run["report"]["new_reports"] >= len(new)


def test_an_edited_report_has_two_versions_both_kept(nights):
    data, runs = nights["data"], nights["runs"]
    edited = [(run, url) for run in runs[2:] for url in run["manifest"]["changes"]["edited"]]
    assert len(edited) == 2
    for run, url in edited:
        versions = query(data, """select d.version, d.text, c.run_id from documents d join captures c on c.record_id = d.id
                                  where d.url = ? order by d.version""", (url,))
        assert [v for v, _, _ in versions] == [1, 2]
        (_, old_text, old_run), (_, new_text, new_run) = versions
        assert "更正" in new_text and "更正" not in old_text
        assert (old_run, new_run) == (runs[0]["report"]["run_id"], run["report"]["run_id"])
        assert query(data, "select versions, document_id, gone_since from pages where url = ?", (url,)) == [
            (2, query(data, "select id from documents where url = ? and version = 2", (url,))[0][0], None)]
        assert run["report"]["changed"] >= 1


def test_a_deleted_report_is_gone_with_its_date_and_stays_searchable_and_exportable(nights):
    data, runs = nights["data"], nights["runs"]
    deleting = next(run for run in runs if run["manifest"]["changes"]["deleted"])
    (url,) = deleting["manifest"]["changes"]["deleted"]
    (gone_since, last_seen, reason, status, document_id), = query(
        data, "select gone_since, last_seen, gone_reason, status, document_id from pages where url = ?", (url,))
    assert (reason, status) == ("deleted", 404)
    first_gone = query(data, "select min(fetched_at) from captures where url = ? and run_id = ?",
                       (url, deleting["report"]["run_id"]))[0][0]
    previous = runs[runs.index(deleting) - 1]["report"]["run_id"]
    assert gone_since == first_gone
    assert last_seen == query(data, "select max(fetched_at) from captures where url = ? and run_id = ?", (url, previous))[0][0]
    assert deleting["report"]["gone"] == 1
    # Still gone on the next night, since the same date; the document is never removed.
    assert runs[-1]["report"]["gone"] == 0
    (title, doc_status), = query(data, "select title, status from documents where id = ?", (document_id,))
    assert doc_status == 200 and title
    assert url in {row["url"] for row in search(data / "catalog.db", title, limit=50)}
    out = io.BytesIO()
    export(data / "catalog.db", out, "jsonl")
    assert url in {json.loads(line)["url"] for line in out.getvalue().decode().splitlines()}


def test_the_defacement_is_flagged_and_its_cleanup_recorded(nights):
    data, runs = nights["data"], nights["runs"]
    defacing = next(run for run in runs if run["manifest"]["changes"]["defaced"])
    cleaning = next(run for run in runs if run["manifest"]["changes"]["cleaned"])
    (url,) = defacing["manifest"]["changes"]["defaced"]
    assert cleaning["manifest"]["changes"]["cleaned"] == [url]
    versions = query(data, """select d.version, d.defaced, d.flags, c.run_id, c.record_type from documents d
                              join captures c on c.record_id = d.id where d.url = ? order by d.version""", (url,))
    assert [(v, defaced, run_id) for v, defaced, _, run_id, _ in versions] == [
        (1, 0, runs[0]["report"]["run_id"]), (2, 1, defacing["report"]["run_id"]), (3, 0, cleaning["report"]["run_id"])]
    assert "defaced" in json.loads(versions[1][2]) and "defaced" not in json.loads(versions[2][2])
    # The cleaned page is the first version's payload again: kept once, referred to.
    assert versions[2][4] == "revisit"
    assert (defacing["report"]["defaced"], cleaning["report"]["cleaned"]) == (1, 1)
    assert query(data, "select document_id from pages where url = ?", (url,)) == [
        (query(data, "select id from documents where url = ? and version = 3", (url,))[0][0],)]


def test_runs_are_kept_in_the_catalog_and_as_json(nights):
    data, runs = nights["data"], nights["runs"]
    rows = query(data, "select run_id, finish_reason, new_documents, captures from runs order by started")
    assert rows == [(r["report"]["run_id"], "finished", r["report"]["new_documents"], r["report"]["captures"])
                    for r in runs]
    for run in runs:
        assert json.loads((data / "runs" / f"{run['report']['run_id']}.json").read_text()) == run["report"]
    assert not (data / "state" / "run.json").exists()


def test_carry_over_is_checked_across_reports(nights):
    data, manifest = nights["data"], nights["runs"][-1]["manifest"]
    rows = dict(query(data, "select d.url, k.status from checks k join documents d on d.id = k.document_id where k.rule = 5"))
    assert len(rows) > 50
    planted = [doc["url"] for doc in manifest["documents"] if 5 in doc["violations"]]
    assert planted and all(rows[url] == "fail" for url in planted)
    # Only current versions of template reports are checked.
    stale = query(data, """select count(*) from checks k join documents d on d.id = k.document_id
                           left join pages p on p.document_id = d.id
                           where k.rule = 5 and (p.url is null or d.template not in ('2019', '2021'))""")
    assert stale == [(0,)]


def test_the_catalog_rebuilt_from_warc_equals_the_live_one_after_several_nights(nights, tmp_path):
    assert_rebuild_equals_live(nights["data"], tmp_path / "rebuilt.db")


def comparable(data: Path) -> dict[str, Counter]:
    """Catalog rows without record ids and times."""
    return {
        "captures": Counter(query(data, "select url, status, payload_digest from captures")),
        "documents": Counter(query(data, """select url, status, title, agency, report_year, publish_date, doc_type,
                                            template, defaced, version from documents""")),
        "pages": Counter(query(data, "select url, versions, gone_reason, status from pages")),
        "checks": Counter(query(data, "select d.url, k.rule, k.status from checks k join documents d on d.id = k.document_id")),
    }


class FaultsHeldWeb(SampleWeb):
    """The sample web, holding every request for a URL whose answer depends on how often it
    was asked (its one-shot faults: odd-numbered requests fail) until ``released`` is set; a
    held request is answered to nobody and not counted.

    A crawl killed while such a request is on its way or its answer not yet on disk leaves the
    fault counted and nothing archived: the resumed run then meets the other answer, and its
    archive rightly differs from the uninterrupted run's.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.counted: set[str] = set()
        self.held = threading.Event()
        self.released = threading.Event()

    def start(self) -> None:
        super().start()
        faults = self.manifest()["faults"]
        self.counted = set(faults["flaky_500"] + faults["retry_after"])

    def handle(self, site, request):
        if not self.released.is_set() and self.web.sites[site].url(request.target) in self.counted:
            self.held.set()
            self.released.wait()
            return Response(status=503, body=b"")
        return super().handle(site, request)

    def kill_run(self, command: list[str], data: Path, written: int, timeout: float = 120) -> None:
        """Start ``command`` and kill it, with all its processes, once its open WARC files hold
        ``written`` bytes or it asks for a fault's URL (held until after the kill); a second
        nightly on ``data`` is refused while it runs."""
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and proc.poll() is None and not self.held.wait(0.05):
                if _open_bytes(data) > written:
                    break
            assert proc.poll() is None, "the run ended before it could be killed"
            second = subprocess.run(command, capture_output=True, text=True, timeout=60)
            assert second.returncode == 1 and "another nightly run" in second.stderr
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        finally:
            self.released.set()


def _open_bytes(data: Path) -> int:
    total = 0
    for path in data.glob("warc/*.open"):
        try:
            total += path.stat().st_size
        except FileNotFoundError:  # closed (renamed) since the listing
            pass
    return total


def test_kill_9_then_resume_gives_what_an_uninterrupted_run_gives(nights, tmp_path):
    data = tmp_path / "data"
    with FaultsHeldWeb(night=0, port=nights["port"], latency=0.03) as web:
        registry = write_registry(web, tmp_path / "registry.yaml")
        web.kill_run(nightly_command(registry, data), data, written=400_000)
        state = json.loads((data / "state" / "run.json").read_text())
        digests = sqlite3.connect(data / "state" / "digests.db")
        assert digests.execute("select count(*) from digests").fetchone() == (0,)  # the killed run committed none
        digests.close()
        report = nightly(registry, data)
    assert report["run_id"] == state["run_id"] and report["attempts"] == 2
    warcio_check(data)
    reference = nights["after0"]
    assert comparable(data) == comparable(reference)
    assert set(response_payload_digests(data)) == set(response_payload_digests(reference))
    assert max(response_payload_digests(data).values()) == 1  # no payload stored twice
    reference_index = sqlite3.connect(reference / "state" / "digests.db")
    resumed_index = sqlite3.connect(data / "state" / "digests.db")
    assert {d for (d,) in resumed_index.execute("select digest from digests")} == {
        d for (d,) in reference_index.execute("select digest from digests")}
    assert_rebuild_equals_live(data, tmp_path / "rebuilt.db")


def can_mount_tmpfs() -> bool:
    probe = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
                            "mount -t tmpfs -o size=64k tmpfs /mnt"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(shutil.which("unshare") is None or not can_mount_tmpfs(),
                    reason="needs unprivileged user and mount namespaces for a small tmpfs")
def test_a_full_disk_stops_the_run_cleanly_and_the_next_run_finishes_it(tmp_path):
    """The data directory is a 1.5 MB tmpfs (in a mount namespace of the run's own): the run
    stops with reason disk_full, leaving whole WARC files and a sound catalog; copied to a disk
    with room, the next run resumes and finishes."""
    mount, kept = tmp_path / "mount", tmp_path / "kept"
    mount.mkdir()
    kept.mkdir()
    with SampleWeb(night=0, port=0) as web:
        registry = write_registry(web, tmp_path / "registry.yaml")
        script = ('mount -t tmpfs -o size=1536k tmpfs "$0" && "$1" -m nianbao nightly --sources "$2" --data "$0/data"'
                  ' --json > "$3/report.json" 2> "$3/stderr"; echo $? > "$3/rc"; cp -a "$0/data" "$3/data"')
        subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script,
                        str(mount), sys.executable, str(registry), str(kept)], check=True, timeout=600)
        assert (kept / "rc").read_text().strip() == "1", (kept / "stderr").read_text()[-3000:]
        report = json.loads((kept / "report.json").read_text())
        assert report["finish_reason"] == "disk_full"
        data = kept / "data"
        warcio_check(data)  # closed, whole
        db = sqlite3.connect(data / "catalog.db")
        assert db.execute("pragma integrity_check").fetchone() == ("ok",)
        db.close()
        assert json.loads((data / "state" / "run.json").read_text())["run_id"] == report["run_id"]
        resumed = nightly(registry, data)
    assert (resumed["run_id"], resumed["finish_reason"]) == (report["run_id"], "finished")
    assert resumed["captures"] > report["captures"]
    assert max(response_payload_digests(data).values()) == 1
    assert_rebuild_equals_live(data, tmp_path / "rebuilt.db")
