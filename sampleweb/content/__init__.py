"""Report bodies and attachments of the sample web, with known truth.

Public API (pure and deterministic: the same arguments give the same bytes):

- ``Report``, ``Table``, ``StatCell`` — the truth as data (model.py).
- ``seed_documents() -> dict[str, Report]`` — the five real seed texts '000'…'004'.
- ``generate_report(agency, region_code, year, template=None, seed=0, *, violate=None,
  carried_over=None, publish_date=None) -> Report`` — a report with known numbers;
  ``generate_series(agency, region_code, years, seed=0, *, violate=None)`` chains carry-over;
  ``carried_forward(report)`` gives the next year's ``carried_over``.
- ``generate_notice(agency, region_code, year, kind, seed=0) -> Report`` — non-report items
  of a 年报 column (``NOTICE_KINDS``).
- ``agency_names(county, seed=0, *, departments=4, townships=3)`` — department/township names.
- ``template_for_year(year)`` — "free" | "2019" | "2021".
- ``render_html(report, *, variant="editor", seed=0, with_spam=True) -> str`` — body fragment
  (``VARIANTS``: word, editor, plain, legacy).
"""

from __future__ import annotations

from .markup import VARIANTS, render_html
from .model import Report, StatCell, Table
from .notices import NOTICE_KINDS, generate_notice
from .reports import agency_names, carried_forward, generate_report, generate_series
from .schema import template_for_year
from .seeds import seed_documents

__all__ = [
    "NOTICE_KINDS", "VARIANTS", "Report", "StatCell", "Table", "agency_names", "carried_forward", "generate_notice",
    "generate_report", "generate_series", "render_html", "seed_documents", "template_for_year",
]
