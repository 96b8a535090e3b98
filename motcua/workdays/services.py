"""Every write to the working calendar: one function per use case, keyword-only arguments, one transaction."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from motcua.workdays.calendar import OverrideKind
from motcua.workdays.models import CalendarOverride, WorkingHours


@transaction.atomic
def set_override(*, day: dt.date, kind: OverrideKind | str, reason: str) -> CalendarOverride:
    """Declare an extra day off or a make-up working day; replaces any override already set on that day."""
    override = CalendarOverride.objects.filter(date=day).select_for_update().first() or CalendarOverride(date=day)
    override.kind = kind
    override.reason = reason
    override.full_clean()
    override.save()
    return override


@transaction.atomic
def remove_override(*, day: dt.date) -> bool:
    """Remove the override on `day`, if any; the public calendar applies again. True if one was removed."""
    deleted, _by_model = CalendarOverride.objects.filter(date=day).delete()
    return deleted > 0


@transaction.atomic
def set_working_hours(
    *,
    morning_start: dt.time,
    morning_end: dt.time,
    afternoon_start: dt.time,
    afternoon_end: dt.time,
    cutoff: dt.time,
) -> WorkingHours:
    """Change the working hours (the single settings row, created on first use)."""
    hours = WorkingHours.objects.filter(pk=WorkingHours.SINGLETON_ID).select_for_update().first() or WorkingHours()
    hours.morning_start = morning_start
    hours.morning_end = morning_end
    hours.afternoon_start = afternoon_start
    hours.afternoon_end = afternoon_end
    hours.cutoff = cutoff
    hours.full_clean()
    hours.save()
    return hours
