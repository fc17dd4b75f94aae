"""Merging catalogs (another machine's crawl into this one): rows by key, never twice."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from datadir import build_data_dir

from archive.merge import merge_catalogs
from archive.search import ensure_search_index
from nianbao.cli import main

TABLES = ("captures", "documents", "stats", "checks")
DERIVED = {"version"}  # documents.version is numbered again over the merged rows


def rows(path, table: str) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        columns = [name for (_, name, *_) in db.execute(f"pragma table_info({table})") if name not in DERIVED]
        return sorted(db.execute(f"select {', '.join(columns)} from {table}"), key=repr)
    finally:
        db.close()


def tables(path) -> set[str]:
    db = sqlite3.connect(path)
    try:
        return {name for (name,) in db.execute("select name from sqlite_master where type = 'table'")}
    finally:
        db.close()


def test_merging_copies_every_row_once_and_derives_the_history(tmp_path):
    one = build_data_dir(tmp_path / "one")
    other = build_data_dir(tmp_path / "other")  # the same pages, captured again: other record ids
    ensure_search_index(one.catalog)  # an index of one's own, which the target builds itself
    target = tmp_path / "merged" / "catalog.db"

    merge_catalogs([one.catalog], target)
    for table in TABLES:
        assert rows(target, table) == rows(one.catalog, table), table
    merge_catalogs([one.catalog, other.catalog], target)  # one's rows again, other's new
    for table in TABLES:
        assert rows(target, table) == sorted(rows(one.catalog, table) + rows(other.catalog, table), key=repr), table
    assert not {name for name in tables(target) if name.startswith("documents_search")}
    # The history is derived over the merged documents: each URL has both captures' versions.
    db = sqlite3.connect(target)
    assert sorted({version for (version,) in db.execute("select version from documents")}) == [1, 2]
    pages = dict(db.execute("select url, versions from pages"))
    assert pages and set(pages.values()) == {2}


def test_merge_command(tmp_path):
    one = build_data_dir(tmp_path / "one")
    result = CliRunner().invoke(main, ["merge", "--data", str(tmp_path / "here"), str(one.catalog)])
    assert result.exit_code == 0, result.output
    assert "merged 1 catalog(s)" in result.output
    assert rows(tmp_path / "here" / "catalog.db", "documents") == rows(one.catalog, "documents")


def test_a_missing_catalog_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no catalog at"):
        merge_catalogs([tmp_path / "nowhere.db"], tmp_path / "catalog.db")


def test_digest_indexes_merge_by_payload_and_the_earlier_original_stays(tmp_path):
    from archive.digests import DigestIndex
    from archive.merge import merge_data_dirs
    from archive.records import Original

    def data_dir(name: str, originals: list[Original]) -> Path:
        one = build_data_dir(tmp_path / name)
        index = DigestIndex(one.catalog.parent / "state" / "digests.db")
        index.commit(originals)
        index.close()
        return one.catalog.parent

    early = Original("<a1>", "http://a/1", "2026-03-01T00:00:00Z", "sha1:A")
    late = Original("<b1>", "http://b/1", "2026-03-02T00:00:00Z", "sha1:A")
    only_b = Original("<b2>", "http://b/2", "2026-03-02T00:00:00Z", "sha1:B")
    a, b = data_dir("a", [early]), data_dir("b", [late, only_b])
    for order in ((a, b), (b, a)):
        target = tmp_path / f"merged-{order[0].name}"
        merged = merge_data_dirs(order, target)
        merged_again = merge_data_dirs(order, target)
        index = DigestIndex(target / "state" / "digests.db")
        found = {digest: index.original(Original("<new>", "u", "d", digest)) for digest in ("sha1:A", "sha1:B")}
        index.close()
        assert found == {"sha1:A": early, "sha1:B": only_b}
        assert merged.digests >= 2 and merged_again.digests == 0 and merged.catalogs == 2
