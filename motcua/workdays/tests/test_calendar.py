"""The working calendar and the deadline rules on real 2025–2027 dates, without the database.

Every expected date is worked out by hand in the comment above it. Default hours: 07:30–11:30 and
13:30–17:00 (7 h 30 a day), cut-off 15:00. Weekdays used below: 9 Nov 2026 is a Monday, 24 Nov 2026 a Tuesday.
"""

from __future__ import annotations

import datetime as dt
import pickle
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from motcua.catalog.models import TimeUnit
from motcua.workdays.calendar import (
    UNIT_WORKING_DAY,
    UNIT_WORKING_HOUR,
    CalendarRangeError,
    DueStatus,
    OverrideKind,
    WorkCalendar,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
D = dt.date
DAY = UNIT_WORKING_DAY
HOUR = UNIT_WORKING_HOUR


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=VN)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.vietnam(years=range(2025, 2028))


def due(cal: WorkCalendar, received_at: dt.datetime, time: str, unit: str = DAY, *, cutoff: bool = False, pauses=()):
    return cal.appointment(
        received_at=received_at,
        processing_time=Decimal(time),
        unit=unit,
        counts_from_next_day_after_cutoff=cutoff,
        pauses=pauses,
    )


# --- days --------------------------------------------------------------------------------------------------------


def test_units_match_the_catalogue():
    assert {UNIT_WORKING_DAY, UNIT_WORKING_HOUR} == set(TimeUnit.values)


def test_default_day_is_seven_and_a_half_hours(cal):
    assert cal.day_length == dt.timedelta(hours=7, minutes=30)


def test_working_days_2026_count(cal):
    # 2026 has 261 weekdays; 13 of them are days off (1/1, 16–20/2, 27/4, 30/4, 1/5, 31/8, 1/9, 2/9, 24/11);
    # Saturday 22/8 is worked: 261 − 13 + 1 = 249.
    assert cal.working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 249


def test_next_working_day_and_on_or_after(cal):
    # Friday 13/2/2026 → the weekend, then Tết 16–20/2, then the weekend: Monday 23/2.
    assert cal.next_working_day(D(2026, 2, 13)) == D(2026, 2, 23)
    assert cal.working_day_on_or_after(D(2026, 2, 18)) == D(2026, 2, 23)
    assert cal.working_day_on_or_after(D(2026, 2, 23)) == D(2026, 2, 23)
    assert cal.next_working_day(D(2026, 2, 23)) == D(2026, 2, 24)


def test_add_working_days_does_not_count_the_start_day(cal):
    # Civil Code art. 147: 1 working day after Monday 9/11/2026 is Tuesday 10/11.
    assert cal.add_working_days(D(2026, 11, 9), 1) == D(2026, 11, 10)
    assert cal.add_working_days(D(2026, 11, 9), 0) == D(2026, 11, 9)
    # Backwards: 1 working day before Wednesday 25/11/2026 skips Culture Day (Tue 24/11) → Monday 23/11.
    assert cal.add_working_days(D(2026, 11, 25), -1) == D(2026, 11, 23)


def test_working_days_between_is_half_open(cal):
    # (Fri 13/2/2026, Mon 23/2/2026]: only Monday 23/2 is worked.
    assert cal.working_days_between(D(2026, 2, 13), D(2026, 2, 23)) == 1
    assert cal.working_days_between(D(2026, 2, 23), D(2026, 2, 13)) == -1
    assert cal.working_days_between(D(2026, 11, 9), D(2026, 11, 9)) == 0


def test_tet_2026(cal):
    # Received Friday 13/2/2026 10:00. 16–20/2 is Tết: the 1st working day after is Mon 23/2, the 3rd Wed 25/2.
    assert due(cal, at(2026, 2, 13, 10), "1") == at(2026, 2, 23, 17)
    assert due(cal, at(2026, 2, 13, 10), "3") == at(2026, 2, 25, 17)
    for day in range(16, 21):
        assert not cal.is_working_day(D(2026, 2, day))


