"""
Partial dates: a date known only to the year or the month.

The register stores each such date as a ``DateField`` (the first day of the
period, so it sorts and filters) beside a precision field, and never shows a
day or month that is not known.
"""

import datetime
import re

from .choices import DatePrecision

_ISO = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?$")


def utc_timestamp(value: datetime.datetime | None) -> str | None:
    """A moment as the register writes it: UTC, to the second, ``2026-11-26T12:13:44Z``."""
    if value is None:
        return None
    return value.astimezone(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parse_partial_date(text: str) -> tuple[datetime.date, str]:
    """``"2019-05"`` → ``(date(2019, 5, 1), "month")``; raises ValueError if malformed."""
    match = _ISO.match(text or "")
    if not match:
        raise ValueError(f"{text!r} is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year = int(match["year"])
    month = int(match["month"] or 1)
    day = int(match["day"] or 1)
    date = datetime.date(year, month, day)  # raises ValueError for 2019-02-30
    if match["day"]:
        return date, DatePrecision.DAY
    if match["month"]:
        return date, DatePrecision.MONTH
    return date, DatePrecision.YEAR


_ORDER: dict[str, int] = {DatePrecision.YEAR: 0, DatePrecision.MONTH: 1, DatePrecision.DAY: 2}


def is_before(
    end: datetime.date, end_precision: str, start: datetime.date, start_precision: str
) -> bool:
    """
    Is ``end`` certainly before ``start``? Both are compared at the coarser of
    their precisions: a use started "2019-05" and ended "2019" is in order.
    """
    coarser = min(end_precision or DatePrecision.DAY, start_precision or DatePrecision.DAY,
                  key=lambda p: _ORDER.get(p, 2))  # fmt: skip
    return _truncate(end, coarser) < _truncate(start, coarser)


def _truncate(date: datetime.date, precision: str) -> tuple:
    if precision == DatePrecision.YEAR:
        return (date.year,)
    if precision == DatePrecision.MONTH:
        return (date.year, date.month)
    return (date.year, date.month, date.day)


def to_iso(date: datetime.date | None, precision: str) -> str | None:
    """The ISO text at the known precision: ``"2019"``, ``"2019-05"`` or ``"2019-05-14"``."""
    if date is None:
        return None
    if precision == DatePrecision.YEAR:
        return f"{date.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{date.year:04d}-{date.month:02d}"
    return date.isoformat()


def humanize(date: datetime.date | None, precision: str) -> str:
    """What a reader sees: ``"2019"``, ``"May 2019"`` or ``"14 May 2019"``."""
    if date is None:
        return ""
    if precision == DatePrecision.YEAR:
        return str(date.year)
    if precision == DatePrecision.MONTH:
        return date.strftime("%B %Y")
    return f"{date.day} {date.strftime('%B %Y')}"
