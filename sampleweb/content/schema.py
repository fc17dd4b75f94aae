"""Canonical statistics ids (shared/notes/stats-schema.md) with the labels the templates print."""

from __future__ import annotations

# The applicant columns of the applications table, in printed order.
APPLICANT_COLUMNS: tuple[str, ...] = (
    "natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org",
)
APPLICATION_COLUMNS: tuple[str, ...] = APPLICANT_COLUMNS + ("total",)

# (row id, label) of the 三、本年度办理结果 outcome rows, grouped as the template groups them.
OUTCOME_GROUPS_2019: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("（一）予以公开", (("granted", ""),)),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", (("partially_granted", ""),)),
    ("（三）不予公开", (
        ("denied_state_secret", "1.属于国家秘密"),
        ("denied_prohibited_by_law", "2.其他法律行政法规禁止公开"),
        ("denied_three_safeties", "3.危及“三安全一稳定”"),
        ("denied_third_party", "4.保护第三方合法权益"),
        ("denied_internal_affairs", "5.属于三类内部事务信息"),
        ("denied_process_info", "6.属于四类过程性信息"),
        ("denied_enforcement_file", "7.属于行政执法案卷"),
        ("denied_inquiry", "8.属于行政查询事项"),
    )),
    ("（四）无法提供", (
        ("unavailable_not_held", "1.本机关不掌握相关政府信息"),
        ("unavailable_needs_creation", "2.没有现成信息需要另行制作"),
        ("unavailable_unclear", "3.补正后申请内容仍不明确"),
    )),
    ("（五）不予处理", (
        ("rejected_petition", "1.信访举报投诉类申请"),
        ("rejected_repeat", "2.重复申请"),
        ("rejected_publication", "3.要求提供公开出版物"),
        ("rejected_excessive", "4.无正当理由大量反复申请"),
        ("rejected_confirmation", "5.要求行政机关确认或重新出具已获取信息"),
    )),
    ("（六）其他处理", (("other", ""),)),
)
OUTCOME_GROUPS_2021 = OUTCOME_GROUPS_2019[:-1] + (
    ("（六）其他处理", (
        ("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        ("other_no_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        ("other_other", "3.其他"),
    )),
)
OUTCOME_GROUPS = {"2019": OUTCOME_GROUPS_2019, "2021": OUTCOME_GROUPS_2021}

APPLICATIONS_TOP = (
    ("new_received", "一、本年新收政府信息公开申请数量"),
    ("carried_over", "二、上年结转政府信息公开申请数量"),
)
RESULTS_LABEL = "三、本年度办理结果"
TOTAL_PROCESSED = ("total_processed", "（七）总计")
CARRIED_FORWARD = ("carried_forward", "四、结转下年度继续办理")
APPLICATIONS_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANT_HEADER = (
    "自然人", "法人或其他组织", "总计",
    ("商业\n企业", "科研\n机构", "社会公益组织", "法律服务机构", "其他"),
)


def outcome_rows(template: str) -> tuple[str, ...]:
    """Row ids of 三、本年度办理结果 that (七)总计 sums (rule 2), in printed order."""
    return tuple(row for _, rows in OUTCOME_GROUPS[template] for row, _ in rows)


def application_rows(template: str) -> tuple[str, ...]:
    """All row ids of the applications table in printed order."""
    return (("new_received", "carried_over") + outcome_rows(template)
            + ("total_processed", "carried_forward"))


# 行政复议、行政诉讼: one data row of three groups of five.
REVIEW_ROWS: tuple[tuple[str, str], ...] = (
    ("review", "行政复议"),
    ("litigation_direct", "未经复议直接起诉"),
    ("litigation_after_review", "复议后起诉"),
)
REVIEW_COLUMNS: tuple[tuple[str, str], ...] = (
    ("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"),
    ("pending", "尚未审结"), ("total", "总计"),
)

# 主动公开 (第二十条) sections: (item label, column labels, (row id, row label) ...).
ACTIVE_SECTIONS: dict[str, tuple[tuple[str, tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]], ...]] = {
    "2019": (
        ("第二十条第（一）项",
         (("new_made", "本年新\n制作数量"), ("new_published", "本年新\n公开数量"),
          ("total_published", "对外公开总数量")),
         (("rules", "规章"), ("normative_docs", "规范性文件"))),
        ("第二十条第（五）项",
         (("prev_year_items", "上一年项目数量"), ("change", "本年增/减"), ("decisions", "处理决定数量")),
         (("licensing", "行政许可"), ("other_services", "其他对外管理服务事项"))),
        ("第二十条第（六）项",
         (("prev_year_items", "上一年项目数量"), ("change", "本年增/减"), ("decisions", "处理决定数量")),
         (("penalty", "行政处罚"), ("enforcement", "行政强制"))),
        ("第二十条第（八）项",
         (("prev_year_items", "上一年项目数量"), ("change", "本年增/减")),
         (("fees", "行政事业性收费"),)),
        ("第二十条第（九）项",
         (("procurement_items", "采购项目数量"), ("procurement_amount", "采购总金额")),
         (("procurement", "政府集中采购"),)),
    ),
    "2021": (
        ("第二十条第（一）项",
         (("issued", "本年制发件数"), ("repealed", "本年废止件数"), ("in_force", "现行有效件数")),
         (("rules", "规章"), ("normative_docs", "行政规范性文件"))),
        ("第二十条第（五）项",
         (("decisions", "本年处理决定数量"),),
         (("licensing", "行政许可"),)),
        ("第二十条第（六）项",
         (("decisions", "本年处理决定数量"),),
         (("penalty", "行政处罚"), ("enforcement", "行政强制"))),
        ("第二十条第（八）项",
         (("amount_10k_yuan", "本年收费金额（单位：万元）"),),
         (("fees", "行政事业性收费"),)),
    ),
}
ACTIVE_WIDTH = 4  # the 主动公开 table is four columns wide in both templates

# Free-form 统计表: (row id or None when not canonical, label, unit). Sub-rows are printed
# with 其中： and are not canonical ids.
LEGACY_ROWS: tuple[tuple[str | None, str, str], ...] = (
    ("proactive_items", "主动公开信息数", "条"),
    (None, "其中：1.网站公开", "条"),
    (None, "2.政府公报公开", "条"),
    ("applications_received", "受理依申请公开信息总数", "件"),
    (None, "其中：1.当面申请数", "件"),
    (None, "2.网上申请数", "件"),
    (None, "3.信函申请数", "件"),
    (None, "对申请的答复数", "件"),
    ("applications_granted", "其中：1.同意公开答复数", "件"),
    ("applications_partial", "2.同意部分公开答复数", "件"),
    ("applications_denied", "3.否决公开答复数", "件"),
    ("reviews", "行政复议数", "件"),
    ("lawsuits", "行政诉讼数", "件"),
    ("fees_yuan", "依申请公开收费", "元"),
)
LEGACY_HEADER = ("指标名称", "计量\n单位", "{year}\n年度", "历年累计")


def template_for_year(year: int) -> str:
    """The template a report of this year normally follows."""
    if year >= 2021:
        return "2021"
    if year >= 2019:
        return "2019"
    return "free"
