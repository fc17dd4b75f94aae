"""The manifest: the truth of a night, consistent with what the server answers."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from sampleweb_http import fetch, header

from sampleweb.manifest import build_manifest
from sampleweb.server import SampleWeb


@pytest.fixture(scope="module")
def web():
    with SampleWeb(night=0, port=0) as web:
        yield web


@pytest.fixture(scope="module")
def manifest(web):
    return web.manifest()


def test_shape_and_json(web, manifest):
    assert set(manifest) == {"night", "sites", "documents", "faults", "changes"}
    assert manifest["sites"] == web.sites
    assert json.loads(json.dumps(manifest, ensure_ascii=False)) == manifest
    for doc in manifest["documents"]:
        assert {"url", "site", "column", "title", "agency", "region_code", "report_year", "publish_date", "doc_type",
                "template", "format", "attachments", "script", "defaced", "spam", "year_conflict", "status",
                "version", "etag", "stats", "violations", "robots"} <= set(doc)
        assert doc["robots"] in ("allowed", "disallowed")
        assert all(a["robots"] in ("allowed", "disallowed") for a in doc["attachments"])


def test_every_url_answers_as_its_status_says(manifest):
    flaky = set(manifest["faults"]["flaky_500"])
    for doc in manifest["documents"]:
        status, headers, body = fetch(doc["url"])
        if doc["url"] in flaky:
            status, headers, body = fetch(doc["url"])
        if doc["status"] == "deleted":
            assert status == 404, doc["url"]
            continue
        assert status == 200, doc["url"]
        assert header(headers, "ETag") == doc["etag"]
        if doc["status"] == "refresh":
            assert b'http-equiv="refresh"' in body
            continue
        charset = "gbk" if doc["site"] == "tongling-jiaoqu" else "utf-8"
        assert doc["title"] in body.decode(charset), doc["url"]
        for attachment in doc["attachments"]:
            status, _, data = fetch(attachment["url"])
            if status == 302:
                status, _, data = fetch(header(fetch(attachment["url"])[1], "Location"))
            assert status == 200 and (len(data) == 2) == attachment["stub"]


def test_columns_hold_thirty_items_over_years(manifest):
    per_column = Counter(d["column"] for d in manifest["documents"] if d["listed"] and d["column"])
    in_scope = [s for s in manifest["sites"] if s["in_scope"]]
    assert set(per_column) == {c for s in in_scope for c in s["columns"]}
    assert min(per_column.values()) >= 30
    for site in in_scope:
        years = {d["report_year"] for d in manifest["documents"] if d["site"] == site["name"] and d["report_year"]}
        assert (min(years), max(years)) == (2008, 2025)


def test_the_web_holds_every_kind_of_document(manifest):
    docs = manifest["documents"]
    assert {d["format"] for d in docs} == {"html", "pdf", "docx", "xls", "xlsx", "image"}
    assert {d["template"] for d in docs} == {"free", "2019", "2021", None}
    planted = {d["violations"][0]: d["site"] for d in docs if d["violations"] and d["site"] != "mirror"}
    assert sorted(planted) == [1, 2, 3, 4, 5, 6]
    assert len({planted[rule] for rule in (1, 3, 4, 6)}) == 4, "rules 1, 3, 4, 6 broken on four sites"
    assert [d["body_year"] for d in docs if d["year_conflict"]] == [2018]
    assert {d["doc_type"] for d in docs} == {"annual_report", "other"}
    assert {d["site"] for d in docs if d["script"] == "traditional"} == {"mirror"}
    assert all(d["stats"] for d in docs if d["template"] in ("2019", "2021"))
    agencies = {d["agency"] for d in docs if d["site"] == "liangzhou"}
    assert len(agencies) > 10, "a county column holds departments and townships too"


def test_build_manifest_is_deterministic(web, manifest):
    again = build_manifest(0, web.sites)
    assert again == manifest


def test_rule_five_breaks_the_chain_between_two_years(manifest):
    def applications(doc, row):
        return {s["column"]: s["value"] for s in doc["stats"] if s["table"] == "applications" and s["row"] == row}

    docs = {(d["agency"], d["report_year"]): d for d in manifest["documents"] if d["site"] != "mirror"}
    chained = [(d, docs[d["agency"], d["report_year"] - 1]) for d in docs.values()
               if d["template"] in ("2019", "2021") and docs.get((d["agency"], d["report_year"] - 1), {}).get("template")
               in ("2019", "2021")]
    broken = [this for this, last in chained
              if applications(this, "carried_over") != applications(last, "carried_forward")]
    assert len(chained) > 50 and [d["violations"] for d in broken] == [[5]]
