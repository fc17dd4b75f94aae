"""How the sample web changes from night to night, the way real sites change.

Night 0 is the web as first crawled. Later nights publish new reports (which pushes older
items down the list pages), edit one report, delete one, deface one on night 2 and clean it
on night 3. Everything is keyed by item key (``site/agency/year``, see ``sampleweb.plan``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from .content.model import Report

# The date each night's crawl runs (02:00 China time); items new on a night were published
# the day before.
FIRST_NIGHT = dt.date(2026, 3, 24)
NIGHTS = 4
CHINA = dt.timezone(dt.timedelta(hours=8))

# Items that are not on the web before the given night.
APPEARS: dict[str, int] = {
    "liangzhou/凉州区教育局/2025": 1,
    "liangzhou/凉州区东大街街道办事处/2025": 1,
    "liangzhou/凉州区黄羊镇人民政府/2025": 1,
    "fuzhou-czj/福州市财政投资评审中心/2025": 1,
    "liangzhou/凉州区武南镇人民政府/2025": 2,
    "tongling-jiaoqu/铜陵市郊区铜山镇人民政府/2025": 2,
    "liangzhou/凉州区卫生健康局/2025": 3,
    "liangzhou/凉州区清源镇人民政府/2025": 3,
    "huizhou-sthjj/惠州市生态环境局惠城分局/2025": 3,
}
# Night → items whose page is revised that night (a correction note is appended).
EDITS: dict[int, tuple[str, ...]] = {
    1: ("luan-sjj/六安市数据资源管理局/2024",),
    3: ("liangzhou/凉州区人民政府/2024",),
}
# Night → items taken down that night: gone from the lists, their URL answers 404.
DELETIONS: dict[int, tuple[str, ...]] = {2: ("fuzhou-czj/福州市财政局/2010",)}
# Night → items defaced that night / cleaned that night.
DEFACEMENTS: dict[int, tuple[str, ...]] = {2: ("huizhou-sthjj/惠州市生态环境局/2023",)}
CLEANINGS: dict[int, tuple[str, ...]] = {3: ("huizhou-sthjj/惠州市生态环境局/2023",)}

CORRECTION = "（{date}更正：本报告部分文字表述有误，现予更正。）"
# Keyword injection a defacer makes: the first of these words the report contains is
# replaced by gambling keywords wherever it occurs (as 关于 is in seed 004).
DEFACEMENT_TARGETS = ("关于", "认真", "进一步", "工作")
DEFACEMENT_KEYWORDS = "澳门新葡京,真人百家乐"


def check_night(night: int) -> int:
    if not 0 <= night < NIGHTS:
        raise ValueError(f"night must be 0–{NIGHTS - 1}, not {night}")
    return night


def night_date(night: int) -> dt.date:
    return FIRST_NIGHT + dt.timedelta(days=check_night(night))


def night_time(night: int) -> dt.datetime:
    """When the night's crawl starts."""
    return dt.datetime.combine(night_date(night), dt.time(2, 0), CHINA)


def change_time(night: int) -> dt.datetime:
    """When pages that changed on ``night`` were republished: the evening before the crawl."""
    return dt.datetime.combine(night_date(night) - dt.timedelta(days=1), dt.time(18, 0), CHINA)


def appears(key: str) -> int:
    return APPEARS.get(key, 0)


def _changed_by(table: dict[int, tuple[str, ...]], key: str, night: int) -> list[int]:
    return [n for n, keys in table.items() if key in keys and n <= night]


def version(key: str, night: int) -> int:
    """1, plus one per edit up to and including ``night``."""
    return 1 + len(_changed_by(EDITS, key, night))


def deleted(key: str, night: int) -> bool:
    return bool(_changed_by(DELETIONS, key, night))


def defaced(key: str, night: int) -> bool:
    """Defaced on an earlier or this night and not cleaned since."""
    hacks = _changed_by(DEFACEMENTS, key, night)
    cleans = _changed_by(CLEANINGS, key, night)
    return bool(hacks) and (not cleans or max(hacks) > max(cleans))


def revise(report: Report, key: str, night: int) -> Report:
    """The report as its page reads on ``night``: corrections appended, defacement applied."""
    edits = _changed_by(EDITS, key, night)
    if edits:
        notes = tuple(CORRECTION.format(date=_chinese(night_date(n) - dt.timedelta(days=1))) for n in edits)
        report = replace(report, blocks=report.blocks + notes)
    if defaced(key, night):
        text = report.text()
        target = next((word for word in DEFACEMENT_TARGETS if word in text), None)
        if target is None:
            raise ValueError(f"{key}: none of {DEFACEMENT_TARGETS} in the text to deface")
        report = replace(report, injections=report.injections + ((target, DEFACEMENT_KEYWORDS),),
                         spam=report.spam + (DEFACEMENT_KEYWORDS,))
    return report


def changes(night: int) -> dict[str, list[str]]:
    """Item keys that changed on ``night`` (relative to the night before), by kind."""
    return {
        "new": sorted(k for k, n in APPEARS.items() if n == night and night > 0),
        "edited": list(EDITS.get(night, ())),
        "deleted": list(DELETIONS.get(night, ())),
        "defaced": list(DEFACEMENTS.get(night, ())),
        "cleaned": list(CLEANINGS.get(night, ())),
    }


def _chinese(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
