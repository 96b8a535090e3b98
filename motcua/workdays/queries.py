"""Reads of the working calendar shared by the other apps."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from motcua.workdays.calendar import DEFAULT_CUTOFF, DEFAULT_PERIODS, WorkCalendar
from motcua.workdays.models import CalendarOverride, WorkingHours

# Without explicit years: a few past years (deadlines of older dossiers, reports) and the next two, so that a
# long deadline received in December still has its holidays.
YEARS_BEFORE = 3
YEARS_AFTER = 2


def default_years(today: dt.date | None = None) -> range:
    year = (today or timezone.localdate()).year
    return range(year - YEARS_BEFORE, year + YEARS_AFTER + 1)


def load_calendar(years: range | None = None) -> WorkCalendar:
    """The working calendar for `years` (default: `default_years()`), in two queries.

    Public holidays and swaps come from the `holidays` package, administrators' overrides and working hours
    from the database. The result is an immutable, picklable value: callers may keep it for a request or cache it.
    """
    years = years if years is not None else default_years()
    overrides = dict(
        CalendarOverride.objects.filter(
            date__gte=dt.date(years.start, 1, 1), date__lte=dt.date(years.stop - 1, 12, 31)
        ).values_list("date", "kind")
    )
    hours = WorkingHours.objects.filter(pk=WorkingHours.SINGLETON_ID).first()
    periods = hours.periods if hours else DEFAULT_PERIODS
    cutoff = hours.cutoff if hours else DEFAULT_CUTOFF
    return WorkCalendar.vietnam(years=years, overrides=overrides, periods=periods, cutoff=cutoff)
