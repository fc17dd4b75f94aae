"""The arithmetic rules of report-format.md (pipelines.checks): fail only on known numbers."""

from __future__ import annotations

import lxml.html
import pytest

from pipelines.checks import check_carry_over, run_checks
from pipelines.stats import parse_stats
from pipelines.tables import html_grids
from sampleweb.content import carried_forward, generate_report, generate_series, render_html


def parsed(report, variant: str = "editor"):
    """A generated report as nianbao reads it: stats from its HTML tables, and its text."""
    html = render_html(report, variant=variant, seed=1)
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for table in root.xpath(".//table"):
        table.drop_tree()
    text = root.text_content()
    result = parse_stats(html_grids(html), text)
    return result, text


def statuses(checks: list[dict]) -> dict[int, str]:
    return {c["rule"]: c["status"] for c in checks}


@pytest.mark.parametrize("template", ["2019", "2021"])
@pytest.mark.parametrize("rule", [None, 1, 2, 3, 4, 6])
def test_exactly_the_broken_rule_fails(template, rule):
    for seed in range(4):
        report = generate_report("某某县人民政府", "350128", 2020 if template == "2019" else 2022,
                                 template, seed=seed, violate=rule)
        result, text = parsed(report, ("word", "editor", "plain", "legacy")[seed])
        found = statuses(run_checks(result.stats, text, result.template))
        assert set(found) == {1, 2, 3, 4, 6}
        assert {r for r, s in found.items() if s == "fail"} == ({rule} if rule else set())
        assert all(s == "pass" for r, s in found.items() if r != rule)


def test_free_form_reports_check_the_narrative_against_the_statistics_table():
    for seed in range(6):
        report = generate_report("某某县财政局", "350128", 2015, "free", seed=seed, violate=6)
        result, text = parsed(report)
        (check,) = run_checks(result.stats, text, result.template)
        assert check["rule"] == 6 and check["status"] == "fail"
        (name,) = [n for n, eq in check["numbers"].items() if eq["left"] != eq["right"]]
        assert name.startswith("applications_received")


def test_a_free_form_report_without_a_table_cannot_check_its_narrative():
    text = "2015年，本局共主动公开政府信息120条。全年未收到政府信息公开申请。"
    result = parse_stats([], text)
    assert run_checks(result.stats, text, result.template) == [
        {"rule": 6, "status": "uncertain", "detail": "no numbers quoted in the text", "numbers": {}}]


def test_numbers_of_another_period_or_with_inclusions_are_not_compared():
    stats = _applications(new_received__natural_person=79, new_received__total=79,
                          total_processed__natural_person=79, total_processed__total=79,
                          granted__natural_person=79, granted__total=79, carried_over__total=2)
    text = ("2023年，共收到政府信息公开申请81件（含上年结转2件），去年收到申请60件。"
            "同比增长，办结79件，其中予以公开79件。")
    (check,) = [c for c in run_checks(stats, text, "2019") if c["rule"] == 6]
    assert check["status"] == "pass" and set(check["numbers"]) == {"上年结转2件", "办结79件", "予以公开79件"}
    (check,) = [c for c in run_checks(stats, "共收到政府信息公开申请81件。", "2019") if c["rule"] == 6]
    assert check["status"] == "fail" and check["numbers"]["收到政府信息公开申请81件"] == {
        "left": 81, "right": 79, "cells": {"new_received.total": 79}}


def test_a_failure_names_its_numbers():
    report = generate_report("某某县人民政府", "350128", 2022, seed=2, violate=4)
    result, text = parsed(report)
    (check,) = [c for c in run_checks(result.stats, text, result.template) if c["rule"] == 4]
    (group,) = [g for g, eq in check["numbers"].items() if eq["left"] != eq["right"]]
    cells = check["numbers"][group]["cells"]
    assert check["numbers"][group]["left"] == cells[f"{group}.total"]
    assert check["numbers"][group]["right"] == sum(cells[f"{group}.{p}"]
                                                   for p in ("upheld", "corrected", "other", "pending"))
    assert group in check["detail"]


