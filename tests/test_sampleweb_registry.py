"""The bundled ``sample`` registry is generated from the sample web and kept up to date."""

from __future__ import annotations

from sampleweb.manifest import site_dicts
from sampleweb.plan import default_origins
from sampleweb.registry import SAMPLE_REGISTRY, registry_entries, sample_registry_text
from settings.registry import load_registry


def test_bundled_sample_registry_matches_the_code():
    assert SAMPLE_REGISTRY.read_text(encoding="utf-8") == sample_registry_text(), (
        "settings/sources/sample.yaml is stale: run `python -m sampleweb.registry`")


def test_sample_registry_loads_with_the_default_addresses():
    sources = load_registry("sample")
    sites = [s for s in site_dicts(default_origins()) if s["in_scope"]]
    assert [s.name for s in sources] == [s["name"] for s in sites]
    for source, site in zip(sources, sites):
        assert source.root == site["root"] and list(source.columns) == site["columns"]
        assert source.agency == site["agency"] and source.region_code == site["region_code"]
        assert site["domain"] in source.hosts


def test_out_of_scope_sites_have_no_entry():
    sites = site_dicts(default_origins())
    assert {e["name"] for e in registry_entries(sites)} == {s["name"] for s in sites if s["in_scope"]}
    assert any(not s["in_scope"] for s in sites)
