"""Report year and document type, from the title first and the body's own words second.

Vocabularies are data. A title's year wins; the year the body says it reports on is
kept apart so that a title contradicting its text (seed 002) is flagged, not hidden.
"""

from __future__ import annotations

import re

from .dates import CN_DIGIT, cn_digits, years_in

# A title that names a disclosure annual report (normalized text).
REPORT_TITLE_RE = re.compile(
    r"(政府信息公开|政务公开|信息公开)[^,，。]{0,12}(年度报告|年报|年度工作报告)"
    r"|(政府信息公开|信息公开)工作报告"
)
# Titles of items that sit in 年报 columns but are not reports.
OTHER_TITLE_RE = re.compile(
    r"工作要点|要点落实|责任清单|任务分工|指南|目录|通知$|的函$|函$|意见$|方案$|办法$|规定$|公告$|通报$"
    r"|批复$|决定$|页面不存在|404|not found|找不到|已删除|无法访问|出错"
)
# Section headings of a report body (both templates and the free-form era).
REPORT_SECTIONS = (
    r"(总体情况|概述)", r"主动公开", r"(依申请公开|收到和处理政府信息公开申请)",
    r"(行政复议|行政诉讼)", r"(存在的主要问题|问题及改进|改进措施)", r"(其他需要报告的事项|收费及减免)",
)
SECTION_RES = tuple(re.compile(rf"^[一二三四五六七八九十]+[、.．]\s*\S{{0,12}}{p}") for p in REPORT_SECTIONS)
MIN_SECTIONS = 3
NOT_FOUND_RE = re.compile(r"页面不存在|页面已删除|页面未找到|找不到(该|此)?页面|404 not found|信息已删除")

# How a body states the year it reports on (normalized text), most explicit first.
_Y = rf"((?:19|20)\d{{2}}|[{CN_DIGIT}]{{4}})"
BODY_YEAR_RES = tuple(re.compile(p) for p in (
    rf"统计期限(?:为|是|自|从)?{_Y}年\s*1月\s*1日",
    rf"现将{_Y}年度?\S{{0,20}}(?:工作|情况)\S{{0,10}}(?:报告|公布)如下",
    rf"(?:公布|发布|编制)\S{{0,6}}{_Y}年度?\S{{0,10}}(?:年度报告|工作报告)",
    rf"^{_Y}年度?(?:以来)?[,，]",
    rf"^{_Y}年度?\S{{2,24}}(?:认真|坚持|深入|全面|紧紧|按照|围绕|继续|进一步)",
))
BODY_YEAR_LINES = 12


def _year(text: str) -> int | None:
    return int(text) if text.isdigit() else cn_digits(text)


def title_year(title: str | None) -> int | None:
    """The year a title names: the first year written before 年 (二〇一八年度 counts)."""
    years = years_in(title or "")
    return years[0] if years else None


def body_year(lines: list[str]) -> int | None:
    """The year the body itself says it reports on, from its opening lines."""
    head = lines[:BODY_YEAR_LINES]
    for pattern in BODY_YEAR_RES:
        for line in head:
            match = pattern.search(line)
            if match:
                return _year(match.group(1))
    return None


def section_count(lines: list[str]) -> int:
    """How many of the report's section headings the body carries."""
    return sum(any(p.search(line) for line in lines) for p in SECTION_RES)


def doc_type(title: str | None, lines: list[str]) -> str:
    """``annual_report`` or ``other`` (notices, 工作要点, guides, list and error pages)."""
    title = title or ""
    if NOT_FOUND_RE.search(title) or (len(lines) < 5 and any(NOT_FOUND_RE.search(x) for x in lines)):
        return "other"
    if title and OTHER_TITLE_RE.search(title) and not REPORT_TITLE_RE.search(title.split("关于")[-1]):
        return "other"
    if REPORT_TITLE_RE.search(title) and title_year(title) is not None:
        return "annual_report"
    return "annual_report" if section_count(lines) >= MIN_SECTIONS else "other"
