"""The reporting body, not the web office that posted the page."""

from __future__ import annotations

import pytest

from pipelines.agency import resolve_agency, source_body, title_body


@pytest.mark.parametrize("title, sources, hint, agency", [
    # seed 001: a bare district named by the title; the city's 信息公开办 posted it
    ("凉州区2016年政府信息公开工作年度报告", ["信息公开办"], "武威市人民政府", "凉州区人民政府"),
    # seed 000: an abbreviation expanded by 来源
    ("省管局2018年政府信息公开工作年度报告", ["安徽省机关事务管理局"], None, "安徽省机关事务管理局"),
    # the zone's 管委会 from the web office's name, 办公室 cut
    ("平潭综合实验区2023年度政府信息公开工作年度报告", ["平潭综合实验区管委会办公室"], None, "平潭综合实验区管委会"),
    # a short name completed by the registry
    ("安庆矿区办事处2019年政府信息公开工作年度报告", [], "铜陵市郊区安庆矿区办事处", "铜陵市郊区安庆矿区办事处"),
    # the title's second name in brackets is dropped
    ("六安市数据资源管理局(政务服务管理局)2020年政府信息公开工作年度报告", ["市数管局(政务服务局)"], None,
     "六安市数据资源管理局"),
    # an office named by the title is the agency
    ("凉州区人民政府办公室2019年政府信息公开工作年度报告", ["凉州区人民政府"], None, "凉州区人民政府办公室"),
    # no body in the title: the registry's agency, not the web office
    ("关于2014年政府信息公开工作要点落实情况的函", ["平潭综合实验区管委会办公室"], "平潭综合实验区管委会",
     "平潭综合实验区管委会"),
])
def test_resolve_agency(title, sources, hint, agency):
    assert resolve_agency(title, sources, hint, []) == agency


def test_issuing_line_names_a_notices_body():
    lines = ["六审发〔2019〕70号", "六安市审计局关于印发2019年度政务公开暨电子政务目标任务责任清单的通知"]
    assert resolve_agency("六安市印发2019年度政务公开暨电子政务目标任务责任清单", ["中国电子政务网"], None,
                          lines) == "六安市审计局"


def test_websites_people_and_offices_are_not_bodies():
    assert source_body("中国电子政务网") is None
    assert source_body("超级管理员") is None
    assert source_body("信息公开办") is None
    assert source_body("信息公开2") is None
    assert source_body("福州市财政局办公室") == "福州市财政局"
    assert title_body("政府信息公开年报") is None
