"""The benchmark's synthetic roll-ups are what the product's own roll-up path makes of the same dossiers.

`bench.load_rollups` sums a generator's facts day by day and bulk-loads the sums; here the same facts (same seed)
go one by one through `rollups._apply`, the path the outbox refresh takes, and both tables must come out equal.
"""

import datetime as dt

import pytest

from motcua.metrics import bench, facts, rollups
from motcua.metrics import measures as m
from motcua.metrics.models import DailyCount, MonthlyCount, ProcedureDailyCount

END = dt.date(2026, 11, 30)
DOSSIERS = 120


def _tables() -> tuple[list[tuple], list[tuple], list[tuple]]:
    daily = sorted(DailyCount.objects.exclude(value=0).values_list("agency_id", "measure", "day", "value"))
    by_procedure = sorted(
        ProcedureDailyCount.objects.exclude(value=0).values_list("agency_id", "procedure_id", "measure", "day", "value")
    )
    monthly = sorted(MonthlyCount.objects.exclude(value=0).values_list("agency_id", "measure", "month", "value"))
    return daily, by_procedure, monthly


def _source() -> bench.Synthetic:
    # A short history, so a few hundred dossiers still meet on the same agency-days (sums, not single rows).
    source = bench.Synthetic(DOSSIERS, end=END, seed=11)
    source.start = END - dt.timedelta(days=44)
    return source


@pytest.mark.django_db
def test_generated_rollups_equal_the_refresh_path(world):
    generated = bench.load_rollups(_source(), log=lambda _line: None)
    loaded = _tables()

    DailyCount.objects.all().delete()
    MonthlyCount.objects.all().delete()
    ProcedureDailyCount.objects.all().delete()
    made = 0
    for _day, day_facts in _source().facts():
        for fact in day_facts:
            rollups._apply(fact.agency_id, facts.contributions(fact), procedure_id=fact.procedure_id)
            made += 1
    applied = _tables()

    assert made == generated.dossiers == DOSSIERS
    assert loaded == applied
    assert (generated.daily_rows, generated.procedure_rows) == (len(applied[0]), len(applied[1]))
    assert generated.monthly_rows == len(applied[2]) and {row[2].day for row in applied[2]} == {1}
    # The mix reaches every kind of figure the index divides, stocks included, and sums agency-days.
    measures = {row[1] for row in applied[0]}
    expected = {m.RECEIVED_ONLINE, m.RECEIVED_DIRECT, m.RESOLVED_EARLY, m.RESOLVED_ON_TIME, m.RESOLVED_LATE, m.OPEN,
                m.OPEN_OVERDUE, m.FEES_PAID, m.RESULTS_ISSUED, m.COMPONENTS_REUSED, m.DOSSIERS_RATED}  # fmt: skip
    assert expected <= measures
    assert max(row[3] for row in applied[0]) > 1
    received = sum(v for _a, measure, _d, v in applied[0] if measure in (m.RECEIVED_ONLINE, m.RECEIVED_DIRECT))
    assert received == generated.received
    still_open = sum(v for _a, measure, _d, v in applied[0] if measure == m.OPEN)
    assert still_open == generated.open_at_end > 0


def test_a_day_once_written_takes_no_more():
    buckets = bench.DayBuckets()
    buckets.close(dt.date(2026, 11, 2))
    late = facts.Fact(agency_id=1, procedure_id=1, channel=1, full_process=False)
    late.received_at = dt.datetime(2026, 11, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    with pytest.raises(RuntimeError):
        buckets.add(late)
