"""What the pinned `holidays` package says about Vietnam in 2025–2027: the calendar relies on exactly this.

If an upgrade of the package changes one of these dates, this file fails first and says which one.
"""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.workdays.calendar import vietnam_public_days

D = dt.date


@pytest.fixture(scope="module")
def public_days() -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    return vietnam_public_days(2025, 2027)


def test_days_off_2025(public_days):
    days_off, _make_up = public_days
    assert sorted(day for day in days_off if day.year == 2025) == [
        D(2025, 1, 1),
        # Tết Ất Tỵ: 27/1 (29 Tết, in place of Saturday 1/2, the 4th day) to 31/1.
        D(2025, 1, 27),
        D(2025, 1, 28),
        D(2025, 1, 29),
        D(2025, 1, 30),
        D(2025, 1, 31),
        D(2025, 2, 1),
        D(2025, 4, 7),  # Hùng Kings, Monday
        D(2025, 4, 30),
        D(2025, 5, 1),
        D(2025, 5, 2),  # swapped with Saturday 26/4
        D(2025, 9, 1),  # the day adjacent to 2/9
        D(2025, 9, 2),
    ]


def test_days_off_2026(public_days):
    days_off, _make_up = public_days
    assert sorted(day for day in days_off if day.year == 2026) == [
        D(2026, 1, 1),
        # Tết Bính Ngọ: Monday 16/2 (New Year's Eve) to Friday 20/2.
        D(2026, 2, 16),
        D(2026, 2, 17),
        D(2026, 2, 18),
        D(2026, 2, 19),
        D(2026, 2, 20),
        D(2026, 4, 26),  # Hùng Kings on a Sunday ...
        D(2026, 4, 27),  # ... observed on Monday
        D(2026, 4, 30),
        D(2026, 5, 1),
        D(2026, 8, 31),  # swapped with Saturday 22/8
        D(2026, 9, 1),  # the day adjacent to 2/9
        D(2026, 9, 2),
        D(2026, 11, 24),  # Vietnam Culture Day, from 2026 (a Tuesday)
    ]


def test_days_off_2027(public_days):
    days_off, _make_up = public_days
    assert sorted(day for day in days_off if day.year == 2027) == [
        D(2027, 1, 1),
        # Tết Đinh Mùi falls on Saturday 6/2: 29 Tết (Thu 4/2) replaces it and the 5th day (Wed 10/2) replaces
        # Sunday 7/2, so the weekdays off are 4, 5, 8, 9 and 10 February.
        D(2027, 2, 4),
        D(2027, 2, 5),
        D(2027, 2, 6),
        D(2027, 2, 7),
        D(2027, 2, 8),
        D(2027, 2, 9),
        D(2027, 2, 10),
        D(2027, 4, 16),  # Hùng Kings, Friday
        D(2027, 4, 30),
        D(2027, 5, 1),  # a Saturday ...
        D(2027, 5, 3),  # ... observed on Monday
        D(2027, 9, 2),
        D(2027, 9, 3),  # the day adjacent to 2/9 (a Friday)
        D(2027, 11, 24),
    ]


def test_make_up_saturdays_come_from_weekend_workdays(public_days):
    # The package lists the weekend days worked in exchange for a swapped day off in `weekend_workdays`.
    _days_off, make_up = public_days
    assert sorted(make_up) == [D(2025, 4, 26), D(2026, 8, 22)]
    assert all(day.weekday() == 5 for day in make_up)
