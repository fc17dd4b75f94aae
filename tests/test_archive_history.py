"""archive.history and archive.versions on a real catalog file written through Catalog."""

from __future__ import annotations

import json
import sqlite3

import pytest

from archive.catalog import Catalog
from archive.history import derive
from archive.versions import UrlState, load_states, load_validators

URL = "http://127.0.0.1:9/art/2024/1/20/art_1_1.html"
NEXT = "http://127.0.0.1:9/art/2025/1/20/art_1_2.html"
TEXT = "一、总体情况\n本局主动公开信息120条。"


def capture(record_id: str, when: str, status: int | None, url: str = URL, **fields) -> dict:
    return {"record_id": record_id, "url": url, "method": "GET", "fetched_at": f"2026-03-{when}Z",
            "status": status, "payload_digest": fields.pop("digest", None), "warc_file": "a.warc.gz", "offset": 0,
            "length": 1, "record_type": fields.pop("record_type", "response" if status else "metadata"),
            "source": "s", "role": "detail", **fields}


def document(catalog: Catalog, record_id: str, url: str = URL, *, text: str = TEXT, flags=(), year=2024,
             template="2021", stats=()) -> None:
    catalog.add_document(
        {"url": url, "status": 200, "source": "s", "record_id": record_id, "role": "detail"},
        {"title": "年报", "agency": "某局", "report_year": year, "doc_type": "annual_report", "template": template,
         "flags": list(flags), "text": text, "text_simplified": text, "stats": list(stats)},
    )


def pages(path) -> dict:
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    return {row["url"]: dict(row) for row in db.execute("select * from pages")}


def test_a_page_over_time_versions_last_seen_gone_and_back(tmp_path):
    path = tmp_path / "catalog.db"
    with Catalog(path) as catalog:
        for row in [
            capture("<a>", "24T02:00:00", 200, digest="sha1:A", etag='"a"'),  # version 1
            capture("<b>", "25T02:00:00", 304, record_type="revisit", refers_to="<a>", etag='"a"'),
            capture("<c>", "26T02:00:00", 200, digest="sha1:B"),  # version 2, no validators
            capture("<d>", "27T02:00:00", 404, digest="sha1:N"),  # gone
            capture("<e>", "28T02:00:00", None),  # still gone: no answer
        ]:
            catalog.add_capture(row)
        document(catalog, "<a>")
        document(catalog, "<c>", text=TEXT + "（更正）")
        catalog.flush()
        derive(catalog.db)
        versions = dict(catalog.db.execute("select id, version from documents"))
        states, validators = load_states(catalog.db), load_validators(catalog.db)
    assert versions == {"<a>": 1, "<c>": 2}
    page = pages(path)[URL]
    assert (page["document_id"], page["versions"], page["first_seen"], page["last_seen"]) == (
        "<c>", 2, "2026-03-24T02:00:00Z", "2026-03-26T02:00:00Z")
    assert (page["gone_since"], page["gone_reason"], page["status"]) == ("2026-03-27T02:00:00Z", "unreachable", None)
    assert states == {URL: UrlState("sha1:B", True)}
    assert validators == {}  # the last 200 carried none: the next request is unconditional

    with Catalog(path) as catalog:  # it comes back unchanged: there again, no new version
        catalog.add_capture(capture("<f>", "29T02:00:00", 200, digest="sha1:B", record_type="revisit",
                                    refers_to="<c>", etag='"b"'))
        catalog.flush()
        derive(catalog.db)
        validators = load_validators(catalog.db)
    page = pages(path)[URL]
    assert (page["last_seen"], page["gone_since"], page["versions"]) == ("2026-03-29T02:00:00Z", None, 2)
    assert validators[URL].etag == '"b"' and validators[URL].original.record_id == "<c>"


def test_a_page_that_refreshes_to_its_column_is_gone(tmp_path):
    path = tmp_path / "catalog.db"
    with Catalog(path) as catalog:
        catalog.add_capture(capture("<a>", "24T02:00:00", 200, digest="sha1:A"))
        catalog.add_capture(capture("<b>", "25T02:00:00", 200, digest="sha1:S"))
        document(catalog, "<a>")
        document(catalog, "<b>", text="", flags=["meta_refresh"])
        catalog.flush()
        derive(catalog.db)
    page = pages(path)[URL]
    assert (page["gone_reason"], page["gone_since"], page["last_seen"]) == (
        "refresh", "2026-03-25T02:00:00Z", "2026-03-24T02:00:00Z")