def test_tet_2027(cal):
    # Tết 2027: Thu 4/2 – Wed 10/2 (weekdays 4, 5, 8, 9, 10). Received Wed 3/2/2027 10:00:
    # 1st working day after is Thu 11/2, the 2nd Fri 12/2.
    assert due(cal, at(2027, 2, 3, 10), "1") == at(2027, 2, 11, 17)
    assert due(cal, at(2027, 2, 3, 10), "2") == at(2027, 2, 12, 17)


def test_hung_kings_2026_on_a_sunday_is_observed_on_monday(cal):
    # 26/4/2026 is a Sunday → off on Monday 27/4. Received Friday 24/4 10:00, 1 day → Tuesday 28/4.
    assert not cal.is_working_day(D(2026, 4, 27))
    assert due(cal, at(2026, 4, 24, 10), "1") == at(2026, 4, 28, 17)
    # 3 days: Tue 28, Wed 29, then 30/4 (Thu) and 1/5 (Fri) off and the weekend → Monday 4/5.
    assert due(cal, at(2026, 4, 24, 10), "3") == at(2026, 5, 4, 17)


def test_30_april_and_1_may_2026(cal):
    # Received Wednesday 29/4/2026: Thu 30/4 and Fri 1/5 are off, then the weekend → Monday 4/5.
    assert due(cal, at(2026, 4, 29, 10), "1") == at(2026, 5, 4, 17)


def test_holiday_on_a_saturday_is_observed_on_monday_2027(cal):
    # 1/5/2027 is a Saturday → off on Monday 3/5; 30/4/2027 is a Friday.
    # Received Thursday 29/4/2027 10:00, 1 day → Tuesday 4/5.
    assert not cal.is_working_day(D(2027, 5, 3))
    assert due(cal, at(2027, 4, 29, 10), "1") == at(2027, 5, 4, 17)


def test_2025_swap_makes_saturday_26_april_a_working_day(cal):
    # 2025: Friday 2/5 off in exchange for Saturday 26/4. Received Friday 25/4/2025 10:00:
    # the 1st working day after is Saturday 26/4; the 3rd Tue 29/4; the 4th skips 30/4, 1/5, 2/5, the weekend → 5/5.
    assert cal.is_working_day(D(2025, 4, 26))
    assert not cal.is_working_day(D(2025, 5, 2))
    assert due(cal, at(2025, 4, 25, 10), "1") == at(2025, 4, 26, 17)
    assert due(cal, at(2025, 4, 25, 10), "3") == at(2025, 4, 29, 17)
    assert due(cal, at(2025, 4, 25, 10), "4") == at(2025, 5, 5, 17)


def test_2026_swap_31_august_off_saturday_22_august_worked(cal):
    assert cal.is_working_day(D(2026, 8, 22))
    assert not cal.is_working_day(D(2026, 8, 31))
    # Received Friday 21/8/2026 10:00, 1 day → the make-up Saturday 22/8.
    assert due(cal, at(2026, 8, 21, 10), "1") == at(2026, 8, 22, 17)
    # Received Friday 28/8/2026 10:00: Mon 31/8 (swap), Tue 1/9 and Wed 2/9 off → Thursday 3/9.
    assert due(cal, at(2026, 8, 28, 10), "1") == at(2026, 9, 3, 17)


def test_national_day_with_its_adjacent_day_2025_and_2027(cal):
    # 2025: Mon 1/9 + Tue 2/9. Received Friday 29/8/2025, 1 day → Wednesday 3/9.
    assert due(cal, at(2025, 8, 29, 10), "1") == at(2025, 9, 3, 17)
    # 2027: Thu 2/9 + Fri 3/9. Received Wednesday 1/9/2027, 1 day → Monday 6/9.
    assert due(cal, at(2027, 9, 1, 10), "1") == at(2027, 9, 6, 17)


def test_vietnam_culture_day_2026(cal):
    # Tuesday 24/11/2026 is off. Received Monday 23/11 10:00, 1 day → Wednesday 25/11.
    assert not cal.is_working_day(D(2026, 11, 24))
    assert due(cal, at(2026, 11, 23, 10), "1") == at(2026, 11, 25, 17)


# --- receipt: day off, end of day, 15:00 rule ----------------------------------------------------------------------


