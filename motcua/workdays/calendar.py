"""Lịch làm việc: working days, working hours and legal deadlines, as pure functions of explicit data.

A `WorkCalendar` is an immutable value built from public holidays, administrators' overrides, the working
periods of a day and the 15:00 cut-off. Its methods never touch the database, so every rule here is tested
with plain dates; `motcua.workdays.queries.load_calendar()` builds one from the database.

All clock times are local time in Asia/Ho_Chi_Minh. Vietnam has had no daylight saving time since 1975, so
local wall-clock arithmetic is exact; datetimes given to and returned by this module are timezone-aware.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import holidays
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

TIME_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

# The defaults, in one place: the WorkingHours model and the calendar both use these when no row exists.
DEFAULT_MORNING = (dt.time(7, 30), dt.time(11, 30))
DEFAULT_AFTERNOON = (dt.time(13, 30), dt.time(17, 0))
DEFAULT_PERIODS: tuple[tuple[dt.time, dt.time], ...] = (DEFAULT_MORNING, DEFAULT_AFTERNOON)
DEFAULT_CUTOFF = dt.time(15, 0)

# Units of processing time; the same values as motcua.catalog.models.TimeUnit (this app sits below catalog).
UNIT_WORKING_DAY = "working_day"
UNIT_WORKING_HOUR = "working_hour"
UNITS = (UNIT_WORKING_DAY, UNIT_WORKING_HOUR)

_ONE_DAY = dt.timedelta(days=1)
_MICROSECONDS_PER_HOUR = Decimal(3_600_000_000)


class OverrideKind(TextChoices):
    DAY_OFF = "day_off", _("Ngày nghỉ thêm")
    WORKING_DAY = "working_day", _("Ngày làm việc bù")


class DueStatus(TextChoices):
    OVERDUE = "overdue", _("Quá hạn")
    DUE_SOON = "due_soon", _("Sắp đến hạn")
    ON_TIME = "on_time", _("Trong hạn")


class CalendarRangeError(ValueError):
    """A date outside the years the calendar was built for: its holidays are unknown, so nothing is guessed."""


Period = tuple[dt.time, dt.time]
Pause = tuple[dt.datetime, dt.datetime | None]


@functools.lru_cache(maxsize=16)
def vietnam_public_days(first_year: int, last_year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """(days off, make-up working weekend days) of Vietnam from the `holidays` package, years inclusive.

    Days off are the Labour Code holidays, their observed days (nghỉ bù) and the days off of announced swaps
    (e.g. 31/8/2026). Make-up days are the weekend days worked in exchange (e.g. Saturday 22/8/2026), which the
    package keeps in `weekend_workdays` (it also lists swaps of years that were not asked for: filtered out).
    """
    public = holidays.country_holidays("VN", years=range(first_year, last_year + 1))
    days_off = frozenset(day for day in public if first_year <= day.year <= last_year)
    make_up = frozenset(day for day in public.weekend_workdays if first_year <= day.year <= last_year)
    return days_off, make_up


def _to_local(moment: dt.datetime) -> dt.datetime:
    """The naive local wall-clock time of an aware datetime."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment!r} is naive: pass a timezone-aware datetime.")
    return moment.astimezone(TIME_ZONE).replace(tzinfo=None)


def _from_local(local: dt.datetime) -> dt.datetime:
    return local.replace(tzinfo=TIME_ZONE)


def _hours(hours: Decimal | int) -> dt.timedelta:
    """Working hours as a timedelta, to the microsecond."""
    value = Decimal(hours)
    if not value.is_finite() or value < 0:
        raise ValueError(f"A duration must be a non-negative number of hours, not {hours!r}.")
    return dt.timedelta(microseconds=int((value * _MICROSECONDS_PER_HOUR).to_integral_value(ROUND_HALF_UP)))


