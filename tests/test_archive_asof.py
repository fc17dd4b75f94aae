"""WHEN as people write it, and WARC-Date as records carry it."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from archive.asof import AsOfError, parse_as_of, warc_datetime


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-24", datetime(2026, 3, 24, 23, 59, 59, 999999, tzinfo=timezone.utc)),
        ("2026-03-24T02:00:00Z", datetime(2026, 3, 24, 2, 0, tzinfo=timezone.utc)),
        ("2026-03-24T02:00:00", datetime(2026, 3, 24, 2, 0, tzinfo=timezone.utc)),
        ("2026-03-24T10:00:00+08:00", datetime(2026, 3, 24, 2, 0, tzinfo=timezone.utc)),
        (" 2026-03-24T02:00:00.000123Z ", datetime(2026, 3, 24, 2, 0, 0, 123, tzinfo=timezone.utc)),
    ],
)
def test_parse_as_of(text: str, expected: datetime):
    parsed = parse_as_of(text)
    assert parsed == expected and parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01", "24/03/2026", ""])
def test_parse_as_of_rejects_what_is_not_a_time(text: str):
    with pytest.raises(AsOfError, match="not a date"):
        parse_as_of(text)


def test_warc_dates_compare_with_as_of_to_the_microsecond():
    date = warc_datetime("2026-03-24T02:00:00.000001Z")
    assert date > parse_as_of("2026-03-24T02:00:00Z")
    assert date <= parse_as_of("2026-03-24T10:00:00.000001+08:00")
    assert warc_datetime("2026-03-24T23:59:59Z") <= parse_as_of("2026-03-24")