def test_received_on_saturday_counts_from_monday(cal):
    # Saturday 14/11/2026 09:00 → received Monday 16/11; 1 day → Tuesday 17/11 17:00.
    assert cal.received_on(at(2026, 11, 14, 9)) == D(2026, 11, 16)
    assert due(cal, at(2026, 11, 14, 9), "1") == at(2026, 11, 17, 17)
    # With the 15:00 rule, Saturday 16:00 is still received Monday (not pushed twice) → Tuesday 17/11.
    assert due(cal, at(2026, 11, 14, 16), "1", cutoff=True) == at(2026, 11, 17, 17)
    # Hour-based: 4 h from Monday 07:30 → 11:30.
    assert due(cal, at(2026, 11, 14, 9), "4", HOUR) == at(2026, 11, 16, 11, 30)


def test_received_after_the_working_day_counts_from_the_next(cal):
    # Monday 9/11/2026 18:00 → received Tuesday 10/11; 1 day → Wednesday 11/11.
    assert due(cal, at(2026, 11, 9, 18), "1") == at(2026, 11, 11, 17)
    # Before the day starts (06:45) it is received that day → Tuesday 10/11.
    assert due(cal, at(2026, 11, 9, 6, 45), "1") == at(2026, 11, 10, 17)


def test_cutoff_rule_received_1505_vs_1455(cal):
    # Rule on: 14:55 Monday 9/11/2026 → received Monday → Tuesday 10/11; 15:05 → received Tuesday → Wed 11/11.
    assert due(cal, at(2026, 11, 9, 14, 55), "1", cutoff=True) == at(2026, 11, 10, 17)
    assert due(cal, at(2026, 11, 9, 15, 5), "1", cutoff=True) == at(2026, 11, 11, 17)
    # At 15:00 sharp the rule applies ("from 15:00").
    assert due(cal, at(2026, 11, 9, 15), "1", cutoff=True) == at(2026, 11, 11, 17)
    # Rule off: 15:05 is received Monday → Tuesday 10/11.
    assert due(cal, at(2026, 11, 9, 15, 5), "1") == at(2026, 11, 10, 17)


def test_cutoff_rule_reads_local_time(cal):
    # 08:05 UTC is 15:05 in Hà Nội: the rule applies.
    received = dt.datetime(2026, 11, 9, 8, 5, tzinfo=dt.UTC)
    assert due(cal, received, "1", cutoff=True) == at(2026, 11, 11, 17)


def test_cutoff_rule_before_a_holiday(cal):
    # Monday 23/11/2026 15:30 with the rule → next working day is Wed 25/11 (24/11 off); 1 day → Thursday 26/11.
    assert due(cal, at(2026, 11, 23, 15, 30), "1", cutoff=True) == at(2026, 11, 26, 17)


# --- hour-based ----------------------------------------------------------------------------------------------------


def test_hours_received_at_1600_end_next_morning(cal):
    # 4 h from Monday 9/11/2026 16:00: 1 h until 17:00, then 3 h from Tuesday 07:30 → 10:30.
    assert due(cal, at(2026, 11, 9, 16), "4", HOUR) == at(2026, 11, 10, 10, 30)


def test_hours_across_culture_day(cal):
    # 4 h from Monday 23/11/2026 16:00: 1 h Monday, Tuesday 24/11 off, 3 h Wednesday → 25/11 10:30.
    assert due(cal, at(2026, 11, 23, 16), "4", HOUR) == at(2026, 11, 25, 10, 30)


def test_hours_received_at_lunch_start_in_the_afternoon(cal):
    # Monday 12:00 is lunch: 2 h from 13:30 → 15:30.
    assert due(cal, at(2026, 11, 9, 12), "2", HOUR) == at(2026, 11, 9, 15, 30)


def test_hours_over_a_weekend(cal):
    # 8 h from Friday 13/11/2026 16:00: 1 h Friday; Monday 16/11 4 h (to 11:30) = 5 h; 3 h from 13:30 → 16:30.
    assert due(cal, at(2026, 11, 13, 16), "8", HOUR) == at(2026, 11, 16, 16, 30)


