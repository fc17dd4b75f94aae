"""Nights: new, edited, deleted, defaced and cleaned reports; validators that move only with content."""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import pytest
from sampleweb_http import fetch, header

from sampleweb import nights
from sampleweb.server import SampleWeb


@pytest.fixture(scope="module")
def web():
    with SampleWeb(night=0, port=0) as web:
        yield web


@pytest.fixture(scope="module")
def manifests(web):
    found = {}
    for night in range(nights.NIGHTS):
        web.set_night(night)
        found[night] = web.manifest()
    return found


def at(web, night, url, headers=None):
    web.set_night(night)
    return fetch(url, headers=headers)


def documents(manifest):
    return {d["url"]: d for d in manifest["documents"]}


def test_set_night_keeps_addresses(web):
    web.set_night(0)
    sites = web.sites
    web.set_night(2)
    assert web.sites == sites and web.night == 2
    with pytest.raises(ValueError):
        web.set_night(nights.NIGHTS)


def test_new_reports_appear_at_the_top_of_their_column(web, manifests):
    new = manifests[1]["changes"]["new"]
    assert len(new) >= 3
    before, after = documents(manifests[0]), documents(manifests[1])
    for url in new:
        assert url not in before and after[url]["status"] == "live"
        assert at(web, 0, url)[0] == 404 and at(web, 1, url)[0] == 200
    column = after[new[0]]["column"]
    first = at(web, 0, column)[2].decode("utf-8")
    second = at(web, 1, column)[2].decode("utf-8")
    name = urlsplit(new[0]).path.rsplit("/", 1)[1]
    assert name not in first and name in second
    assert first != second, "the list reorders as new items push older ones down"


def test_edited_report_changes_its_etag_and_version(web, manifests):
    url = manifests[1]["changes"]["edited"][0]
    old, new = documents(manifests[0])[url], documents(manifests[1])[url]
    assert (old["version"], new["version"]) == (1, 2) and old["etag"] != new["etag"]
    assert header(at(web, 1, url)[1], "ETag") == new["etag"]
    assert "更正" in at(web, 1, url)[2].decode("utf-8") and "更正" not in at(web, 0, url)[2].decode("utf-8")
    assert at(web, 1, url, {"If-None-Match": old["etag"]})[0] == 200


def test_deleted_report_leaves_list_and_answers_404(web, manifests):
    url = manifests[2]["changes"]["deleted"][0]
    doc = documents(manifests[2])[url]
    assert documents(manifests[1])[url]["status"] == "live"
    assert doc["status"] == "deleted" and not doc["listed"] and doc["etag"] is None
    assert at(web, 1, url)[0] == 200 and at(web, 2, url)[0] == 404
    assert urlsplit(url).path.rsplit("/", 1)[1] not in at(web, 2, doc["column"])[2].decode("utf-8")
    assert url in manifests[2]["faults"]["deleted"]


def test_defaced_on_night_two_cleaned_on_night_three(web, manifests):
    url = manifests[2]["changes"]["defaced"][0]
    assert manifests[3]["changes"]["cleaned"] == [url]
    docs = {night: documents(manifests[night])[url] for night in range(4)}
    assert [docs[n]["defaced"] for n in range(4)] == [False, False, True, False]
    defaced = at(web, 2, url)[2].decode("utf-8")
    assert all(word in defaced for word in docs[2]["spam"])
    clean = at(web, 3, url)
    assert clean[2] == at(web, 1, url)[2] and header(clean[1], "ETag") == docs[1]["etag"] == docs[3]["etag"]
    modified = {n: parsedate_to_datetime(header(at(web, n, url)[1], "Last-Modified")) for n in (1, 2, 3)}
    assert modified[1] < modified[2] < modified[3]


def test_unchanged_page_keeps_its_validators(web, manifests):
    changed = {u for m in manifests.values() for urls in m["changes"].values() for u in urls}
    url = next(d["url"] for d in manifests[0]["documents"]
               if d["status"] == "live" and d["url"] not in changed and d["site"] == "luan-sjj")
    seen = {(header(h, "ETag"), header(h, "Last-Modified")) for h in (at(web, n, url)[1] for n in range(4))}
    assert len(seen) == 1
    etag, modified = seen.pop()
    assert {documents(m)[url]["etag"] for m in manifests.values()} == {etag}
    assert at(web, 3, url, {"If-None-Match": etag})[0] == 304
    assert at(web, 3, url, {"If-Modified-Since": modified})[0] == 304


def test_changed_list_page_gets_a_later_last_modified(web, manifests):
    column = documents(manifests[1])[manifests[1]["changes"]["new"][0]]["column"]
    before = parsedate_to_datetime(header(at(web, 0, column)[1], "Last-Modified"))
    after = parsedate_to_datetime(header(at(web, 1, column)[1], "Last-Modified"))
    assert before < after
    assert at(web, 1, column, {"If-Modified-Since": header(at(web, 0, column)[1], "Last-Modified")})[0] == 200


def test_changes_name_every_kind_on_some_night(manifests):
    kinds = {kind for m in manifests.values() for kind, urls in m["changes"].items() if urls}
    assert kinds == {"new", "edited", "deleted", "defaced", "cleaned"}
    assert not any(manifests[0]["changes"].values())


def test_no_page_changes_without_a_reason(manifests):
    """Only the items a night changes get new ETags; every other page on every site keeps its own."""
    changed = {u for m in manifests.values() for kind, urls in m["changes"].items() if kind != "new" for u in urls}
    etags: dict[str, set] = {}
    for manifest in manifests.values():
        for doc in manifest["documents"]:
            if doc["url"] not in changed and doc["etag"]:
                etags.setdefault(doc["url"], set()).add(doc["etag"])
    assert len(etags) > 200
    assert {url for url, tags in etags.items() if len(tags) > 1} == set()
