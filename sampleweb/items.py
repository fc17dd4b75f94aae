"""The items of the sample web: every report and notice placed in a column, night by night.

``plan_items()`` turns the plan (``sampleweb.plan``) into items with their truth (a
``Report`` from ``sampleweb.content``), a document id and attachments; ``entries(night)``
gives each item as it stands on that night (revised, deleted, defaced). Pages and the
manifest are both built from these entries.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache, cached_property

from . import hostile, nights
from .content import (
    Report, carried_forward, generate_notice, generate_report, seed_documents, seed_original, template_for_year,
    to_mirror,
)
from .plan import MIRROR_CAPTURES, MIRRORED, NOTICES, SEED_ITEMS, SERIES, SPECIALS, Special, site_spec

# First document id per CMS, as the real systems number them (ids grow with publication).
ID_BASE = {"hanweb": 1_296_000, "trs": 80_470, "anhui": 2_611_300, "gkmlpt": 4_812_000, "legacy": 160,
           "mirror": 9_000, "portal": 2_540_000}
# 图片版 reports are PDFs of page images without a text layer.
ATTACHMENT_EXTENSIONS = {"pdf": "pdf", "docx": "docx", "xls": "xls", "xlsx": "xlsx", "image": "pdf", "doc": "doc"}
STUB_BYTES = b"\r\n"


@dataclass(frozen=True)
class Attachment:
    """A file attached to an item. ``copy``: a copy of an HTML report (全真版, download)."""

    format: str
    filename: str
    stub: bool = False
    needs_ocr: bool = False
    copy: bool = False

    @property
    def extension(self) -> str:
        return ATTACHMENT_EXTENSIONS[self.format]


@dataclass(frozen=True)
class Item:
    """A document placed in a column, independent of the night. ``column`` None: not listed in one."""

    key: str
    site: str
    column: int | None
    report: Report
    special: Special
    doc_id: int = 0
    origin_key: str | None = None  # for mirror copies: the item copied


@dataclass(frozen=True)
class Entry:
    """An item as published on one night."""

    item: Item
    report: Report
    status: str  # live | deleted | refresh
    listed: bool
    version: int
    farm_html: str = ""
    farm_words: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return self.item.key

    @property
    def site(self) -> str:
        return self.item.site

    @property
    def column(self) -> int | None:
        return self.item.column

    @property
    def doc_id(self) -> int:
        return self.item.doc_id

    @property
    def format(self) -> str:
        return self.item.special.format

    @property
    def faults(self) -> tuple[str, ...]:
        return self.item.special.faults

    @cached_property
    def published(self) -> dt.datetime:
        """Publication moment: the report's date at a working hour fixed per item."""
        day = dt.date.fromisoformat(self.report.publish_date)
        minutes = 8 * 60 + 30 + zlib.crc32(self.key.encode()) % (9 * 60)
        return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), nights.CHINA)

    @cached_property
    def attachments(self) -> tuple[Attachment, ...]:
        return attachments(self.item)

    @property
    def spam(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.report.spam + self.farm_words))

    @property
    def defaced(self) -> bool:
        return bool(self.spam)


def attachments(item: Item) -> tuple[Attachment, ...]:
    title = item.report.title
    special = item.special
    found: list[Attachment] = []
    if special.format != "html":
        label = "（图片版）" if special.format == "image" else ""
        found.append(Attachment(special.format, f"{title}{label}.{ATTACHMENT_EXTENSIONS[special.format]}",
                                needs_ocr=special.format == "image"))
    for kind in special.attach:
        if kind == "pdf":
            found.append(Attachment("pdf", f"{title}（原件）.pdf", copy=True))
        elif kind == "doc-stub":
            found.append(Attachment("doc", f"{title}.doc", stub=True, copy=True))
        else:
            found.append(Attachment(kind, f"{title}.{ATTACHMENT_EXTENSIONS[kind]}", copy=True))
    return tuple(found)


def _stable(text: str) -> int:
    return zlib.crc32(text.encode())


