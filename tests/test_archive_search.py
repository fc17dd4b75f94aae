from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner
from datadir import PAGES, build_data_dir

from archive.catalog import Catalog
from archive.search import SearchError, ensure_search_index, search, snippet
from nianbao.cli import main


@pytest.fixture
def data(tmp_path):
    return build_data_dir(tmp_path / "data")


def titles(results: list[dict]) -> set[str]:
    return {row["title"] for row in results}


LUAN_TITLE = "六安市審計局2019年政府信息公開工作年度報告"
PINGTAN_TITLE = "平潭综合实验区2020年政府信息公开工作年度报告"


def test_simplified_and_traditional_queries_find_both_scripts(data):
    for query in ("审计局", "審計局"):
        assert titles(search(data.catalog, query)) == {LUAN_TITLE}
    for query in ("信息公开工作年度报告", "信息公開工作年度報告"):
        assert {PINGTAN_TITLE, LUAN_TITLE} <= titles(search(data.catalog, query))


def test_short_terms_fall_back_to_like_and_all_terms_must_match(data):
    assert titles(search(data.catalog, "審計")) == {LUAN_TITLE}  # two characters: below a trigram
    assert titles(search(data.catalog, "函")) == {"关于报送2013年度政府信息公开工作年度报告的函"}
    assert titles(search(data.catalog, "年度报告 1200")) == {PINGTAN_TITLE}
    assert search(data.catalog, "审计局 1200") == []
    assert search(data.catalog, '100%_ "引号') == []  # LIKE and FTS syntax characters are literal


def test_results_carry_snippet_keys_and_extra_columns_but_not_the_text(data):
    db = sqlite3.connect(data.catalog)
    db.execute("alter table documents add column gone_at text")
    db.execute("update documents set gone_at = '2026-03-01' where agency = '六安市审计局'")
    db.commit()
    (row,) = search(data.catalog, "審計局")
    assert row["snippet"].startswith("六安市【审计局】2019年")
    assert (row["agency"], row["report_year"], row["gone_at"]) == ("六安市审计局", 2019, "2026-03-01")
    assert row["url"] == PAGES[1]["url"] and row["id"] == data.record_ids["luan-2019"]
    assert "text" not in row and "text_simplified" not in row


def test_index_is_refreshed_incrementally_and_follows_replaced_and_removed_documents(data):
    assert ensure_search_index(data.catalog) == len(PAGES)
    assert ensure_search_index(data.catalog) == 0
    page = PAGES[0]
    with Catalog(data.catalog) as catalog:  # re-extraction replaces the row
        catalog.add_document(
            {"url": page["url"], "record_id": data.record_ids[page["key"]]},
            {**page["record"], "text": "修订后的正文", "text_simplified": "修订后的正文"},
        )
    assert ensure_search_index(data.catalog) == 1
    assert titles(search(data.catalog, "修订后的正文")) == {PINGTAN_TITLE}
    assert search(data.catalog, "1200条") == []
    db = sqlite3.connect(data.catalog)
    db.execute("delete from documents where id = ?", (data.record_ids[page["key"]],))
    db.commit()
    assert search(data.catalog, "修订后的正文") == []
    assert db.execute("select count(*) from documents_search").fetchone()[0] == len(PAGES) - 1


def test_empty_query_is_an_error(data):
    with pytest.raises(SearchError):
        search(data.catalog, "   ")


def test_snippet_marks_the_first_term_and_keeps_one_line():
    text = "甲" * 100 + "\n政府信息\n公开" + "乙" * 100
    assert snippet(text, ["信息"], context=3) == "… 政府【信息】 公开…"
    assert snippet("短文", ["缺"], context=3) == "短文"


def test_search_command_prints_results_and_json(data):
    runner = CliRunner()
    result = runner.invoke(main, ["search", "--data", str(data.root), "審計局"])
    assert result.exit_code == 0, result.output
    assert LUAN_TITLE in result.output and PAGES[1]["url"] in result.output
    result = runner.invoke(main, ["search", "--data", str(data.root), "--json", "信息公開"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.output)) == 3
    result = runner.invoke(main, ["search", "--data", str(data.root), " "])
    assert result.exit_code != 0 and "empty search query" in result.output
