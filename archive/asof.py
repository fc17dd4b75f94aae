"""Points in time for "as of" questions: WHEN as a person writes it, WARC-Date as records carry it.

A record belongs to the archive as it stood at WHEN if its ``WARC-Date`` is at or before WHEN.
Every time is compared as an aware UTC datetime, to the microsecond WARC 1.1 dates carry.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timezone

from warcio.recordloader import ArcWarcRecord
from warcio.timeutils import iso_date_to_datetime

DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class AsOfError(ValueError):
    """Raised by ``parse_as_of`` for a WHEN that is neither a date nor an ISO-8601 timestamp."""


def parse_as_of(text: str) -> datetime:
    """WHEN as an aware UTC datetime.

    A date (``2026-03-24``) means the end of that day in UTC; a timestamp
    (``2026-03-24T02:00:00+08:00``, ``…Z``, fractions of a second allowed) is taken as
    written, and one without an offset is UTC.
    """
    text = text.strip()
    try:
        if DATE_ONLY.match(text):
            return datetime.combine(date.fromisoformat(text), time.max, timezone.utc)
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise AsOfError(
            f"{text!r} is not a date (YYYY-MM-DD) or an ISO-8601 timestamp (YYYY-MM-DDTHH:MM:SS[.ffffff][Z|±HH:MM])"
        ) from exc
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def warc_datetime(value: str) -> datetime:
    """A ``WARC-Date`` value as an aware UTC datetime."""
    return iso_date_to_datetime(value, tz_aware=True)


def record_time(record: ArcWarcRecord) -> datetime:
    return warc_datetime(record.rec_headers.get_header("WARC-Date"))


def at_or_before(record: ArcWarcRecord, as_of: datetime | None) -> bool:
    """Whether ``record`` was in the archive at ``as_of`` (every record is, when it is None)."""
    return as_of is None or record_time(record) <= as_of
