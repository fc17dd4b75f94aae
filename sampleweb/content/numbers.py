"""Known numbers for generated reports: values that satisfy the arithmetic rules, or break one.

Rules (shared/notes/report-format.md): 1. 一+二 = （七）总计+四 per column; 2. （七）总计 = Σ
outcome rows; 3. 总计 column = Σ applicant columns per row; 4. 复议/诉讼 维持+纠正+其他+尚未审结 = 总计;
5. this year's 二、上年结转 = last year's 四、结转下年度继续办理; 6. narrative numbers equal the table
(the narrative layer breaks that one).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping

from .model import StatCell
from .schema import (
    ACTIVE_SECTIONS, APPLICANT_COLUMNS, REVIEW_COLUMNS, REVIEW_ROWS, application_rows, outcome_rows,
)

Grid = dict[tuple[str, str], int]
Put = Callable[[str, str, "int | float | None", str], None]

# How often each outcome occurs, relative; rows missing here never occur.
OUTCOME_WEIGHTS: dict[str, float] = {
    "granted": 40, "partially_granted": 12, "denied_state_secret": 0.5,
    "denied_prohibited_by_law": 1, "denied_three_safeties": 0.5, "denied_third_party": 3,
    "denied_internal_affairs": 2, "denied_process_info": 3, "denied_enforcement_file": 1,
    "denied_inquiry": 2, "unavailable_not_held": 22, "unavailable_needs_creation": 4,
    "unavailable_unclear": 4, "rejected_petition": 4, "rejected_repeat": 4,
    "rejected_publication": 1, "rejected_excessive": 1, "rejected_confirmation": 1,
    "other": 3, "other_no_correction": 2, "other_no_fee": 0.5, "other_other": 2,
}
# Typical yearly applications by applicant column, (low, high) for an agency of scale 1.
APPLICANT_VOLUME: dict[str, tuple[int, int]] = {
    "natural_person": (1, 60), "commercial": (0, 6), "research": (0, 1),
    "social_welfare": (0, 1), "legal_service": (0, 3), "other_org": (0, 2),
}
# Highest count per 复议/诉讼 outcome (维持, 纠正, 其他, 尚未审结) for a busy year.
REVIEW_SPREAD = (3, 1, 1, 1)


def applications(rng: random.Random, template: str, carried_over: Mapping[str, int] | None,
                 scale: float) -> Grid:
    """The applications table as {(row, column): value}, satisfying rules 1–3."""
    rows = outcome_rows(template)
    weights = [OUTCOME_WEIGHTS[r] for r in rows]
    grid: Grid = {(r, c): 0 for r in application_rows(template) for c in APPLICANT_COLUMNS}
    for column in APPLICANT_COLUMNS:
        low, high = APPLICANT_VOLUME[column]
        new = rng.randint(low, max(low, round(high * scale))) if rng.random() < 0.8 or low else 0
        if carried_over is not None:
            carried = int(carried_over.get(column, 0))
        else:
            carried = rng.randint(0, max(0, new // 8)) if rng.random() < 0.4 else 0
        forward = rng.randint(0, max(0, (new + carried) // 6)) if rng.random() < 0.4 else 0
        grid["new_received", column] = new
        grid["carried_over", column] = carried
        grid["carried_forward", column] = forward
        processed = new + carried - forward
        grid["total_processed", column] = processed
        for row in rng.choices(rows, weights=weights, k=processed):
            grid[row, column] += 1
    if grid["new_received", "natural_person"] == 0:  # every generated report has some traffic
        _add(grid, ["new_received", "granted", "total_processed"], "natural_person", 1)
    return grid


def _add(grid: Grid, rows: list[str], column: str, amount: int) -> None:
    for row in rows:
        grid[row, column] += amount


def break_rule(grid: Grid, rule: int, template: str, rng: random.Random) -> None:
    """Change ``grid`` so that exactly ``rule`` (1, 2, 3 or 5) fails and the others hold.

    Rule 5 is broken by changing 二、上年结转 away from the value asked for; the grid keeps
    rules 1–3 by raising an outcome and the totals with it.
    """
    amount = rng.randint(1, 3)
    if rule == 1:  # 结转下年度 too high: 一+二 ≠ 总计+四, rows still sum
        _add(grid, ["carried_forward"], "natural_person", amount)
    elif rule == 2:  # （七）总计 and 一 both higher: rule 1 holds, the outcome sum does not
        _add(grid, ["total_processed", "new_received"], "natural_person", amount)
    elif rule == 5:
        _add(grid, ["carried_over", "granted", "total_processed"], "natural_person", amount)
    elif rule != 3:
        raise ValueError(f"rule {rule} is not an applications-table rule")
    add_totals(grid, template)
    if rule == 3:  # the 总计 column of three rows, consistent down the column, not across
        for row in ("new_received", rng.choice(outcome_rows(template)), "total_processed"):
            grid[row, "total"] += amount


def add_totals(grid: Grid, template: str) -> None:
    """Fill the 总计 column as the sum of the applicant columns (rule 3)."""
    for row in application_rows(template):
        grid[row, "total"] = sum(grid[row, c] for c in APPLICANT_COLUMNS)


def review_litigation(rng: random.Random, scale: float, violate: bool) -> Grid:
    """The 复议/诉讼 row as {(group, column): value}; rule 4 holds unless ``violate``."""
    grid: Grid = {}
    for group, _ in REVIEW_ROWS:
        busy = rng.random() < (0.5 if group == "review" else 0.3) * min(1.0, scale + 0.3)
        parts = [rng.randint(0, high) if busy else 0 for high in REVIEW_SPREAD]
        for (column, _), value in zip(REVIEW_COLUMNS[:4], parts):
            grid[group, column] = value
        grid[group, "total"] = sum(parts)
    if violate:
        grid[rng.choice(REVIEW_ROWS)[0], "total"] += rng.randint(1, 2)
    return grid


def _signed(value: int) -> str:
    return f"+{value}" if value > 0 else str(value)


def active(rng: random.Random, template: str, scale: float) -> list[StatCell]:
    """The 主动公开 table: integers, "/" and blank cells, signed deltas, amounts with units."""
    cells: list[StatCell] = []

    def put(row: str, column: str, value: int | float | None, raw: str) -> None:
        cells.append(StatCell("active", row, column, value, raw))

    def not_applicable(row: str, columns: tuple[tuple[str, str], ...]) -> None:
        raw = rng.choice(["/", "/", "", "无", "0"])
        for column, _ in columns:
            put(row, column, 0 if raw == "0" else None, raw)

    for _, columns, rows in ACTIVE_SECTIONS[template]:
        for row, _ in rows:
            if row == "rules" or (row in ("other_services", "enforcement") and rng.random() < 0.3):
                not_applicable(row, columns)
                continue
            if template == "2019":
                _active_2019_row(rng, row, columns, scale, put)
            else:
                _active_2021_row(rng, row, scale, put)
    return cells


def _active_2019_row(rng: random.Random, row: str, columns: tuple[tuple[str, str], ...], scale: float,
                     put: Put) -> None:
    ids = [c for c, _ in columns]
    if ids[0] == "new_made":
        made = rng.randint(1, max(1, round(30 * scale)))
        total = made + rng.randint(5, 400)
        put(row, "new_made", made, str(made))
        put(row, "new_published", made, str(made))
        put(row, "total_published", total, str(total))
    elif ids[0] == "prev_year_items":
        prev = rng.randint(1, max(1, round(300 * scale)))
        change = rng.choice([0, 0, rng.randint(-5, 20)])
        put(row, "prev_year_items", prev, str(prev))
        put(row, "change", change, _signed(change))
        if "decisions" in ids:
            decisions = rng.randint(0, max(0, round(2500 * scale)))
            put(row, "decisions", decisions, str(decisions))
    else:  # 政府集中采购
        items = rng.randint(1, max(1, round(150 * scale)))
        put(row, "procurement_items", items, str(items))
        if rng.random() < 0.5:
            amount = round(rng.uniform(10, 9000) * scale, 2)
            put(row, "procurement_amount", amount, f"{amount:.2f}万元")
        else:
            amount = round(rng.uniform(1e5, 9e7) * scale, 2)
            put(row, "procurement_amount", amount, f"{amount:.2f}元")


def _active_2021_row(rng: random.Random, row: str, scale: float, put: Put) -> None:
    if row == "normative_docs":
        issued = rng.randint(1, max(1, round(80 * scale)))
        repealed = rng.randint(0, max(0, round(40 * scale)))
        in_force = issued + rng.randint(5, 500)
        for column, value in (("issued", issued), ("repealed", repealed), ("in_force", in_force)):
            put(row, column, value, str(value))
    elif row == "fees":
        amount = round(rng.uniform(0, 6000) * scale, rng.choice([2, 4, 6]))
        raw = f"{amount:g}" if amount else rng.choice(["0", "0.00"])
        put(row, "amount_10k_yuan", float(raw), raw)
    else:
        decisions = rng.randint(0, max(0, round(2600 * scale)))
        put(row, "decisions", decisions, str(decisions))


def legacy(rng: random.Random, year: int, scale: float) -> dict[str, tuple[int, int]]:
    """Free-form era 统计表 as {row label: (本年度, 历年累计)} (labels of ``LEGACY_ROWS``).

    Sub-rows add up to their parent rows in both columns; the cumulative column covers the
    years since the 条例 took effect (2008).
    """
    years_before = max(0, year - 2008)

    def split(total: int, parts: int) -> list[int]:
        cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
        return [b - a for a, b in zip([0, *cuts], [*cuts, total])]

    def both(year_value: int, earlier: int) -> tuple[int, int]:
        return year_value, year_value + earlier

    web, gazette = rng.randint(50, max(51, round(3000 * scale))), rng.randint(0, 30)
    web_before = sum(rng.randint(20, web + 20) for _ in range(years_before))
    gazette_before = sum(rng.randint(0, 30) for _ in range(years_before))
    means = [rng.randint(0, 5), rng.randint(1, max(1, round(20 * scale))), rng.randint(0, 3)]
    means_before = [sum(rng.randint(0, m + 1) for _ in range(years_before)) for m in means]
    answered, answered_before = sum(means), sum(means_before)
    answers = split(answered, 3)
    answers = [answers[0] + answers[2] - answers[2] // 3, answers[1], answers[2] // 3]
    answers_before = split(answered_before, 3)
    reviews, lawsuits = rng.choice([0, 0, 0, 1]), rng.choice([0, 0, 0, 0, 1])
    values = {
        "主动公开信息数": both(web + gazette, web_before + gazette_before),
        "其中：1.网站公开": both(web, web_before), "2.政府公报公开": both(gazette, gazette_before),
        "受理依申请公开信息总数": both(answered, answered_before),
        "对申请的答复数": both(answered, answered_before),
        "行政复议数": both(reviews, rng.randint(0, years_before // 3)),
        "行政诉讼数": both(lawsuits, rng.randint(0, years_before // 5)),
        "依申请公开收费": (0, 0),
    }
    for label, now, before in zip(("其中：1.当面申请数", "2.网上申请数", "3.信函申请数"), means, means_before):
        values[label] = both(now, before)
    for label, now, before in zip(("其中：1.同意公开答复数", "2.同意部分公开答复数", "3.否决公开答复数"),
                                  answers, answers_before):
        values[label] = both(now, before)
    return values