def test_hours_with_cutoff_rule_start_next_morning(cal):
    # Rule on, 15:05 Monday 9/11/2026 → from Tuesday 07:30, 4 h → 11:30.
    assert due(cal, at(2026, 11, 9, 15, 5), "4", HOUR, cutoff=True) == at(2026, 11, 10, 11, 30)
    # Rule off: 1 h 55 until 17:00, then 2 h 05 from Tuesday 07:30 → 09:35.
    assert due(cal, at(2026, 11, 9, 15, 5), "4", HOUR) == at(2026, 11, 10, 9, 35)
    # Rule on, 14:55: 2 h 05 Monday, 1 h 55 Tuesday → 09:25.
    assert due(cal, at(2026, 11, 9, 14, 55), "4", HOUR, cutoff=True) == at(2026, 11, 10, 9, 25)


def test_add_working_hours_ending_exactly_at_a_period_end_stays_there(cal):
    # 1 h 30 from Monday 10:00 ends at 11:30, not at 13:30.
    assert cal.add_working_hours(at(2026, 11, 9, 10), Decimal("1.5")) == at(2026, 11, 9, 11, 30)


def test_working_hours_between(cal):
    # Friday 20/11/2026 16:00 → Wednesday 25/11 08:00: 1 h Friday, 7.5 h Monday, Tuesday off, 0.5 h Wednesday.
    assert cal.working_hours_between(at(2026, 11, 20, 16), at(2026, 11, 25, 8)) == Decimal(9)
    assert cal.working_hours_between(at(2026, 11, 25, 8), at(2026, 11, 20, 16)) == Decimal(-9)
    # Inside the lunch break: nothing.
    assert cal.working_hours_between(at(2026, 11, 9, 11, 45), at(2026, 11, 9, 13, 15)) == 0


# --- fractional days -----------------------------------------------------------------------------------------------


def test_fractional_days_are_working_hours_from_the_next_working_day(cal):
    # 0.5 day = 3 h 45 from Tuesday 10/11/2026 07:30 → 11:15.
    assert due(cal, at(2026, 11, 9, 10), "0.5") == at(2026, 11, 10, 11, 15)
    # 2.5 days = 18 h 45: Tuesday 7 h 30, Wednesday 7 h 30, 3 h 45 on Thursday 12/11 → 11:15.
    assert due(cal, at(2026, 11, 9, 10), "2.5") == at(2026, 11, 12, 11, 15)
    # 1.25 days = 9 h 22 min 30 s: Tuesday 7 h 30, then 1 h 52 min 30 s on Wednesday → 09:22:30.
    assert due(cal, at(2026, 11, 9, 10), "1.25") == at(2026, 11, 11, 9, 22, 30)
    # 0.5 day received Monday 23/11: the next working day is Wednesday 25/11 → 11:15.
    assert due(cal, at(2026, 11, 23, 10), "0.5") == at(2026, 11, 25, 11, 15)


# --- supplement pauses ---------------------------------------------------------------------------------------------


def test_one_pause_extends_by_the_working_days_inside_it(cal):
    # 10 days from Monday 9/11/2026: 10, 11, 12, 13, 16, 17, 18, 19, 20, 23 → Monday 23/11.
    assert due(cal, at(2026, 11, 9, 10), "10") == at(2026, 11, 23, 17)
    # Paused Tue 10/11 09:00 → Wed 11/11 10:00: (10/11, 11/11] = 1 working day → the 11th day, skipping
    # Culture Day (24/11) → Wednesday 25/11.
    pauses = [(at(2026, 11, 10, 9), at(2026, 11, 11, 10))]
    assert due(cal, at(2026, 11, 9, 10), "10", pauses=pauses) == at(2026, 11, 25, 17)


def test_two_pauses_add_up(cal):
    # Pause 1: (10/11, 11/11] = 1 day. Pause 2: Fri 20/11 10:00 → Wed 25/11 10:00: (20/11, 25/11] = Mon 23,
    # Wed 25 (24 off) = 2 days. 10 + 3 = 13 days: … 23, 25, 26, 27 → Friday 27/11.
    pauses = [(at(2026, 11, 10, 9), at(2026, 11, 11, 10)), (at(2026, 11, 20, 10), at(2026, 11, 25, 10))]
    assert due(cal, at(2026, 11, 9, 10), "10", pauses=pauses) == at(2026, 11, 27, 17)


