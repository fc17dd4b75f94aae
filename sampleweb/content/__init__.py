"""Report bodies and attachments of the sample web, with known truth.

Public API (pure and deterministic: the same arguments give the same bytes):

- ``Report``, ``Table``, ``StatCell`` — the truth as data (model.py).
- ``seed_documents() -> dict[str, Report]`` — the five real seed texts '000'…'004';
  ``seed_original(key)`` — for a seed captured from a mirror (003), the page it copied.
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
- Attachments, all ``report -> bytes``: ``render_pdf`` (text layer, ruled tables),
  ``render_docx`` (Word tables with merged cells), ``render_xlsx``, ``render_xls`` (the
  tables; ValueError when a report has none), ``render_image_only(report, *, fmt="pdf")``
  (图片版, no text layer; ``fmt`` "png"/"jpeg" gives the first page image).
  PDF ≈ 20–60 ms, DOCX ≈ 80 ms, image-only ≈ 150 ms: callers render lazily and cache.
- ``to_traditional(text)``, ``to_simplified(text)``, ``add_pinyin(text, seed=0, rate=0.08)``, ``to_mirror(report, seed=0)``
  — the mirror copy's script and pinyin glosses ("發(fā)布").
"""

from __future__ import annotations

from .markup import VARIANTS, render_html
from .model import Report, StatCell, Table
from .notices import NOTICE_KINDS, generate_notice
from .office import render_docx, render_xls, render_xlsx
from .pdf import render_pdf
from .reports import agency_names, carried_forward, generate_report, generate_series
from .scan import render_image_only
from .schema import template_for_year
from .script import add_pinyin, to_mirror, to_simplified, to_traditional
from .seeds import seed_documents, seed_original

__all__ = [
    "NOTICE_KINDS", "VARIANTS", "Report", "StatCell", "Table", "add_pinyin", "agency_names", "carried_forward",
    "generate_notice", "generate_report", "generate_series", "render_docx", "render_html", "render_image_only",
    "render_pdf", "render_xls", "render_xlsx", "seed_documents", "seed_original", "template_for_year",
    "to_mirror", "to_simplified", "to_traditional",
]
