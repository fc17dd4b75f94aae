"""Label vocabularies of the report statistics, as data: printed labels → canonical ids.

The ids are those of ``docs/statistics.md`` (shared/notes/stats-schema.md), a public
interface. Patterns are regular expressions over a *label path*: the distinct header cells
above a column (or label cells left of a row) joined without separator, after
``normalize_label`` (NFKC, so ``（六）`` reads ``(六)``; simplified script; no pinyin
glosses, whitespace or quotes). Order
matters: the first pattern that matches wins, so specific labels come before the generic
ones they contain (部分公开 before 予以公开, 其他处理…3.其他 before 其他处理).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

Vocabulary = tuple[tuple[str, re.Pattern[str]], ...]

_T2S = opencc.OpenCC("t2s")
# Mirror sites gloss characters with pinyin: 發(fā)布.
_PINYIN_GLOSS = re.compile(r"\((?:[a-züāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹ]+)\)")
_DROP = re.compile(r"[\s\"'“”‘’「」『』]")


def simplified(text: str) -> str:
    """Text in simplified script without pinyin glosses (punctuation as printed)."""
    return _PINYIN_GLOSS.sub("", _T2S.convert(text))


def fold(text: str) -> str:
    """Text as the vocabularies spell it: ``simplified`` and NFKC (full-width → ASCII)."""
    return simplified(unicodedata.normalize("NFKC", text))


@lru_cache(maxsize=4096)
def normalize_label(text: str) -> str:
    """Label text for matching: ``fold``-ed, no whitespace, no quotes."""
    return _DROP.sub("", fold(text))


def _vocabulary(*entries: tuple[str, str]) -> Vocabulary:
    return tuple((name, re.compile(pattern)) for name, pattern in entries)


def match(vocabulary: Vocabulary, label: str) -> str | None:
    """The id of the first pattern found in ``label`` (already normalized), or None."""
    for name, pattern in vocabulary:
        if pattern.search(label):
            return name
    return None


# --- 收到和处理政府信息公开申请情况 -----------------------------------------------------------
APPLICATION_ROWS = _vocabulary(
    ("new_received", r"本年新收|新收.*申请"),
    ("carried_over", r"上年结转"),
    ("carried_forward", r"结转下年"),
    ("partially_granted", r"部分公开"),
    ("granted", r"予以公开"),
    ("denied_state_secret", r"国家秘密"),
    ("denied_prohibited_by_law", r"法律行政法规禁止|法律法规禁止"),
    ("denied_three_safeties", r"三安全一稳定"),
    ("denied_third_party", r"第三方合法权益"),
    ("denied_internal_affairs", r"内部事务"),
    ("denied_process_info", r"过程性信息"),
    ("denied_enforcement_file", r"执法案卷"),
    ("denied_inquiry", r"查询事项"),
    ("unavailable_not_held", r"不掌握"),
    ("unavailable_needs_creation", r"另行制作"),
    ("unavailable_unclear", r"仍不明确"),
    ("rejected_petition", r"信访|举报投诉"),
    ("rejected_repeat", r"重复申请"),
    ("rejected_publication", r"公开出版物"),
    ("rejected_excessive", r"大量反复"),
    ("rejected_confirmation", r"重新出具|确认"),
    ("other_no_correction", r"不补正"),
    ("other_no_fee", r"缴纳费用|收费通知"),
    ("other_other", r"其他处理.*其他$|(^|[^\d])3[.、]?其他$"),
    ("other", r"其他处理$"),
    ("total_processed", r"(总计|合计)$"),
)
APPLICATION_COLUMNS = _vocabulary(
    ("natural_person", r"自然人$"),
    ("commercial", r"商业企业$"),
    ("research", r"科研机构$"),
    ("social_welfare", r"公益组织$"),
    ("legal_service", r"法律服务机构$"),
    ("other_org", r"其他$"),
    ("total", r"(总计|合计)$"),
)
APPLICANT_COLUMNS = ("natural_person", "commercial", "research", "social_welfare",
                     "legal_service", "other_org")
# Rows of 三、本年度办理结果 that （七）总计 sums (rule 2), by template.
OUTCOME_ROWS_COMMON = (
    "granted", "partially_granted",
    "denied_state_secret", "denied_prohibited_by_law", "denied_three_safeties", "denied_third_party",
    "denied_internal_affairs", "denied_process_info", "denied_enforcement_file", "denied_inquiry",
    "unavailable_not_held", "unavailable_needs_creation", "unavailable_unclear",
    "rejected_petition", "rejected_repeat", "rejected_publication", "rejected_excessive",
    "rejected_confirmation",
)
OTHER_ROWS = {"2019": ("other",), "2021": ("other_no_correction", "other_no_fee", "other_other")}
OUTCOME_ROWS = {template: OUTCOME_ROWS_COMMON + rows for template, rows in OTHER_ROWS.items()}
APPLICATION_ROW_ORDER = {
    template: ("new_received", "carried_over") + rows + ("total_processed", "carried_forward")
    for template, rows in OUTCOME_ROWS.items()
}

# --- 行政复议、行政诉讼 ------------------------------------------------------------------------
REVIEW_ROWS = _vocabulary(
    ("litigation_after_review", r"复议后"),
    ("litigation_direct", r"未经复议|直接起诉"),
    ("review", r"行政复议"),
)
REVIEW_COLUMNS = _vocabulary(
    ("upheld", r"维持$"),
    ("corrected", r"纠正$"),
    ("other", r"其他(结果)?$"),
    ("pending", r"(尚未审结|未审结|审理中)$"),
    ("total", r"(总计|合计)$"),
)
REVIEW_ROW_ORDER = ("review", "litigation_direct", "litigation_after_review")
REVIEW_COLUMN_ORDER = ("upheld", "corrected", "other", "pending", "total")

# --- 主动公开政府信息情况 (第二十条) -----------------------------------------------------------
ACTIVE_ROWS = _vocabulary(
    ("rules", r"规章$"),
    ("normative_docs", r"规范性文件$"),
    ("licensing", r"行政许可$"),
    ("other_services", r"对外管理服务"),
    ("penalty", r"行政处罚$"),
    ("enforcement", r"行政强制$"),
    ("fees", r"事业性收费$"),
    ("procurement", r"集中采购$"),
)
ACTIVE_COLUMNS = _vocabulary(
    ("new_made", r"新制作"),
    ("new_published", r"新公开"),
    ("total_published", r"公开总数"),
    ("prev_year_items", r"上一?年项目"),
    ("change", r"增/?减"),
    ("decisions", r"处理决定"),
    ("procurement_items", r"采购项目"),
    ("procurement_amount", r"采购总?金额"),
    ("issued", r"制发"),
    ("repealed", r"废止"),
    ("in_force", r"现行有效"),
    ("amount_10k_yuan", r"收费金额"),
)
# (row, columns) each template prints; used to recognise the template and partial tables.
ACTIVE_CELLS = {
    "2019": (
        (("rules", "normative_docs"), ("new_made", "new_published", "total_published")),
        (("licensing", "other_services", "penalty", "enforcement"),
         ("prev_year_items", "change", "decisions")),
        (("fees",), ("prev_year_items", "change")),
        (("procurement",), ("procurement_items", "procurement_amount")),
    ),
    "2021": (
        (("rules", "normative_docs"), ("issued", "repealed", "in_force")),
        (("licensing", "penalty", "enforcement"), ("decisions",)),
        (("fees",), ("amount_10k_yuan",)),
    ),
}

# --- free-form era 统计表 (指标名称 / 计量单位 / 本年度 / 历年累计) ----------------------------
# Sub-rows printed with 其中： are not canonical; 收费减免金额 (waived fees) is not 收费.
LEGACY_ROWS = _vocabulary(
    ("proactive_items", r"^主动公开[^其]*数"),
    ("applications_received", r"^(受理|收到)[^其]*申请[^其]*数"),
    ("applications_partial", r"部分公开[^其]*数"),
    ("applications_granted", r"同意公开[^其]*数"),
    ("applications_denied", r"(否决|不予|不同意)公开[^其]*数"),
    ("reviews", r"^(因政府信息公开申请)?(申请)?行政复议[^其]*数"),
    ("lawsuits", r"^(因政府信息公开申请)?(提起)?行政诉讼[^其]*数"),
    ("fees_yuan", r"收费(?!减免)[^其]*元$|收费(?!减免)[^其元]*$"),
)
LEGACY_COLUMNS = _vocabulary(
    ("cumulative", r"累计"),
    ("year", r"本年|\d{4}年度?$|年度$"),
)

# --- which vocabulary belongs to which table ---------------------------------------------
TABLES: dict[str, tuple[Vocabulary, Vocabulary]] = {
    "applications": (APPLICATION_ROWS, APPLICATION_COLUMNS),
    "review_litigation": (REVIEW_ROWS, REVIEW_COLUMNS),
    "active": (ACTIVE_ROWS, ACTIVE_COLUMNS),
    "legacy": (LEGACY_ROWS, LEGACY_COLUMNS),
}
TEMPLATE_TABLES = ("active", "applications", "review_litigation")

# Ids that only one template prints: how the template is told from the labels.
TEMPLATE_MARKERS: dict[str, frozenset[tuple[str, str]]] = {
    # (table, row or column id); either axis may carry the marker
    "2019": frozenset({("applications", "other"), ("active", "new_made"), ("active", "new_published"),
                       ("active", "total_published"), ("active", "prev_year_items"),
                       ("active", "change"), ("active", "procurement_items"),
                       ("active", "procurement_amount"), ("active", "other_services"),
                       ("active", "procurement")}),
    "2021": frozenset({("applications", "other_no_correction"), ("applications", "other_no_fee"),
                       ("applications", "other_other"), ("active", "issued"), ("active", "repealed"),
                       ("active", "in_force"), ("active", "amount_10k_yuan")}),
}
# Text markers, used only when the tables carry no template marker (e.g. only 复议/诉讼 parsed).
TEMPLATE_TEXT_MARKERS = (
    ("2021", re.compile(r"〔2021〕30号|\[2021\]30号|本年制发件数|现行有效件数")),
    ("2019", re.compile(r"〔2019〕60号|\[2019\]60号|本年新制作数量|采购总金额")),
)
# A section heading of the template tables: the report has tables we could not read.
TEMPLATE_TABLE_HEADING = re.compile(r"收到和处理政府信息公开申请情况")

# --- counts stated in the narrative ------------------------------------------------------
# A number must follow its phrase directly and carry its unit: "5300余条", "4000多条" and
# percentages never match. Each pattern has one group, the number.
_N = r"(\d+(?:\.\d+)?)"
# Free-form era: legacy row id -> patterns quoting its 本年度 value.
LEGACY_NARRATIVE = (
    ("proactive_items", re.compile(
        r"(?<!申请)公开(?:各类)?(?:政府)?信息(?:共计?|总计|合计|总数为?|数量?为?|达)?" + _N + "条")),
    ("applications_received", re.compile(
        r"(?:收到|受理|接收|新收)[^，。；,;\d]{0,20}?(?:公开[^，。；,;\d]{0,8}?(?<!复议)(?<!诉讼)申请|申请公开)"
        r"(?:共计?|总计|合计|数为?)?" + _N + "件")),
    ("applications_partial", re.compile(r"(?:同意)?部分公开(?:答复)?" + _N + "件")),
    ("applications_granted", re.compile(r"(?<!部分)(?:同意|予以)公开(?:答复)?" + _N + "件")),
    ("applications_denied", re.compile(r"(?:不予|否决|不同意)公开(?:答复)?" + _N + "件")),
    ("reviews", re.compile(r"行政复议(?:申请|案件)?(?:共计?)?" + _N + "(?:件|起)")),
    ("lawsuits", re.compile(r"行政诉讼(?:案件)?(?:共计?)?" + _N + "(?:件|起)")),
    ("fees_yuan", re.compile(r"收取[^，。；,;\d]{0,12}?费用?(?:共计?)?" + _N + "元")),
)
# Statements that a count is zero, with no digit to read.
_NONE = r"(?:(?:未|没有)(?:发生|收到|出现|接到|有)|无因|无(?=行政))"
LEGACY_NARRATIVE_ZERO = (
    ("applications_received", re.compile(
        r"未(?:收到|受理|接到)(?:任何|有关)?(?:政府信息公开|公开政府信息|依申请公开)(?:的)?申请")),
    ("reviews", re.compile(_NONE + r"[^。；;，,]{0,24}?行政复议")),
    ("lawsuits", re.compile(_NONE + r"[^。；;，,]{0,24}?行政诉讼")),
    ("fees_yuan", re.compile(r"(?:未|不)[^。；;，,]{0,6}?收取[^。；;]{0,12}?费用|暂不收费|未收费")),
)
# A clause counting since an earlier year: the number belongs to 历年累计, not 本年度.
CUMULATIVE_CLAUSE = re.compile(r"\d{4}年(?:以来|至今)|历年|自\d{4}年")
CLAUSE_START = re.compile(r"[，。；,;：:！？!?]")

# Template era (rule 6): phrase -> the table cells it quotes, summed. Rows a template does
# not print (其他处理 is one row in 2019, three in 2021) are left out of the sum.
_OTHER = ("other", "other_no_correction", "other_no_fee", "other_other")
NARRATIVE_CLAIMS = (
    (re.compile(r"(?:收到|新收|受理|接收)[^，。；,;\d]{0,20}?公开[^，。；,;\d]{0,8}?(?<!复议)(?<!诉讼)申请(?:共计?|总计|合计)?"
                + _N + "件"),
     "applications", ("new_received",), "total"),
    (re.compile(r"上年结转(?:政府信息公开申请|申请)?" + _N + "件"), "applications", ("carried_over",), "total"),
    (re.compile(r"(?:办结|共处理|处理依申请公开)(?:政府信息公开申请|依申请公开|申请)?(?:共计?)?" + _N + "件"),
     "applications", ("total_processed",), "total"),
    (re.compile(r"予以公开(?:及|和|与|、)部分公开" + _N + "件"), "applications",
     ("granted", "partially_granted"), "total"),
    (re.compile(r"(?<!不)予以公开" + _N + "件"), "applications", ("granted",), "total"),
    (re.compile(r"(?<![及和与、])部分公开" + _N + "件"), "applications", ("partially_granted",), "total"),
    (re.compile(r"不予公开" + _N + "件"), "applications",
     tuple(r for r in OUTCOME_ROWS_COMMON if r.startswith("denied_")), "total"),
    (re.compile(r"无法提供" + _N + "件"), "applications",
     tuple(r for r in OUTCOME_ROWS_COMMON if r.startswith("unavailable_")), "total"),
    (re.compile(r"不予处理" + _N + "件"), "applications",
     tuple(r for r in OUTCOME_ROWS_COMMON if r.startswith("rejected_")), "total"),
    (re.compile(r"其他处理" + _N + "件"), "applications", _OTHER, "total"),
    (re.compile(r"结转下年度?(?:继续办理)?" + _N + "件"), "applications", ("carried_forward",), "total"),
    (re.compile(r"行政复议(?:案件|申请)?(?:共计?)?" + _N + "(?:件|起)"), "review_litigation", ("review",), "total"),
    (re.compile(r"行政诉讼(?:案件)?(?:共计?)?" + _N + "(?:件|起)"), "review_litigation",
     ("litigation_direct", "litigation_after_review"), "total"),
)
NARRATIVE_ZERO_CLAIMS = (
    (re.compile(_NONE + r"[^。；;，,]{0,24}?行政复议"), "review_litigation", ("review",), "total"),
    (re.compile(_NONE + r"[^。；;，,]{0,24}?行政诉讼"), "review_litigation",
     ("litigation_direct", "litigation_after_review"), "total"),
)
# A quoted number is not compared when its clause speaks of another period (去年, 同比,
# 2008年以来) or it says right after that it includes something else (81件（含上年结转2件）).
CLAIM_OTHER_PERIOD = re.compile(r"去年|上一?年度|同比|较上年|比上年|\d{4}年以来|历年")
CLAIM_QUALIFIED = re.compile(r"\s*[(（](?:含|包括|其中)")
SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|\n")