def _publish_date(key: str, generated: str) -> str:
    """The generated date, unless it falls after the night the item first appears on."""
    night = nights.appears(key)
    if night:
        return (nights.night_date(night) - dt.timedelta(days=1)).isoformat()
    if dt.date.fromisoformat(generated) < nights.FIRST_NIGHT:
        return generated
    return (nights.FIRST_NIGHT - dt.timedelta(days=4 + _stable(key) % 60)).isoformat()


def _series_items() -> Iterator[Item]:
    seeds = seed_documents()
    for series in SERIES:
        region = site_spec(series.site).region_code
        previous: Report | None = None
        for year in series.years:
            key = f"{series.site}/{series.agency}/{year}"
            special = SPECIALS.get(key, Special())
            if special.seed:
                report = seeds[special.seed]
            else:
                template = template_for_year(year)
                chain = previous is not None and previous.template != "free" and previous.report_year == year - 1
                report = generate_report(series.agency, region, year, template, series.seed,
                                         violate=special.violate,
                                         carried_over=carried_forward(previous) if chain else None)
                report = replace(report, publish_date=_publish_date(key, report.publish_date))
            previous = report
            yield Item(key, series.site, series.column, report, special)


def _notice_items() -> Iterator[Item]:
    for notice in NOTICES:
        region = site_spec(notice.site).region_code
        report = generate_notice(notice.agency, region, notice.year, notice.kind)
        key = f"{notice.site}/{notice.agency}/{notice.kind}-{notice.year}"
        yield Item(key, notice.site, notice.column, report, Special())


def _seed_items() -> Iterator[Item]:
    for placed in SEED_ITEMS:
        report = seed_original(placed.seed)
        key = f"{placed.site}/{report.agency}/seed-{placed.seed}"
        yield Item(key, placed.site, placed.column, report, Special())


def _mirror_items(originals: dict[str, Item]) -> Iterator[Item]:
    seeds = seed_documents()
    for key in MIRRORED:
        capture = MIRROR_CAPTURES.get(key)
        report = seeds[capture] if capture else to_mirror(originals[key].report, _stable(key))
        yield Item(f"mirror/{key}", "mirror", None, report, Special(), origin_key=key)


def _numbered(items: list[Item]) -> list[Item]:
    """Ids in publication order per site, gaps as other columns' documents leave them."""
    numbered: list[Item] = []
    by_site: dict[str, list[Item]] = {}
    for item in items:
        by_site.setdefault(item.site, []).append(item)
    for site, group in by_site.items():
        next_id = ID_BASE[site_spec(site).cms]
        for item in sorted(group, key=lambda i: (i.report.publish_date or "", i.key)):
            next_id += 3 + _stable(item.key) % 17
            numbered.append(replace(item, doc_id=next_id))
    return numbered


@cache
def plan_items() -> dict[str, Item]:
    """Every item of every night, keyed by item key."""
    items = list(_series_items()) + list(_notice_items()) + list(_seed_items())
    originals = {item.key: item for item in items}
    items += _mirror_items(originals)
    return {item.key: item for item in _numbered(items)}


def entry(item: Item, night: int) -> Entry:
    """The item as it stands on ``night``."""
    key = item.key
    removed = nights.deleted(key, night)
    status = "deleted" if removed or "deleted" in item.special.faults else (
        "refresh" if "meta_refresh" in item.special.faults else "live")
    farm_html, farm_words = ("", ())
    if item.special.link_farm or nights.defaced(key, night):
        farm_html, farm_words = hostile.link_farm(key)
    return Entry(item, nights.revise(item.report, key, night), status, listed=not removed,
                 version=nights.version(key, night), farm_html=farm_html, farm_words=farm_words)


def entries(night: int) -> list[Entry]:
    """Every item on the web on ``night`` (deleted ones included, with their status)."""
    nights.check_night(night)
    return [entry(item, night) for item in plan_items().values() if nights.appears(item.key) <= night]
