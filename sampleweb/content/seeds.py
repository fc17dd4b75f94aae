"""The five real seed texts (sampleweb/data/seeds/) as reports with their truth.

The seed texts are captures with site chrome left in; the chrome is cut here by line
patterns so that ``blocks`` hold only report content (the sites add chrome back per CMS).
Seed 002 carries a title the page gave it (2019) that conflicts with the body, which
speaks of 2018 (and once of 2020): the truth is report_year 2019 from the title,
body_year 2018. Seed 004 keeps 比分直播,篮球比分直播 where 关于 stood: the clean blocks
have 关于 restored and the injection is recorded in ``injections``/``spam``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache
from importlib import resources

from .model import Report, StatCell, Table
from .script import to_simplified
from .schema import ACTIVE_SECTIONS, APPLICATION_COLUMNS, REVIEW_COLUMNS, REVIEW_ROWS, application_rows
from .tables import active_table, applications_table, review_table

# Lines that are site chrome, not report content.
CHROME_LINES = tuple(re.compile(p) for p in (
    r"^发布日期:.*来源:", r"^\S+ \d{4}-\d{2}-\d{2}$", r"^信息来源:", r"^浏览次数:", r"^字号:?$",
    r"^解读$", r"^文件下载$", r"^政策咨询$", r"^如果您对该政策文件有疑问", r"^扫一扫在手机打开当前页$",
    r"^Produced By 大汉网络", r"^來源:.*更新時間:",
))
# Headings between which the 2019-template tables sit, flattened, in seeds 002 and 004.
TABLE_SECTIONS = (
    ("二、主动公开政府信息情况", "active"),
    ("三、收到和处理政府信息公开申请情况", "applications"),
    ("四、政府信息公开行政复议、行政诉讼情况", "review_litigation"),
    ("五、存在的主要问题及改进情况", None),
)
CELL_VALUE = re.compile(r"^(\d+(?:\.\d+)?|无|/)$")

# Truth per seed. ``title`` None: the text has no title line; the page shows ``page_title``.
SEEDS: dict[str, dict] = {
    "000": dict(file="000_1c9f5b88b79d940b.txt", title="省管局2018年政府信息公开工作年度报告",
                agency="安徽省机关事务管理局", region_code="340000", report_year=2018, template="free",
                publish_date="2018-12-29", legacy=(
                    ("proactive_items", "year", 1036, "在门户网站和政务公开系统公开各类信息1036条"),
                    ("applications_received", "year", 1, "受理依申请公开1件"),
                    ("fees_yuan", "year", 0, "全年我局依申请公开的政府信息未收取任何费用"),
                    ("reviews", "year", 0, "全年我局无因政府信息公开申请行政复议、提起行政诉讼情况"),
                    ("lawsuits", "year", 0, "全年我局无因政府信息公开申请行政复议、提起行政诉讼情况"))),
    "001": dict(file="001_990f776b87745625.txt", title="凉州区2016年政府信息公开工作年度报告",
                agency="凉州区人民政府", region_code="620602", report_year=2016, template="free",
                publish_date="2020-09-29", publisher="信息公开办", legacy=(
                    ("proactive_items", "year", 18144, "主动公开政府信息18144条"),
                    ("applications_received", "year", 3, "收到公开政府信息的申请3件"),
                    ("applications_received", "cumulative", 146, "2008年以来共收到公开政府信息申请146件"),
                    ("fees_yuan", "year", 0, "均未向申请人收取任何费用"),
                    ("reviews", "year", 0, "未收到因政府信息公开工作而提起的行政复议和行政诉讼"),
                    ("lawsuits", "year", 0, "未收到因政府信息公开工作而提起的行政复议和行政诉讼"))),
    "002": dict(file="002_22aab187490cdc1c.txt", title=None,
                page_title="铜陵市郊区安庆矿区办事处2019年政府信息公开工作年度报告",
                agency="铜陵市郊区安庆矿区办事处", region_code="340711", report_year=2019, body_year=2018,
                template="2019", publish_date="2020-01-16"),
    "003": dict(file="003_2457045c09f18477.txt", title="六安市印發2019年度政務公開暨電子政務目標任務責任清單",
                agency="六安市审计局", region_code="341500", report_year=None, body_year=2019, template=None,
                doc_type="other", script="traditional", publish_date="2019-07-17", publisher="中國電子政務網",
                spam=("老时时2011081901",),
                # The bureau's own page the mirror copied: simplified, under the notice's full title.
                original=dict(title="六安市审计局关于印发2019年度政务公开暨电子政务目标任务责任清单的通知",
                              publish_date="2019-07-16", publisher="六安市审计局")),
    "004": dict(file="004_81c06934ecf83b01.txt",
                title="六安市数据资源管理局(政务服务管理局)2020年政府信息公开工作年度报告",
                agency="六安市数据资源管理局", region_code="341500", report_year=2020, template="2019",
                publish_date="2021-01-17", publisher="市数管局(政务服务局)",
                injections=(("关于", "比分直播,篮球比分直播"),)),
}


def seed_text(key: str) -> str:
    """The bundled seed text, as captured."""
    return resources.files("sampleweb.data").joinpath("seeds", SEEDS[key]["file"]).read_text("utf-8")


def _content_lines(text: str, title: str | None, spam: tuple[str, ...]) -> list[str]:
    lines = [line.strip() for line in text.splitlines()]
    if title is not None:
        lines = lines[lines.index(title) + 1:]
    return [line for line in lines if line and line not in spam
            and not any(p.search(line) for p in CHROME_LINES)]


def _table_values(lines: list[str]) -> list[str]:
    """Cell values of a flattened table: pipe rows or one cell per line, labels dropped."""
    tokens = [t for line in lines for t in re.split(r"[|\s]+", line)]
    return [t for t in tokens if CELL_VALUE.match(t)]


def _number(raw: str) -> int | float | None:
    if not re.fullmatch(r"\d+(?:\.\d+)?", raw):
        return None
    return float(raw) if "." in raw else int(raw)


def _tables(sections: dict[str, list[str]], template: str) -> tuple[list[StatCell], dict[str, Table]]:
    """Rebuild the three template tables from the flattened values, in template order."""
    keys = {
        "active": [(row, column) for _, columns, rows in ACTIVE_SECTIONS[template]
                   for row, _ in rows for column, _ in columns],
        "applications": [(row, column) for row in application_rows(template) for column in APPLICATION_COLUMNS],
        "review_litigation": [(group, column) for group, _ in REVIEW_ROWS for column, _ in REVIEW_COLUMNS],
    }
    stats: list[StatCell] = []
    raw: dict[str, dict[tuple[str, str], str]] = {}
    for table, ids in keys.items():
        values = _table_values(sections[table])
        if len(values) != len(ids):
            raise ValueError(f"seed table {table}: {len(values)} values for {len(ids)} cells")
        raw[table] = dict(zip(ids, values))
        stats += [StatCell(table, row, column, _number(v), v) for (row, column), v in zip(ids, values)]
    tables = {"active": active_table(template, raw["active"]),
              "applications": applications_table(template, raw["applications"]),
              "review_litigation": review_table(raw["review_litigation"])}
    return stats, tables


def _blocks(lines: list[str], template: str | None) -> tuple[list[str | Table], list[StatCell]]:
    if template not in ("2019", "2021"):
        return list(lines), []
    headings = [h for h, _ in TABLE_SECTIONS]
    starts = [lines.index(h) for h in headings]
    sections = {table: lines[start + 1:end] for (_, table), start, end
                in zip(TABLE_SECTIONS, starts, starts[1:]) if table}
    stats, tables = _tables(sections, template)
    blocks: list[str | Table] = list(lines[:starts[0]])
    for (heading, table), start in zip(TABLE_SECTIONS, starts):
        blocks.append(heading)
        if table:
            blocks.append(tables[table])
    blocks += lines[starts[-1] + 1:]
    return blocks, stats


def _seed_report(key: str) -> Report:
    truth = SEEDS[key]
    spam = truth.get("spam", ())
    injections = truth.get("injections", ())
    text = seed_text(key)
    for original, injected in injections:
        text = text.replace(injected, original)
    lines = _content_lines(text, truth["title"], spam)
    blocks, stats = _blocks(lines, truth["template"])
    legacy = [StatCell("legacy", row, column, value, raw) for row, column, value, raw in truth.get("legacy", ())]
    return Report(
        title=truth["title"] or truth["page_title"], agency=truth["agency"], region_code=truth["region_code"],
        report_year=truth["report_year"], template=truth["template"],
        doc_type=truth.get("doc_type", "annual_report"), blocks=tuple(blocks), stats=tuple(stats + legacy),
        body_year=truth.get("body_year", truth["report_year"]), script=truth.get("script", "simplified"),
        spam=spam + tuple(injected for _, injected in injections), injections=injections,
        publish_date=truth["publish_date"], publisher=truth.get("publisher"))


@cache
def seed_documents() -> dict[str, Report]:
    """The five seeds as reports, keyed '000'…'004'."""
    return {key: _seed_report(key) for key in SEEDS}


def seed_original(key: str) -> Report:
    """The page a seed captured from a mirror was copied from: back in simplified script,
    without the mirror's spam, under the original's title, date and publisher."""
    truth = SEEDS[key]
    if "original" not in truth:
        raise KeyError(f"seed {key} is not a mirror capture")
    copy = seed_documents()[key]
    blocks = tuple(Table(to_simplified(b.caption), tuple(tuple((to_simplified(t), r, c) for t, r, c in row)
                                                         for row in b.rows), b.kind)
                   if isinstance(b, Table) else to_simplified(b) for b in copy.blocks)
    return replace(copy, blocks=blocks, script="simplified", spam=(), injections=(), **truth["original"])
