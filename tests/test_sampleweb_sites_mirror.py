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
    assert linked_back >= 2