def test_pause_within_one_day_does_not_move_a_day_deadline(cal):
    # (9/11, 9/11] holds no working day.
    pauses = [(at(2026, 11, 9, 10), at(2026, 11, 9, 16))]
    assert due(cal, at(2026, 11, 9, 8), "1", pauses=pauses) == at(2026, 11, 10, 17)


def test_open_pause_means_no_deadline_yet(cal):
    assert due(cal, at(2026, 11, 9, 10), "10", pauses=[(at(2026, 11, 10, 9), None)]) is None
    closed_then_open = [(at(2026, 11, 10, 9), at(2026, 11, 11, 10)), (at(2026, 11, 16, 9), None)]
    assert due(cal, at(2026, 11, 9, 10), "10", pauses=closed_then_open) is None
    assert due(cal, at(2026, 11, 9, 10), "8", HOUR, pauses=[(at(2026, 11, 9, 11), None)]) is None


def test_pause_of_an_hour_based_procedure_extends_by_working_hours(cal):
    # 8 h from Monday 9/11/2026 08:00: 3 h 30 + 3 h 30 Monday, 1 h Tuesday → 08:30.
    assert due(cal, at(2026, 11, 9, 8), "8", HOUR) == at(2026, 11, 10, 8, 30)
    # Paused Monday 16:00 → Tuesday 09:00: 1 h + 1 h 30 = 2 h 30 → 10 h 30 in all: 7 h Monday, 3 h 30 Tuesday
    # from 07:30 → 11:00.
    pauses = [(at(2026, 11, 9, 16), at(2026, 11, 10, 9))]
    assert due(cal, at(2026, 11, 9, 8), "8", HOUR, pauses=pauses) == at(2026, 11, 10, 11)


def test_pause_ending_before_it_starts_is_rejected(cal):
    with pytest.raises(ValueError, match="pause"):
        due(cal, at(2026, 11, 9, 10), "1", pauses=[(at(2026, 11, 11, 9), at(2026, 11, 10, 9))])


# --- internal steps ------------------------------------------------------------------------------------------------


def test_step_deadline_counts_working_time_from_the_step_start(cal):
    # 1 day = 7 h 30 from Monday 9/11/2026 10:00 → Tuesday 10:00.
    assert cal.step_deadline(start=at(2026, 11, 9, 10), duration=Decimal(1), unit=DAY) == at(2026, 11, 10, 10)
    # 0.5 day = 3 h 45 from 10:00: 1 h 30 to 11:30, 2 h 15 from 13:30 → 15:45 the same day.
    assert cal.step_deadline(start=at(2026, 11, 9, 10), duration=Decimal("0.5"), unit=DAY) == at(2026, 11, 9, 15, 45)
    # 2 h from Monday 16:30: 30 min Monday, 1 h 30 from Tuesday 07:30 → 09:00.
    assert cal.step_deadline(start=at(2026, 11, 9, 16, 30), duration=Decimal(2), unit=HOUR) == at(2026, 11, 10, 9)
    # 1 day from Monday 23/11/2026 14:00: 3 h Monday, Tuesday off, 4 h Wednesday morning, 30 min after 13:30.
    assert cal.step_deadline(start=at(2026, 11, 23, 14), duration=Decimal(1), unit=DAY) == at(2026, 11, 25, 14)


# --- due status ----------------------------------------------------------------------------------------------------


def test_due_status(cal):
    deadline = at(2026, 11, 10, 17)  # Tuesday
    assert cal.due_status(deadline=deadline, now=at(2026, 11, 6, 10)) == DueStatus.ON_TIME  # Friday before
    assert cal.due_status(deadline=deadline, now=at(2026, 11, 9, 10)) == DueStatus.DUE_SOON  # the day before
    assert cal.due_status(deadline=deadline, now=at(2026, 11, 9, 10), due_soon_working_days=0) == DueStatus.ON_TIME
    assert cal.due_status(deadline=deadline, now=at(2026, 11, 10, 17)) == DueStatus.DUE_SOON  # at the deadline
    assert cal.due_status(deadline=deadline, now=at(2026, 11, 10, 17, 1)) == DueStatus.OVERDUE
    # From Friday 6/11, with 1 working day: Monday 9/11 is next; with 2 days Tuesday 10/11 is due soon.
    assert cal.due_status(deadline=deadline, now=at(2026, 11, 6, 10), due_soon_working_days=2) == "due_soon"


