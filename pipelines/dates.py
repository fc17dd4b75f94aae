"""Dates and years as pages write them: ISO, 年月日, and Chinese numerals (二〇一二年二月二十日).

Only strings already cut out of a labelled field or a date-only line are parsed; no date
is ever guessed from free text. dateparser is the last resort for such a cut string.
"""

from __future__ import annotations

import datetime as dt
import re

DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "o": 0, "0": 0, "一": 1, "二": 2, "两": 2,
          "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_DIGIT = "〇○零Ｏ一二三四五六七八九"
CN_NUMBER = "〇○零一二两三四五六七八九十"
MIN_YEAR, MAX_YEAR = 1990, 2100

NUMERIC_DATE_RE = re.compile(
    r"((?:19|20)\d{2})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})(?!\d)\s*日?")
CN_DATE_RE = re.compile(rf"([{CN_DIGIT}]{{4}})\s*年\s*([{CN_NUMBER}]{{1,3}})\s*月\s*([{CN_NUMBER}]{{1,3}})\s*日")
CN_YEAR_RE = re.compile(rf"([{CN_DIGIT}]{{4}})\s*年")
TIMESTAMP_RE = re.compile(r"^\d{9,13}$")
COMPACT_DATE_RE = re.compile(r"^((?:19|20)\d{2})(\d{2})(\d{2})$")
YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")


def cn_digits(text: str) -> int | None:
    """A digit-by-digit Chinese year (二〇一八 → 2018)."""
    try:
        return int("".join(str(DIGITS[c]) for c in text))
    except KeyError:
        return None


def cn_number(text: str) -> int | None:
    """A Chinese number up to 99 (二十 → 20, 十二 → 12, 三十一 → 31)."""
    if not text:
        return None
    if "十" not in text:
        return cn_digits(text)
    tens, _, ones = text.partition("十")
    high = DIGITS.get(tens, None) if tens else 1
    low = DIGITS.get(ones, None) if ones else 0
    return None if high is None or low is None else high * 10 + low


def make_date(year: int | None, month: int | None, day: int | None) -> str | None:
    """ISO date for a real calendar day in range, else None."""
    if year is None or month is None or day is None or not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_date(text: str) -> str | None:
    """The first date written in ``text`` (a cut-out field value), as ``YYYY-MM-DD``."""
    text = text.strip()
    if not text:
        return None
    match = NUMERIC_DATE_RE.search(text)
    if match:
        return make_date(*map(int, match.groups()))
    match = CN_DATE_RE.search(text)
    if match:
        return make_date(cn_digits(match.group(1)), cn_number(match.group(2)), cn_number(match.group(3)))
    match = COMPACT_DATE_RE.match(text)
    if match:
        return make_date(*map(int, match.groups()))
    if TIMESTAMP_RE.match(text):
        seconds = int(text) / (1000 if len(text) > 10 else 1)
        stamp = dt.datetime.fromtimestamp(seconds, dt.timezone(dt.timedelta(hours=8)))
        return make_date(stamp.year, stamp.month, stamp.day)
    return _dateparser(text)


def _dateparser(text: str) -> str | None:
    if len(text) > 40 or not re.search(r"\d", text):
        return None
    import dateparser  # slow to import; rarely needed

    parsed = dateparser.parse(text, languages=["zh", "en"],
                              settings={"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"],
                                        "PREFER_DATES_FROM": "past"})
    return make_date(parsed.year, parsed.month, parsed.day) if parsed else None


def years_in(text: str) -> list[int]:
    """Years written before 年 (Arabic or Chinese digits), in order of appearance."""
    found: list[tuple[int, int]] = []
    for match in YEAR_RE.finditer(text):
        found.append((match.start(), int(match.group(1))))
    for match in CN_YEAR_RE.finditer(text):
        year = cn_digits(match.group(1))
        if year:
            found.append((match.start(), year))
    return [year for _, year in sorted(found) if MIN_YEAR <= year <= MAX_YEAR]