def _applications(**cells: float | None) -> list[dict]:
    """A 2019 applications table of zeros, with some cells replaced (None: printed "/")."""
    from pipelines.statlabels import APPLICANT_COLUMNS, APPLICATION_ROW_ORDER

    stats = [{"table": "applications", "row": r, "column": c, "value": 0, "raw": "0"}
             for r in APPLICATION_ROW_ORDER["2019"] for c in APPLICANT_COLUMNS + ("total",)]
    for name, value in cells.items():
        row, column = name.split("__")
        for stat in stats:
            if (stat["row"], stat["column"]) == (row, column):
                stat.update(value=value, raw="/" if value is None else str(value))
    return stats


def test_unknown_cells_make_a_rule_uncertain_never_a_failure():
    stats = _applications(new_received__natural_person=None, granted__total=None)
    found = {c["rule"]: c for c in run_checks(stats, "", "2019")}
    assert found[1]["status"] == "uncertain" and "natural_person" in found[1]["detail"]
    assert found[2]["status"] == "uncertain" and found[3]["status"] == "uncertain"
    assert found[4]["status"] == "uncertain" and found[4]["detail"] == "table review_litigation not found"
    assert found[1]["numbers"]["natural_person"]["cells"]["new_received.natural_person"] is None


def test_a_known_failure_wins_over_unknowns_elsewhere():
    stats = _applications(new_received__commercial=None, carried_forward__research=2)
    found = statuses(run_checks(stats, "", "2019"))
    assert found[1] == "fail" and found[3] == "fail"


def test_decimals_compare_without_float_noise():
    stats = _applications(new_received__natural_person=0.1, new_received__commercial=0.2,
                          new_received__total=0.3, granted__natural_person=0.1, granted__commercial=0.2,
                          granted__total=0.3, total_processed__natural_person=0.1,
                          total_processed__commercial=0.2, total_processed__total=0.3)
    assert statuses(run_checks(stats, "", "2019"))[3] == "pass"


def test_no_checks_for_documents_without_statistics():
    assert run_checks([], "关于2014年政府信息公开工作要点落实情况的函") == []


# --- rule 5, across years of one agency ---------------------------------------------------------

def test_carry_over_between_consecutive_reports():
    reports = generate_series("某某县人民政府", "350128", range(2019, 2024), seed=5, violate={2022: 5})
    for last, this in zip(reports, reports[1:]):
        last_stats, this_stats = parsed(last)[0].stats, parsed(this)[0].stats
        check = check_carry_over(this_stats, last_stats)
        assert check["rule"] == 5
        assert check["status"] == ("fail" if this.report_year == 2022 else "pass"), this.report_year
    assert carried_forward(reports[0])  # the series really chains numbers


def test_carry_over_without_an_applications_table_is_uncertain():
    free = generate_report("某某县人民政府", "350128", 2018, "free", seed=1)
    this = generate_report("某某县人民政府", "350128", 2019, seed=1)
    check = check_carry_over(parsed(this)[0].stats, parsed(free)[0].stats)
    assert check["status"] == "uncertain"


def test_carry_over_on_the_sample_web_reports_every_violation():
    """Rule 5 over the manifest's own statistics: every pair of consecutive years."""
    from sampleweb.server import SampleWeb

    with SampleWeb(night=0, port=0) as web:
        documents = [d for d in web.manifest()["documents"]
                     if d["doc_type"] == "annual_report" and d["template"] in ("2019", "2021")]
    by_year = {(d["agency"], d["report_year"]): d for d in documents}
    pairs = [(d, by_year[d["agency"], d["report_year"] - 1]) for d in documents
             if (d["agency"], d["report_year"] - 1) in by_year]
    assert pairs
    for this, last in pairs:
        status = check_carry_over(this["stats"], last["stats"])["status"]
        assert status == ("fail" if 5 in this["violations"] else "pass"), this["key"]
