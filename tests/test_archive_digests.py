"""The digest index: lookups within a run, commits only of what a finished run wrote."""

from __future__ import annotations

from archive.catalog import Catalog
from archive.digests import EMPTY, DigestIndex, run_originals
from archive.records import Original


def original(n: int, digest: str) -> Original:
    return Original(f"<urn:uuid:{n}>", f"http://127.0.0.1:9/{n}.html", f"2026-03-24T02:00:0{n}.000000Z", digest)


def test_a_payload_is_original_once_per_run_and_across_runs_once_committed(tmp_path):
    path = tmp_path / "state" / "digests.db"
    index = DigestIndex(path)
    assert index.original(original(1, "sha1:A")) is None  # first seen: this record holds it
    assert index.original(original(2, "sha1:A")) == original(1, "sha1:A")
    assert index.original(original(3, EMPTY)) is None and index.original(original(4, EMPTY)) is None
    index.close()

    uncommitted = DigestIndex(path)  # the run did not finish: nothing was kept
    assert len(uncommitted) == 0 and uncommitted.original(original(5, "sha1:A")) is None
    assert uncommitted.commit([original(5, "sha1:A"), original(6, "sha1:A"), original(7, "sha1:B")]) == 2
    uncommitted.close()

    later = DigestIndex(path)
    assert later.original(original(8, "sha1:A")) == original(5, "sha1:A")
    later.remember([original(9, "sha1:C")])  # a resumed run's earlier part
    assert later.original(original(10, "sha1:C")) == original(9, "sha1:C")
    later.close()


def test_run_originals_are_the_runs_whole_responses(tmp_path):
    with Catalog(tmp_path / "catalog.db") as catalog:
        for record_id, kind, digest, run_id, truncated in [
            ("<a>", "response", "sha1:A", "R1", None),
            ("<b>", "revisit", "sha1:A", "R1", None),
            ("<c>", "response", "sha1:C", "R1", "disconnect"),
            ("<d>", "response", EMPTY, "R1", None),
            ("<e>", "response", "sha1:E", "R2", None),
        ]:
            catalog.add_capture({"record_id": record_id, "url": "http://x/" + record_id, "record_type": kind,
                                 "payload_digest": digest, "run_id": run_id, "truncated": truncated,
                                 "fetched_at": "2026-03-24T02:00:00Z", "status": 200})
        catalog.flush()
        found = list(run_originals(catalog.db, "R1"))
    assert found == [Original("<a>", "http://x/<a>", "2026-03-24T02:00:00Z", "sha1:A")]
