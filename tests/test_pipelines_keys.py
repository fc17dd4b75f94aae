"""Report year (title first, body's own year apart) and document type."""

from __future__ import annotations

import pytest

from pipelines.keys import body_year, doc_type, title_year


@pytest.mark.parametrize("title, year", [
    ("平潭综合实验区2016年度政府信息公开工作年度报告", 2016),
    ("2016年度凉州区政府信息公开工作年度报告", 2016),
    ("二〇一八年度政府信息公开工作年度报告", 2018),
    ("某局政府信息公开工作年度报告", None),
])
def test_title_year(title, year):
    assert title_year(title) == year


def test_body_year_prefers_the_statistics_period():
    lines = ["2019年以来，我局持续推进政务公开。", "本报告所列数据的统计期限自2020年1月1日起至2020年12月31日止。"]
    assert body_year(lines) == 2020
    assert body_year(["2018年,铜陵市郊区安庆矿区办事处信息公开工作认真贯彻落实…,现将2018年工作情况报告如下:。"]) == 2018
    assert body_year(["一、总体情况", "全年共公开信息100条。"]) is None


@pytest.mark.parametrize("title, expected", [
    ("平潭综合实验区2019年度政府信息公开工作年度报告", "annual_report"),
    ("关于2014年政府信息公开工作要点落实情况的函", "other"),
    ("六安市印发2019年度政务公开暨电子政务目标任务责任清单", "other"),
    ("某局关于印发2019年政务公开工作任务分工的通知", "other"),
    ("某局政府信息公开指南（2020年版）", "other"),
    ("404 页面不存在", "other"),
    ("政府信息公开年报", "other"),  # the column's list page
])
def test_doc_type_from_title(title, expected):
    assert doc_type(title, ["一、2014年工作情况"]) == expected


def test_doc_type_from_sections_when_there_is_no_title():
    sections = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况"]
    assert doc_type(None, sections) == "annual_report"
    assert doc_type(None, sections[:2]) == "other"
