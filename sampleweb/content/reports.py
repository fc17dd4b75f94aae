"""Generated reports and non-report items with known truth, one ``random.Random(seed)`` each."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping

from . import numbers, phrases as P
from .model import Report, StatCell, Table
from .narrative import Writer, chinese_date, closing, free_sections, template_overview
from .schema import (
    APPLICANT_COLUMNS, APPLICATION_COLUMNS, LEGACY_ROWS, REVIEW_COLUMNS, REVIEW_ROWS,
    application_rows, template_for_year,
)
from .tables import active_table, applications_table, legacy_table, raw_cells, review_table

TEMPLATE_RULES = (1, 2, 3, 4, 5, 6)
FREE_RULES = (6,)
# Relative volume of work by kind of body, from the end of its name.
SCALE_BY_SUFFIX = (("县人民政府", 1.0), ("区人民政府", 1.0), ("市人民政府", 1.5), ("镇人民政府", 0.1),
                   ("乡人民政府", 0.08), ("办事处", 0.1))


def _scale(agency: str, rng: random.Random) -> float:
    base = next((s for suffix, s in SCALE_BY_SUFFIX if agency.endswith(suffix)), 0.4)
    return base * rng.uniform(0.5, 1.5)


def _publish_date(agency: str, year: int, rng: random.Random) -> str:
    """A date before the legal deadline: 31 January for departments from 2019, else 31 March."""
    government = agency.endswith("人民政府") and not agency.endswith(("镇人民政府", "乡人民政府"))
    last = 90 if government or year < 2019 else 31
    return (dt.date(year + 1, 1, 1) + dt.timedelta(days=rng.randint(5, last - 1))).isoformat()


def carried_forward(report: Report) -> dict[str, int]:
    """Last year's 四、结转下年度继续办理 by applicant column: this year's ``carried_over``."""
    return {s.column: int(s.value or 0) for s in report.stats
            if s.table == "applications" and s.row == "carried_forward" and s.column in APPLICANT_COLUMNS}


def generate_report(agency: str, region_code: str, year: int, template: str | None = None,
                    seed: int = 0, *, violate: int | None = None,
                    carried_over: Mapping[str, int] | None = None,
                    publish_date: str | None = None) -> Report:
    """An annual report with known numbers.

    Args:
        template: "free", "2019" or "2021"; None picks the one the year normally uses.
        violate: make exactly this arithmetic rule (report-format.md 1–6) fail; free-form
            reports can only break rule 6. Rule 5 needs ``carried_over``.
        carried_over: last year's carried-forward by applicant column (see ``carried_forward``),
            so consecutive years chain (rule 5).
        publish_date: ISO date the page states; by default one before the legal deadline.
    """
    template = template or template_for_year(year)
    rng = random.Random(f"report:{agency}:{year}:{template}:{seed}")
    allowed = FREE_RULES if template == "free" else TEMPLATE_RULES
    if violate is not None and violate not in allowed:
        raise ValueError(f"rule {violate} cannot be broken in a {template!r} report (only {allowed})")
    if violate == 5 and carried_over is None:
        raise ValueError("breaking rule 5 needs carried_over (last year's carried-forward)")
    publish_date = publish_date or _publish_date(agency, year, rng)
    title = rng.choice(P.TITLES).format(agency=agency, year=year)
    build = _free_report if template == "free" else _template_report
    blocks, stats = build(rng, agency, year, template, violate, carried_over, publish_date)
    return Report(title=title, agency=agency, region_code=region_code, report_year=year,
                  template=template, doc_type="annual_report", blocks=tuple(blocks), stats=tuple(stats),
                  violations=(violate,) if violate else (), body_year=year, publish_date=publish_date)


Blocks = tuple[list[str | Table], list[StatCell]]


def _template_report(rng: random.Random, agency: str, year: int, template: str, violate: int | None,
                     carried_over: Mapping[str, int] | None, publish_date: str) -> Blocks:
    scale = _scale(agency, rng)
    apps = numbers.applications(rng, template, carried_over, scale)
    numbers.add_totals(apps, template)
    if violate in (1, 2, 3, 5):
        numbers.break_rule(apps, violate, template, rng)
    review = numbers.review_litigation(rng, scale, violate == 4)
    stats = numbers.active(rng, template, scale)
    stats += [StatCell("applications", row, column, apps[row, column], str(apps[row, column]))
              for row in application_rows(template) for column in APPLICATION_COLUMNS]
    stats += [StatCell("review_litigation", group, column, review[group, column], str(review[group, column]))
              for group, _ in REVIEW_ROWS for column, _ in REVIEW_COLUMNS]
    w = Writer(rng, agency, year)
    proactive = rng.randint(40, max(41, round(4000 * scale)))
    misquote = rng.randint(1, 5) if violate == 6 else 0
    headings = [rng.choice(v) for v in P.HEADINGS_TEMPLATE]
    problems, other = closing(w, template)
    split_at = rng.choice([None, None, 3]) if template == "2019" else None
    blocks: list[str | Table] = []
    if rng.random() < 0.5:
        blocks.append(w.intro([h.split("、", 1)[1] for h in headings]))
    blocks += [headings[0], *template_overview(w, apps, review, proactive, misquote=misquote)]
    blocks += [headings[1], active_table(template, raw_cells(stats, "active"))]
    blocks += [headings[2], applications_table(template, raw_cells(stats, "applications"), split_at=split_at)]
    blocks += [headings[3], review_table(raw_cells(stats, "review_litigation"))]
    blocks += [headings[4], *problems, headings[5], *other]
    return blocks, stats


def _free_report(rng: random.Random, agency: str, year: int, template: str, violate: int | None,
                 carried_over: Mapping[str, int] | None, publish_date: str) -> Blocks:
    legacy = numbers.legacy(rng, year, _scale(agency, rng))
    w = Writer(rng, agency, year)
    sections, quotes = free_sections(w, legacy, misquote=rng.randint(1, 5) if violate == 6 else 0)
    with_table = violate == 6 or rng.random() < 0.5
    names = [rng.choice(P.HEADINGS_FREE[key]) for key, _ in sections]
    parts = names + (["附表"] if with_table else [])
    blocks: list[str | Table] = [w.intro(parts)]
    for number, (name, (_, paragraphs)) in enumerate(zip(names, sections)):
        blocks += [f"{P.CHINESE_ORDINALS[number]}、{name}", *paragraphs]
    day = dt.date.fromisoformat(publish_date)
    blocks += [agency, chinese_date(day.year, day.month, day.day, rng.choice("〇○"))
               if rng.random() < 0.5 else f"{day.year}年{day.month}月{day.day}日"]
    stats: list[StatCell] = []
    if with_table:
        cells = {label: (str(a), str(b)) for label, (a, b) in legacy.items()}
        caption = f"附件：{agency}{year}年政府信息公开情况统计表"
        blocks += [caption, legacy_table("", year, cells)]
        for row, label, _ in LEGACY_ROWS:
            if row:
                stats += [StatCell("legacy", row, "year", legacy[label][0], cells[label][0]),
                          StatCell("legacy", row, "cumulative", legacy[label][1], cells[label][1])]
    else:
        for row, label, _ in LEGACY_ROWS:
            if row in quotes:
                stats.append(StatCell("legacy", row, "year", legacy[label][0], quotes[row]))
    return blocks, stats


def generate_series(agency: str, region_code: str, years: Iterable[int], seed: int = 0, *,
                    violate: Mapping[int, int] | None = None) -> list[Report]:
    """Consecutive reports of one agency whose carry-over chains (rule 5).

    ``violate`` maps a year to the rule its report breaks.
    """
    reports: list[Report] = []
    for year in years:
        template = template_for_year(year)
        previous = reports[-1] if reports and reports[-1].template != "free" else None
        carry = carried_forward(previous) if previous and previous.report_year == year - 1 else None
        rule = (violate or {}).get(year)
        reports.append(generate_report(agency, region_code, year, template, seed,
                                       violate=rule, carried_over=carry))
    return reports


def agency_names(county: str, seed: int = 0, *, departments: int = 4, townships: int = 3) -> list[str]:
    """Names of a county's departments and townships: ["XX县财政局", …, "XX县青山镇人民政府", …]."""
    rng = random.Random(f"agencies:{county}:{seed}")
    names = [f"{county}{d}" for d in rng.sample(P.DEPARTMENTS, departments)]
    names += [f"{county}{stem}{rng.choice(P.TOWNSHIP_SUFFIXES)}"
              for stem in rng.sample(P.TOWNSHIP_STEMS, townships)]
    return names
