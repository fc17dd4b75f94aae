"""The mirror: traditional-script copies on a non-government host, linking back, out of scope."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sampleweb_http import fetch, links


@pytest.fixture(scope="module")
def manifest(sample_web):
    return sample_web.manifest()


def test_mirror_is_out_of_scope(sample_web):
    mirror = next(s for s in sample_web.sites if s["cms"] == "mirror")
    assert not mirror["in_scope"] and mirror["name"] not in {e["name"] for e in sample_web.registry()}


def test_a_government_page_links_to_the_mirror(sample_web, manifest):
    mirror = next(s for s in sample_web.sites if s["cms"] == "mirror")
    doc = next(d for d in manifest["documents"] if d["site"] == "luan-sjj" and d["status"] == "live")
    assert mirror["root"] in {u for _, u in links(fetch(doc["url"])[2], doc["url"])}


def test_copies_are_traditional_spammy_and_link_back(manifest):
    domains = {s["name"]: s["domain"] for s in manifest["sites"]}
    copies = [d for d in manifest["documents"] if d["site"] == "mirror"]
    assert sorted(manifest["faults"]["mirror"]) == sorted(d["url"] for d in copies)
    originals = {d["url"]: d for d in manifest["documents"] if d["site"] != "mirror"}
    linked_back = 0
    for copy in copies:
        assert copy["script"] == "traditional"
        html = fetch(copy["url"])[2].decode("utf-8")
        title = re.search(r"<title>(.*?)</title>", html).group(1)
        assert "成人视频" in title
        back = [u for t, u in links(html, copy["url"]) if u in originals]
        if back:
            linked_back += 1
            original = originals[back[0]]
            assert urlsplit(copy["url"]).path == urlsplit(original["url"]).path
            domain = re.search(r'<meta name="SiteDomain" content="([^"]+)"', html).group(1)
            assert domain == domains[original["site"]], "the copy keeps the original's metadata"
            assert copy["title"] != original["title"] and set(copy["title"]) & set("報開數資區務")
    assert linked_back == len(copies) >= 4


def test_seed_copies_have_their_simplified_originals_in_scope(manifest):
    """Seeds 000 and 003 were captured from the mirror; their originals are on Anhui-platform sites."""
    scoped = {s["name"] for s in manifest["sites"] if s["in_scope"]}
    docs = {d["url"]: d for d in manifest["documents"]}
    for agency, doc_type in (("安徽省机关事务管理局", "annual_report"), ("六安市审计局", "other")):
        original = next(d for d in docs.values() if d["agency"] == agency and d["site"] in scoped
                        and d["doc_type"] == doc_type and d["body_year"] in (2018, 2019))
        copy = next(d for d in docs.values() if d["site"] == "mirror" and d["agency"] == agency)
        assert original["script"] == "simplified" and original["listed"] and not original["spam"]
        assert copy["script"] == "traditional" and urlsplit(copy["url"]).path == urlsplit(original["url"]).path
        html = fetch(original["url"])[2].decode("utf-8")
        assert original["title"] in html and "div class=\"wzcon j-fontContent\"" in html
        assert "印發" not in html and "發" not in html.split("j-fontContent", 1)[1].split("</div>", 1)[0]
    notice = next(d for d in docs.values() if d["agency"] == "六安市审计局" and d["site"] in scoped)
    assert notice["site"] == "luan-sjj" and notice["report_year"] is None and "老时时" not in fetch(notice["url"])[2].decode()