def test_due_status_skips_holidays(cal):
    # Now Monday 23/11/2026; deadline Wednesday 25/11: the next working day (24/11 is off) → due soon.
    assert cal.due_status(deadline=at(2026, 11, 25, 17), now=at(2026, 11, 23, 9)) == DueStatus.DUE_SOON


# --- explicit data, overrides, guards ------------------------------------------------------------------------------


def test_built_from_explicit_data_with_overrides_taking_precedence():
    # Explicit data, no package: Wednesday 11/11/2026 a holiday, Saturday 14/11 a make-up day; the overrides
    # give the holiday back as a working day and cancel the make-up Saturday.
    plain = WorkCalendar.build(holidays={D(2026, 11, 11)}, make_up_days={D(2026, 11, 14)})
    assert not plain.is_working_day(D(2026, 11, 11))
    assert plain.is_working_day(D(2026, 11, 14))
    overridden = WorkCalendar.build(
        holidays={D(2026, 11, 11)},
        make_up_days={D(2026, 11, 14)},
        overrides={
            D(2026, 11, 11): OverrideKind.WORKING_DAY,
            D(2026, 11, 14): OverrideKind.DAY_OFF,
            D(2026, 11, 21): "working_day",
            D(2026, 11, 12): "day_off",
        },
    )
    assert overridden.is_working_day(D(2026, 11, 11))
    assert not overridden.is_working_day(D(2026, 11, 14))
    assert overridden.is_working_day(D(2026, 11, 21))  # a Saturday
    assert not overridden.is_working_day(D(2026, 11, 12))


def test_custom_periods_and_cutoff():
    # 08:00–12:00 and 13:00–17:00 (8 h), cut-off 16:00. 0.5 day = 4 h from the next morning → 12:00.
    cal = WorkCalendar.build(periods=[(dt.time(8), dt.time(12)), (dt.time(13), dt.time(17))], cutoff=dt.time(16))
    assert cal.day_length == dt.timedelta(hours=8)
    assert due(cal, at(2026, 11, 9, 10), "0.5") == at(2026, 11, 10, 12)
    # 15:30 is before this cut-off: received Monday → Tuesday 10/11.
    assert due(cal, at(2026, 11, 9, 15, 30), "1", cutoff=True) == at(2026, 11, 10, 17)


def test_calendar_is_an_immutable_cacheable_value(cal):
    assert pickle.loads(pickle.dumps(cal)) == cal
    assert hash(cal) == hash(WorkCalendar.vietnam(years=range(2025, 2028)))
    with pytest.raises(AttributeError):
        cal.cutoff = dt.time(16)  # type: ignore[misc]


def test_dates_outside_the_loaded_years_are_refused(cal):
    with pytest.raises(CalendarRangeError, match="2028"):
        cal.is_working_day(D(2028, 1, 3))
    # A deadline that would run past the loaded years is refused too, rather than ignoring their holidays.
    with pytest.raises(CalendarRangeError):
        due(cal, at(2027, 12, 30, 10), "5")


def test_bad_input_is_refused(cal):
    with pytest.raises(ValueError, match="naive"):
        cal.add_working_hours(dt.datetime(2026, 11, 9, 10), Decimal(1))
    with pytest.raises(ValueError, match="unit"):
        due(cal, at(2026, 11, 9, 10), "1", "working_week")
    with pytest.raises(ValueError, match="non-negative"):
        cal.add_working_hours(at(2026, 11, 9, 10), Decimal(-1))
    with pytest.raises(ValueError, match="overlap"):
        WorkCalendar(periods=((dt.time(8), dt.time(12)), (dt.time(11), dt.time(17))))
    with pytest.raises(ValueError, match="override kind"):
        WorkCalendar.build(overrides={D(2026, 11, 9): "holiday"})