def _as_hours(delta: dt.timedelta) -> Decimal:
    return Decimal(delta // dt.timedelta(microseconds=1)) / _MICROSECONDS_PER_HOUR


def _check_unit(unit: str) -> None:
    if unit not in UNITS:
        raise ValueError(f"Unknown time unit {unit!r}: use one of {', '.join(UNITS)}.")


@dataclass(frozen=True)
class WorkCalendar:
    """Lịch làm việc: which days are worked, and the working periods of a working day.

    A day is a working day when it is Monday–Friday and not in `days_off`, or when it is in `make_up_days`
    (a Saturday or Sunday worked in exchange for a day off). Build one with `build()` (holidays plus overrides)
    or `vietnam()` (the `holidays` package plus overrides). `years`, when set, is the range of years the data
    covers: asking about any other year raises CalendarRangeError rather than silently ignoring its holidays.
    The object is hashable and picklable, so it can be cached.
    """

    days_off: frozenset[dt.date] = frozenset()
    make_up_days: frozenset[dt.date] = frozenset()
    periods: tuple[Period, ...] = DEFAULT_PERIODS
    cutoff: dt.time = DEFAULT_CUTOFF
    years: range | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "days_off", frozenset(self.days_off))
        object.__setattr__(self, "make_up_days", frozenset(self.make_up_days))
        periods = tuple((start, end) for start, end in self.periods)
        if not periods:
            raise ValueError("A working day needs at least one working period.")
        previous_end = dt.time.min
        for index, (start, end) in enumerate(periods):
            if not start < end:
                raise ValueError(f"Working period {start}–{end} must end after it starts.")
            if index and start < previous_end:
                raise ValueError("Working periods must be in order and must not overlap.")
            previous_end = end
        object.__setattr__(self, "periods", periods)

    # --- construction ---------------------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        *,
        holidays: Iterable[dt.date] = (),
        make_up_days: Iterable[dt.date] = (),
        overrides: Mapping[dt.date, str] | None = None,
        periods: Sequence[Period] = DEFAULT_PERIODS,
        cutoff: dt.time = DEFAULT_CUTOFF,
        years: range | None = None,
    ) -> WorkCalendar:
        """A calendar from public holidays and swaps, with administrators' overrides taking precedence.

        `overrides` maps a date to "day_off" (an extra day off, even if otherwise worked) or "working_day"
        (a make-up working day, even on a weekend or a holiday that the government moved).
        """
        days_off = set(holidays)
        working = set(make_up_days)
        for day, kind in (overrides or {}).items():
            if kind == OverrideKind.DAY_OFF:
                days_off.add(day)
                working.discard(day)
            elif kind == OverrideKind.WORKING_DAY:
                working.add(day)
                days_off.discard(day)
            else:
                raise ValueError(f"Unknown override kind {kind!r} on {day}.")
        return cls(
            days_off=frozenset(days_off),
            make_up_days=frozenset(working),
            periods=tuple(periods),
            cutoff=cutoff,
            years=years,
        )

    @classmethod
    def vietnam(
        cls,
        *,
        years: range,
        overrides: Mapping[dt.date, str] | None = None,
        periods: Sequence[Period] = DEFAULT_PERIODS,
        cutoff: dt.time = DEFAULT_CUTOFF,
    ) -> WorkCalendar:
        """Vietnam's public holidays and announced swaps for `years` (from the `holidays` package) plus overrides."""
        if len(years) == 0 or years.step != 1:
            raise ValueError(f"years must be a non-empty range of consecutive years, not {years!r}.")
        days_off, make_up = vietnam_public_days(years.start, years.stop - 1)
        return cls.build(
            holidays=days_off, make_up_days=make_up, overrides=overrides, periods=periods, cutoff=cutoff, years=years
        )

    # --- days -----------------------------------------------------------------------------------------------

    @property
    def day_length(self) -> dt.timedelta:
        """The working time of one working day (7 h 30 with the default periods)."""
        lengths = (
            dt.datetime.combine(dt.date.min, end) - dt.datetime.combine(dt.date.min, start)
            for start, end in self.periods
        )
        return sum(lengths, dt.timedelta())

    def is_working_day(self, day: dt.date) -> bool:
        if self.years is not None and day.year not in self.years:
            raise CalendarRangeError(
                f"The working calendar covers {self.years.start}–{self.years.stop - 1}, not {day.year}: "
                "load it with the years you need."
            )
        if day in self.make_up_days:
            return True
        return day.weekday() < 5 and day not in self.days_off

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        day += _ONE_DAY
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def previous_working_day(self, day: dt.date) -> dt.date:
        """The last working day strictly before `day`."""
        day -= _ONE_DAY
        while not self.is_working_day(day):
            day -= _ONE_DAY
        return day

    def working_day_on_or_after(self, day: dt.date) -> dt.date:
        return day if self.is_working_day(day) else self.next_working_day(day)

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after `day`; `day` itself is not counted (Civil Code 2015 art. 147).

        n = 0 gives `day` unchanged; a negative n counts backwards.
        """
        for _step in range(abs(n)):
            day = self.next_working_day(day) if n > 0 else self.previous_working_day(day)
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """The number of working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start + _ONE_DAY
        while day <= end:
            count += self.is_working_day(day)
            day += _ONE_DAY
        return count

    # --- hours ----------------------------------------------------------------------------------------------

    def _add(self, local: dt.datetime, delta: dt.timedelta) -> dt.datetime:
        """Walk `delta` of working time forward from a naive local moment.

        A moment outside working time starts at the next working period. Time that runs out exactly at the end
        of a period ends there (11:30, 17:00), not at the start of the next one.
        """
        day, moment = local.date(), local
        while True:
            if self.is_working_day(day):
                for start_time, end_time in self.periods:
                    end = dt.datetime.combine(day, end_time)
                    if moment >= end:
                        continue
                    current = max(moment, dt.datetime.combine(day, start_time))
                    available = end - current
                    if delta <= available:
                        return current + delta
                    delta -= available
                    moment = end
            day += _ONE_DAY
            moment = dt.datetime.combine(day, dt.time.min)

    def _between(self, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        """Working time inside [a, b] for naive local moments, a <= b."""
        total = dt.timedelta()
        day = a.date()
        while day <= b.date():
            if self.is_working_day(day):
                for start_time, end_time in self.periods:
                    start = max(a, dt.datetime.combine(day, start_time))
                    end = min(b, dt.datetime.combine(day, end_time))
                    if end > start:
                        total += end - start
            day += _ONE_DAY
        return total

    def _days(self, days: Decimal) -> dt.timedelta:
        """A number of working days (possibly fractional) as working time."""
        return _hours(_as_hours(self.day_length) * days)

    def _day_start(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, self.periods[0][0])

    def add_working_hours(self, moment: dt.datetime, hours: Decimal | int) -> dt.datetime:
        """The moment after `hours` working hours from `moment`, counting only working periods of working days."""
        return _from_local(self._add(_to_local(moment), _hours(hours)))

    def working_hours_between(self, a: dt.datetime, b: dt.datetime) -> Decimal:
        """Working hours between two moments; negative when b is before a."""
        local_a, local_b = _to_local(a), _to_local(b)
        if local_b < local_a:
            return -_as_hours(self._between(local_b, local_a))
        return _as_hours(self._between(local_a, local_b))

    # --- deadlines ------------------------------------------------------------------------------------------

    def received_on(self, received_at: dt.datetime, *, counts_from_next_day_after_cutoff: bool = False) -> dt.date:
        """Ngày tiếp nhận: the working day a dossier counts as received on.

        A dossier that arrives on a day off, or after the end of the working day, is received on the next working
        day; with the cut-off rule, one that arrives at or after the cut-off (15:00) is too. One that arrives
        before the working day starts is received that day.
        """
        local = _to_local(received_at)
        day = local.date()
        if not self.is_working_day(day):
            return self.next_working_day(day)
        if local.time() >= self.periods[-1][1]:
            return self.next_working_day(day)
        if counts_from_next_day_after_cutoff and local.time() >= self.cutoff:
            return self.next_working_day(day)
        return day

    def appointment(
        self,
        *,
        received_at: dt.datetime,
        processing_time: Decimal | int,
        unit: str,
        counts_from_next_day_after_cutoff: bool,
        pauses: Sequence[Pause] = (),
    ) -> dt.datetime | None:
        """Hẹn trả kết quả: the legal deadline of a dossier, or None while a supplement is still awaited.

        In working days: the end of working hours (17:00) of the N-th working day after the day of receipt
        (`received_on`). A fractional N is counted in working hours of a working day (`day_length`) from the
        start of the first working day after receipt: 1 day ends at 17:00 of that day, 0.5 day at 11:15 with
        the default periods (07:30 + 3 h 45), 2.5 days at 11:15 of the third working day.

        In working hours: N working hours from the moment of receipt (from the next working period if it
        arrives outside working time; with the cut-off rule, from the start of the next working day if it
        arrives at or after 15:00).

        Supplement pauses (start, end) do not count: each one extends a day-based deadline by the working days
        in (start date, end date], and an hour-based one by the working hours inside it. A pause still open
        (end None) means there is no deadline yet. Pauses are assumed not to overlap.
        """
        _check_unit(unit)
        paused_days = 0
        paused_time = dt.timedelta()
        for start, end in pauses:
            if end is None:
                return None
            local_start, local_end = _to_local(start), _to_local(end)
            if local_end < local_start:
                raise ValueError(f"A pause cannot end ({end}) before it starts ({start}).")
            if unit == UNIT_WORKING_DAY:
                paused_days += self.working_days_between(local_start.date(), local_end.date())
            else:
                paused_time += self._between(local_start, local_end)

        if unit == UNIT_WORKING_DAY:
            day = self.received_on(received_at, counts_from_next_day_after_cutoff=counts_from_next_day_after_cutoff)
            # N × day_length working hours from the start of the next working day end exactly at 17:00 of the
            # N-th working day for a whole N, and place a fraction of a day the same way.
            start = self._day_start(self.next_working_day(day))
            return _from_local(self._add(start, self._days(Decimal(processing_time) + paused_days)))

        local = _to_local(received_at)
        if counts_from_next_day_after_cutoff and self.is_working_day(local.date()) and local.time() >= self.cutoff:
            local = self._day_start(self.next_working_day(local.date()))
        return _from_local(self._add(local, _hours(processing_time) + paused_time))

    def step_deadline(self, *, start: dt.datetime, duration: Decimal | int, unit: str) -> dt.datetime:
        """Hạn của một bước xử lý nội bộ: the deadline of an internal step that starts at `start`.

        Steps share the legal processing time, so they are counted in working time from the moment the step
        starts, without the "start day not counted" rule: a duration in days is converted to working hours
        (× `day_length`, 7 h 30 by default) and walked from `start`. A 1-day step started at 10:00 is due at
        10:00 on the next working day; steps that add up to the legal time end no later than the appointment.
        """
        _check_unit(unit)
        delta = self._days(Decimal(duration)) if unit == UNIT_WORKING_DAY else _hours(duration)
        return _from_local(self._add(_to_local(start), delta))

    def due_status(self, *, deadline: dt.datetime, now: dt.datetime, due_soon_working_days: int = 1) -> DueStatus:
        """Quá hạn / sắp đến hạn / trong hạn at `now`.

        Overdue once `now` is past the deadline (a result at the deadline itself is on time). Due soon when the
        deadline falls on or before the `due_soon_working_days`-th working day after today (0: today only).
        """
        local_now, local_deadline = _to_local(now), _to_local(deadline)
        if local_now > local_deadline:
            return DueStatus.OVERDUE
        if local_deadline.date() <= self.add_working_days(local_now.date(), due_soon_working_days):
            return DueStatus.DUE_SOON
        return DueStatus.ON_TIME
