"""The five seeds: truth fields, chrome stripped, tables rebuilt from the flattened text."""

from __future__ import annotations

import pytest

from sampleweb.content import seed_documents
from sampleweb.content.seeds import seed_text

CHROME = ["浏览次数", "字号", "扫一扫在手机打开当前页", "Produced By 大汉网络", "文件下载", "政策咨询",
          "信息来源:", "如果您对该政策文件有疑问", "來源:中國電子政務網"]


def test_bundled_seeds_are_the_shared_seeds(seeds_dir):
    for key in seed_documents():
        shared = next(seeds_dir.glob(f"{key}_*.txt")).read_text("utf-8")
        assert seed_text(key) == shared


@pytest.mark.parametrize("key,agency,year,template,doc_type,published", [
    ("000", "安徽省机关事务管理局", 2018, "free", "annual_report", "2018-12-29"),
    ("001", "凉州区人民政府", 2016, "free", "annual_report", "2020-09-29"),
    ("002", "铜陵市郊区安庆矿区办事处", 2019, "2019", "annual_report", "2020-01-16"),
    ("003", "六安市审计局", None, None, "other", "2019-07-17"),
    ("004", "六安市数据资源管理局", 2020, "2019", "annual_report", "2021-01-17"),
])
def test_seed_truth(key, agency, year, template, doc_type, published):
    report = seed_documents()[key]
    assert (report.agency, report.report_year, report.template, report.doc_type, report.publish_date) == (
        agency, year, template, doc_type, published)
    text = report.text()
    for chrome in CHROME:
        assert chrome not in text
    assert report.title not in report.blocks


def test_seed_000_title_names_the_bureau_by_its_short_name():
    report = seed_documents()["000"]
    assert report.title.startswith("省管局2018年") and report.region_code == "340000"
    assert report.stat("legacy", "proactive_items", "year").value == 1036


def test_seed_001_posted_by_the_disclosure_office_with_narrative_counts():
    report = seed_documents()["001"]
    assert report.publisher == "信息公开办"
    assert report.stat("legacy", "proactive_items", "year").value == 18144
    assert report.stat("legacy", "applications_received", "year").value == 3
    for cell in report.stats:
        assert cell.raw in report.text()


def test_seed_002_title_year_conflicts_with_body_year():
    report = seed_documents()["002"]
    assert report.report_year == 2019 and report.body_year == 2018
    assert "2019年" in report.title and report.text().startswith("2018年")
    tables = [b for b in report.blocks if not isinstance(b, str)]
    assert [t.kind for t in tables] == ["active", "applications", "review_litigation"]
    assert report.stat("active", "licensing", "decisions").raw == "无"
    assert report.stat("active", "licensing", "decisions").value is None
    assert report.stat("applications", "total_processed", "total").value == 0


def test_seed_003_is_a_traditional_notice_with_a_lottery_tail():
    report = seed_documents()["003"]
    assert report.script == "traditional" and report.report_year is None
    assert report.spam == ("老时时2011081901",)
    assert "老时时" not in report.text()
    assert report.published_blocks()[-1] == "老时时2011081901"


def test_seed_004_injection_recorded_and_reversible():
    report = seed_documents()["004"]
    assert "比分直播,篮球比分直播" in report.spam
    assert report.injections == (("关于", "比分直播,篮球比分直播"),)
    assert "比分直播" not in report.text() and report.text().count("关于") == 6
    published = "\n".join(b for b in report.published_blocks() if isinstance(b, str))
    assert published.count("比分直播,篮球比分直播") == 6
    assert report.stat("applications", "new_received", "natural_person").value == 4
    assert report.stat("applications", "granted", "total").value == 4
    assert len([s for s in report.stats if s.table == "applications"]) == 23 * 7


def test_seed_003_original_is_the_simplified_notice_without_the_mirrors_spam():
    from sampleweb.content import seed_original

    copy, original = seed_documents()["003"], seed_original("003")
    assert original.script == "simplified" and original.spam == () and original.publisher == "六安市审计局"
    assert original.title == "六安市审计局关于印发2019年度政务公开暨电子政务目标任务责任清单的通知"
    assert (original.agency, original.report_year, original.doc_type) == (copy.agency, None, "other")
    assert len(original.blocks) == len(copy.blocks) and "印发" in original.text() and "發" not in original.text()
    with pytest.raises(KeyError):
        seed_original("004")
