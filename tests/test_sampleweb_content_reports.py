"""Generated reports: determinism, the arithmetic rules (checked independently), narrative numbers."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from sampleweb.content import (
    NOTICE_KINDS, carried_forward, generate_notice, generate_report, generate_series, render_html,
)

APPLICANTS = ["natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org"]
DENIED = ["state_secret", "prohibited_by_law", "three_safeties", "third_party", "internal_affairs",
          "process_info", "enforcement_file", "inquiry"]
OUTCOMES_COMMON = (["granted", "partially_granted"] + [f"denied_{d}" for d in DENIED]
                   + ["unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear"]
                   + ["rejected_petition", "rejected_repeat", "rejected_publication", "rejected_excessive",
                      "rejected_confirmation"])
OUTCOMES = {"2019": OUTCOMES_COMMON + ["other"],
            "2021": OUTCOMES_COMMON + ["other_no_correction", "other_no_fee", "other_other"]}
AGENCIES = ["凉州区人民政府", "凉州区财政局", "凉州区青山镇人民政府", "铜陵市郊区桥南街道办事处"]


def grid(report, table):
    return {(s.row, s.column): s.value for s in report.stats if s.table == table}


def failing_rules(report, previous=None):
    """The arithmetic rules of report-format.md that fail, computed from ``stats`` alone."""
    apps, review = grid(report, "applications"), grid(report, "review_litigation")
    failed = set()
    for column in APPLICANTS + ["total"]:
        if apps["new_received", column] + apps["carried_over", column] != (
                apps["total_processed", column] + apps["carried_forward", column]):
            failed.add(1)
        if apps["total_processed", column] != sum(apps[r, column] for r in OUTCOMES[report.template]):
            failed.add(2)
    for row in {r for r, _ in apps}:
        if apps[row, "total"] != sum(apps[row, c] for c in APPLICANTS):
            failed.add(3)
    for group in ("review", "litigation_direct", "litigation_after_review"):
        parts = sum(review[group, c] for c in ("upheld", "corrected", "other", "pending"))
        if parts != review[group, "total"]:
            failed.add(4)
    if previous is not None:
        last = grid(previous, "applications")
        if any(apps["carried_over", c] != last["carried_forward", c] for c in APPLICANTS + ["total"]):
            failed.add(5)
    text = report.text()
    quoted = re.search(r"(?:收到|新收|受理)政府信息公开申请(\d+)件", text)
    if int(quoted.group(1)) != apps["new_received", "total"]:
        failed.add(6)
    if int(re.search(r"予以公开(\d+)件", text).group(1)) != apps["granted", "total"]:
        failed.add(6)
    if int(re.search(r"结转下年度继续办理(\d+)件", text).group(1)) != apps["carried_forward", "total"]:
        failed.add(6)
    return failed


def test_same_seed_same_report_and_html():
    one = generate_report("凉州区人民政府", "620602", 2020, "2019", 7)
    two = generate_report("凉州区人民政府", "620602", 2020, "2019", 7)
    assert one == two
    assert render_html(one, variant="word", seed=3) == render_html(two, variant="word", seed=3)
    assert generate_report("凉州区人民政府", "620602", 2020, "2019", 8) != one


@pytest.mark.parametrize("template,year", [("2019", 2019), ("2019", 2020), ("2021", 2021), ("2021", 2024)])
@pytest.mark.parametrize("seed", range(6))
def test_template_reports_satisfy_every_rule(template, year, seed):
    for agency in AGENCIES:
        report = generate_report(agency, "620602", year, template, seed)
        assert report.template == template and report.report_year == year
        assert report.violations == ()
        assert failing_rules(report) == set()


def test_numbers_are_not_all_zero():
    reports = [generate_report(a, "620602", 2021, None, s) for a in AGENCIES for s in range(5)]
    for report in reports:
        assert grid(report, "applications")["new_received", "total"] > 0
    assert any(grid(r, "review_litigation")["review", "total"] for r in reports)
    assert any(grid(r, "applications")["carried_forward", "total"] for r in reports)


@pytest.mark.parametrize("rule", [1, 2, 3, 4, 6])
@pytest.mark.parametrize("template", ["2019", "2021"])
def test_violate_breaks_exactly_that_rule(rule, template):
    for seed in range(5):
        report = generate_report("凉州区人民政府", "620602", 2021 if template == "2021" else 2019,
                                 template, seed, violate=rule)
        assert report.violations == (rule,)
        assert failing_rules(report) == {rule}


def test_series_chains_carry_over_and_violate_5_breaks_the_chain():
    reports = generate_series("凉州区人民政府", "620602", range(2017, 2025), 3, violate={2023: 5})
    assert [r.template for r in reports] == ["free", "free", "2019", "2019", "2021", "2021", "2021", "2021"]
    for previous, report in zip(reports[2:], reports[3:]):
        expected = {5} if report.report_year == 2023 else set()
        assert failing_rules(report, previous) == expected
    assert carried_forward(reports[-2]) == {c: grid(reports[-1], "applications")["carried_over", c]
                                             for c in APPLICANTS}


def test_violate_rejects_rules_a_report_cannot_break():
    with pytest.raises(ValueError):
        generate_report("凉州区人民政府", "620602", 2012, "free", 1, violate=1)
    with pytest.raises(ValueError):
        generate_report("凉州区人民政府", "620602", 2020, "2019", 1, violate=5)


@pytest.mark.parametrize("seed", range(8))
def test_free_form_reports(seed):
    report = generate_report("凉州区人民政府", "620602", 2008 + seed, None, seed)
    assert report.template == "free"
    text = report.text()
    headings = [b for b in report.blocks if isinstance(b, str) and re.match(r"^[一二三四五六七]、", b)]
    assert 5 <= len(headings) <= 7
    legacy = {(s.row, s.column): s for s in report.stats if s.table == "legacy"}
    proactive = legacy["proactive_items", "year"]
    assert f"主动公开政府信息{proactive.value}条" in text
    tables = [b for b in report.blocks if not isinstance(b, str)]
    if tables:
        assert tables[0].rows[0][0][0] == "指标名称"
        assert ("proactive_items", "cumulative") in legacy
    else:
        assert proactive.raw in text


def test_free_form_violate_6_misquotes_the_table():
    report = generate_report("凉州区人民政府", "620602", 2013, "free", 2, violate=6)
    legacy = {(s.row, s.column): s.value for s in report.stats if s.table == "legacy"}
    quoted = int(re.search(r"受理政府信息公开申请(\d+)件", report.text()).group(1))
    assert quoted != legacy["applications_received", "year"]
    assert report.violations == (6,)


def test_publish_date_before_deadline():
    for year in (2012, 2020, 2023):
        for agency, last in (("凉州区人民政府", "03-31"), ("凉州区财政局", "03-31" if year < 2019 else "01-31")):
            date = generate_report(agency, "620602", year, None, 1).publish_date
            assert f"{year + 1}-01-01" < date <= f"{year + 1}-{last}"


@pytest.mark.parametrize("kind", sorted(NOTICE_KINDS))
def test_notices_are_not_reports(kind):
    notice = generate_notice("平潭县人民政府", "350128", 2014, kind, 1)
    assert notice.doc_type == "other" and notice.template is None and notice.report_year is None
    assert "2014" in notice.title and notice.stats == ()
    assert notice == generate_notice("平潭县人民政府", "350128", 2014, kind, 1)
    with pytest.raises(ValueError):
        generate_notice("平潭县人民政府", "350128", 2014, "nonsense", 1)


DIGEST_SCRIPT = """
import hashlib
from sampleweb.content import *
digest = hashlib.sha256()
for year in (2012, 2019, 2022):
    report = generate_report("凉州区人民政府", "620602", year, None, 5)
    for part in (repr(report), render_html(report, variant="word", seed=2), render_pdf(report),
                 render_docx(report), render_image_only(report, fmt="png")):
        digest.update(part if isinstance(part, bytes) else part.encode())
digest.update(repr(seed_documents()).encode())
print(digest.hexdigest())
"""


def test_output_does_not_depend_on_the_process():
    digests = {
        subprocess.run([sys.executable, "-c", DIGEST_SCRIPT], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": str(hash_seed)}).stdout
        for hash_seed in (1, 2)
    }
    assert len(digests) == 1
