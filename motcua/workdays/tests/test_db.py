"""The calendar as administrators edit it: overrides and working hours in the database, through load_calendar."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from motcua.workdays.calendar import DEFAULT_CUTOFF, DEFAULT_PERIODS, OverrideKind
from motcua.workdays.models import CalendarOverride, WorkingHours
from motcua.workdays.queries import default_years, load_calendar
from motcua.workdays.services import remove_override, set_override, set_working_hours

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
D = dt.date
YEARS = range(2025, 2028)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=VN)


def due_in_days(calendar, received_at: dt.datetime, days: int) -> dt.datetime | None:
    return calendar.appointment(
        received_at=received_at,
        processing_time=Decimal(days),
        unit="working_day",
        counts_from_next_day_after_cutoff=False,
    )


def test_defaults_without_a_working_hours_row_in_two_queries(django_assert_num_queries):
    with django_assert_num_queries(2):
        calendar = load_calendar(YEARS)
    assert calendar.periods == DEFAULT_PERIODS
    assert calendar.cutoff == DEFAULT_CUTOFF
    assert calendar.years == YEARS


def test_queries_stay_at_two_with_many_overrides(django_assert_num_queries):
    for day in range(1, 21):
        set_override(day=D(2026, 10, day), kind=OverrideKind.DAY_OFF, reason="Thử")
    set_working_hours(
        morning_start=dt.time(8),
        morning_end=dt.time(12),
        afternoon_start=dt.time(13),
        afternoon_end=dt.time(17),
        cutoff=dt.time(15),
    )
    with django_assert_num_queries(2):
        load_calendar(YEARS)


def test_admin_extra_day_off_and_make_up_saturday():
    # Received Wednesday 9/12/2026 10:00, 2 days: normally Thu 10/12, Fri 11/12 → Friday 11/12.
    assert due_in_days(load_calendar(YEARS), at(2026, 12, 9, 10), 2) == at(2026, 12, 11, 17)
    # The province gives Thursday 10/12 off and has Saturday 12/12 worked instead: Fri 11, Sat 12 → Saturday 12/12.
    set_override(day=D(2026, 12, 10), kind=OverrideKind.DAY_OFF, reason="Quyết định nghỉ bù của UBND tỉnh")
    set_override(day=D(2026, 12, 12), kind=OverrideKind.WORKING_DAY, reason="Làm bù cho ngày 10/12")
    calendar = load_calendar(YEARS)
    assert not calendar.is_working_day(D(2026, 12, 10))
    assert calendar.is_working_day(D(2026, 12, 12))
    assert due_in_days(calendar, at(2026, 12, 9, 10), 2) == at(2026, 12, 12, 17)


def test_admin_override_beats_the_holidays_package():
    # The package makes Saturday 22/8/2026 a working day and Monday 31/8 a day off; an administrator whose
    # province did not apply the swap reverses both.
    set_override(day=D(2026, 8, 22), kind=OverrideKind.DAY_OFF, reason="Không áp dụng hoán đổi")
    set_override(day=D(2026, 8, 31), kind=OverrideKind.WORKING_DAY, reason="Không áp dụng hoán đổi")
    calendar = load_calendar(YEARS)
    assert not calendar.is_working_day(D(2026, 8, 22))
    assert calendar.is_working_day(D(2026, 8, 31))
    # Received Friday 28/8/2026 10:00, 1 day → Monday 31/8 (now worked) instead of Thursday 3/9.
    assert due_in_days(calendar, at(2026, 8, 28, 10), 1) == at(2026, 8, 31, 17)


def test_set_override_replaces_and_remove_override_restores():
    set_override(day=D(2026, 12, 10), kind=OverrideKind.DAY_OFF, reason="Nghỉ")
    set_override(day=D(2026, 12, 10), kind=OverrideKind.WORKING_DAY, reason="Đổi ý")
    assert CalendarOverride.objects.get().kind == OverrideKind.WORKING_DAY
    assert remove_override(day=D(2026, 12, 10)) is True
    assert remove_override(day=D(2026, 12, 10)) is False
    assert load_calendar(YEARS).is_working_day(D(2026, 12, 10))


def test_overrides_outside_the_years_are_not_loaded():
    set_override(day=D(2030, 1, 2), kind=OverrideKind.DAY_OFF, reason="Xa")
    assert load_calendar(YEARS).days_off >= {D(2026, 11, 24)}
    assert D(2030, 1, 2) not in load_calendar(YEARS).days_off


def test_working_hours_from_the_database():
    # 08:00–12:00, 13:00–17:00, cut-off 16:00. 4 h from Monday 9/11/2026 16:00: 1 h Monday, 3 h from 08:00 → 11:00.
    set_working_hours(
        morning_start=dt.time(8),
        morning_end=dt.time(12),
        afternoon_start=dt.time(13),
        afternoon_end=dt.time(17),
        cutoff=dt.time(16),
    )
    calendar = load_calendar(YEARS)
    assert calendar.day_length == dt.timedelta(hours=8)
    assert calendar.cutoff == dt.time(16)
    four_hours = calendar.appointment(
        received_at=at(2026, 11, 9, 16),
        processing_time=Decimal(4),
        unit="working_hour",
        counts_from_next_day_after_cutoff=False,
    )
    assert four_hours == at(2026, 11, 10, 11)
    # 15:30 is before the 16:00 cut-off: received Monday; 1 day → Tuesday 10/11 17:00.
    one_day = calendar.appointment(
        received_at=at(2026, 11, 9, 15, 30),
        processing_time=Decimal(1),
        unit="working_day",
        counts_from_next_day_after_cutoff=True,
    )
    assert one_day == at(2026, 11, 10, 17)


def test_working_hours_is_a_single_validated_row():
    set_working_hours(
        morning_start=dt.time(7),
        morning_end=dt.time(11),
        afternoon_start=dt.time(13),
        afternoon_end=dt.time(17),
        cutoff=dt.time(15),
    )
    set_working_hours(
        morning_start=dt.time(7, 30),
        morning_end=dt.time(11, 30),
        afternoon_start=dt.time(13),
        afternoon_end=dt.time(17),
        cutoff=dt.time(15),
    )
    assert WorkingHours.objects.count() == 1
    with pytest.raises(ValidationError):
        set_working_hours(
            morning_start=dt.time(8),
            morning_end=dt.time(14),
            afternoon_start=dt.time(13),
            afternoon_end=dt.time(17),
            cutoff=dt.time(15),
        )
    with pytest.raises(ValidationError):
        set_working_hours(
            morning_start=dt.time(8),
            morning_end=dt.time(12),
            afternoon_start=dt.time(13),
            afternoon_end=dt.time(17),
            cutoff=dt.time(18),
        )
    # The database itself refuses a second row and an unordered day.
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkingHours.objects.create(id=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkingHours.objects.filter(pk=1).update(morning_end=dt.time(7))


def test_override_kind_and_date_are_constrained():
    set_override(day=D(2026, 12, 10), kind=OverrideKind.DAY_OFF, reason="Nghỉ")
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarOverride.objects.create(date=D(2026, 12, 10), kind=OverrideKind.WORKING_DAY, reason="Trùng")
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarOverride.objects.create(date=D(2026, 12, 11), kind="holiday", reason="Sai loại")
    with pytest.raises(ValidationError):
        set_override(day=D(2026, 12, 11), kind="holiday", reason="Sai loại")


def test_default_years_cover_the_past_and_the_next_two():
    assert default_years(D(2026, 11, 25)) == range(2023, 2029)
    assert load_calendar().years == default_years()


def test_admin_pages(admin_client):
    set_override(day=D(2026, 12, 12), kind=OverrideKind.WORKING_DAY, reason="Làm bù")
    assert admin_client.get("/admin/workdays/calendaroverride/").status_code == 200
    assert admin_client.get("/admin/workdays/calendaroverride/add/").status_code == 200
    assert admin_client.get("/admin/workdays/workinghours/add/").status_code == 200
    set_working_hours(
        morning_start=dt.time(8),
        morning_end=dt.time(12),
        afternoon_start=dt.time(13),
        afternoon_end=dt.time(17),
        cutoff=dt.time(15),
    )
    assert admin_client.get("/admin/workdays/workinghours/").status_code == 200
    assert admin_client.get("/admin/workdays/workinghours/1/change/").status_code == 200
    # One row only: no "add" once it exists.
    assert admin_client.get("/admin/workdays/workinghours/add/").status_code == 403