@pytest.mark.parametrize(("status", "digest", "documented", "new"), [
    (200, "sha1:A", False, True),  # first seen
    (404, None, False, True),  # first seen, already gone: a row all the same
    (200, "sha1:A", True, False),  # the same payload
    (200, "sha1:B", True, True),  # edited
    (404, None, True, False),  # deleted: gone, no row
    (304, None, True, False),
])
def test_the_version_rule(status, digest, documented, new):
    assert UrlState("sha1:A", documented).is_new_version(status, digest) is new


def applications(carried_over: int, carried_forward: int) -> list[dict]:
    return [{"table": "applications", "row": "carried_over", "column": "total", "value": carried_over, "raw": ""},
            {"table": "applications", "row": "carried_forward", "column": "total", "value": carried_forward, "raw": ""}]


def test_carry_over_checks_current_reports_against_the_year_before(tmp_path):
    path = tmp_path / "catalog.db"
    with Catalog(path) as catalog:
        for record_id, when, url in (("<old>", "24T02:00:00", URL), ("<new>", "24T02:00:01", NEXT),
                                     ("<edit>", "25T02:00:00", URL)):
            catalog.add_capture(capture(record_id, when, 200, url=url, digest="sha1:" + record_id))
        document(catalog, "<old>", year=2024, stats=applications(1, 3))
        document(catalog, "<new>", url=NEXT, year=2025, stats=applications(4, 0))
        catalog.flush()
        derive(catalog.db)
        assert catalog.db.execute("select document_id, status from checks where rule = 5").fetchall() == [("<new>", "fail")]
        document(catalog, "<edit>", year=2024, stats=applications(1, 4))  # the 2024 report corrected
        catalog.flush()
        derive(catalog.db)
        rows = catalog.db.execute("select document_id, status, numbers from checks where rule = 5").fetchall()
    # The totals now agree; the other columns are unknown, so the rule cannot pass outright.
    assert [(doc, status) for doc, status, _ in rows] == [("<new>", "uncertain")]
    total = json.loads(rows[0][2])["total"]
    assert total["left"] == total["right"] == 4


def test_deriving_one_run_changes_only_its_pages_and_agencies_and_equals_the_whole(tmp_path):
    path = tmp_path / "catalog.db"
    other = "http://127.0.0.1:9/art/2024/1/20/art_9_9.html"
    with Catalog(path) as catalog:
        catalog.add_capture(capture("<a>", "24T02:00:00", 200, digest="sha1:A", run_id="r1"))
        catalog.add_capture(capture("<o>", "24T02:00:01", 200, url=other, digest="sha1:O", run_id="r1"))
        document(catalog, "<a>")
        document(catalog, "<o>", url=other)
        catalog.flush()
        derive(catalog.db, "r1")
        catalog.add_capture(capture("<b>", "25T02:00:00", 200, digest="sha1:B", run_id="r2"))
        catalog.add_capture(capture("<x>", "25T02:00:01", 404, url=other, digest="sha1:X", run_id="r3"))
        document(catalog, "<b>", text=TEXT + "（更正）")
        catalog.flush()
        derive(catalog.db, "r2")  # run r3 is not derived: its 404 must not show yet
        scoped = pages(path)
        versions = dict(catalog.db.execute("select id, version from documents"))
    assert (scoped[URL]["document_id"], scoped[URL]["versions"]) == ("<b>", 2)
    assert scoped[other]["gone_since"] is None and versions == {"<a>": 1, "<b>": 2, "<o>": 1}
    with Catalog(path) as catalog:
        derive(catalog.db, "r3")
    scoped = pages(path)
    assert scoped[other]["gone_reason"] == "deleted"
    with Catalog(path) as catalog:  # every run derived: the whole catalog's derivation changes nothing
        derive(catalog.db)
    assert pages(path) == scoped
