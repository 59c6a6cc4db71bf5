"""Whole-month report periods: `from=YYYY-MM&to=YYYY-MM`, anything else is refused."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone
from django.utils.translation import gettext as _

from timebank.errors import ValidationError

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MAX_MONTHS = 120


def _index(month: date) -> int:
    return month.year * 12 + month.month - 1


def month_add(month: date, n: int) -> date:
    index = _index(month) + n
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    start: date  # first day of the first month
    end: date  # first day of the month after the last one

    @property
    def months(self) -> list[date]:
        out, month = [], self.start
        while month < self.end:
            out.append(month)
            month = month_add(month, 1)
        return out

    @property
    def start_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time()))

    @property
    def end_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end, time()))

    @property
    def label_from(self) -> str:
        return f"{self.start:%Y-%m}"

    @property
    def label_to(self) -> str:
        return f"{month_add(self.end, -1):%Y-%m}"


def _month(value: str | None, field: str) -> date:
    match = MONTH.match(value or "")
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1900:
        raise ValidationError({field: [_("Give a whole month as YYYY-MM, for example 2026-03.")]})
    return date(int(match[1]), int(match[2]), 1)


def period_parse(*, start: str | None, end: str | None, allow_current: bool = False) -> Period:
    """Parse whole months. Months not yet ended are refused unless `allow_current` (coordinators):
    a month still running would let two reports a day apart be subtracted. Neither month given: the
    last 12 whole months, the same for every role and every door (PRODUCT §4)."""
    if start is None and end is None:
        return period_default()
    first, last = _month(start, "from"), _month(end, "to")
    if last < first:
        raise ValidationError({"to": [_("The last month comes before the first.")]})
    # Checked on month numbers before any date is made: the month after December 9999 has none.
    if _index(last) - _index(first) + 1 > MAX_MONTHS:
        raise ValidationError({"to": [_("At most %(n)d months at a time.") % {"n": MAX_MONTHS}]})
    this_month = timezone.localdate().replace(day=1)
    if last >= this_month and not allow_current:
        raise ValidationError({"to": [_("Only whole months that have ended can be reported.")]})
    if first > this_month:
        raise ValidationError({"from": [_("That month has not started yet.")]})
    return Period(start=first, end=month_add(last, 1))


def period_default(*, months: int = 12, include_current: bool = False) -> Period:
    """The last `months` whole months (and the running one, for coordinators)."""
    this_month = timezone.localdate().replace(day=1)
    end = month_add(this_month, 1) if include_current else this_month
    return Period(start=month_add(end, -months), end=end)
