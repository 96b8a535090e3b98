"""The dashboards' reads: the period chooser, the index of a scope, the monthly trend (each month's figures are
measures_for's for that month) and the ranking of the agencies under a scope, each in a bounded number of queries;
the operations figures (open and overdue dossiers by step and by officer). The November world is test_rollups.py's.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from motcua.catalog.models import Agency, AgencyKind
from motcua.metrics import dashboards, queries, rollups, schemes, scoring
from motcua.metrics import measures as m
from motcua.metrics.dashboards import Period, parse_period, trend_months
from motcua.metrics.models import DailyCount

NOVEMBER = Period(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30), kind="month", label="", params={})
TODAY = dt.date(2026, 12, 4)


# --- the period chooser (no database) ---------------------------------------------------------------------------


def period(**data):
    form, chosen = parse_period(data, today=TODAY)
    return form, chosen


def test_each_kind_of_period_and_the_default():
    chosen = period(month="2026-11")[1]
    assert (chosen.start, chosen.end, chosen.kind, chosen.label) == (
        dt.date(2026, 11, 1), dt.date(2026, 11, 30), "month", "Tháng 11/2026",
    )  # fmt: skip
    chosen = period(year="2026", quarter="3")[1]
    assert (chosen.start, chosen.end, chosen.label) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30), "Quý III/2026")
    chosen = period(year="2025")[1]
    assert (chosen.start, chosen.end, chosen.kind) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31), "year")
    chosen = period(**{"from": "2026-10-15", "to": "2026-11-10"})[1]
    assert (chosen.start, chosen.end, chosen.kind) == (dt.date(2026, 10, 15), dt.date(2026, 11, 10), "range")
    # Nothing chosen: this month so far; a period running past today stops today and says so.
    chosen = period()[1]
    assert (chosen.start, chosen.end, chosen.clipped, chosen.params) == (dt.date(2026, 12, 1), TODAY, True, {})
    chosen = period(year="2026", quarter="4")[1]
    assert (chosen.end, chosen.clipped, dict(chosen.params)) == (TODAY, True, {"year": "2026", "quarter": "4"})


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"month": "2026-13"}, "month", "Tháng không hợp lệ"),
        ({"month": "tháng 11"}, "month", "Tháng không hợp lệ"),
        ({"year": "20x6"}, "year", "Năm không hợp lệ"),
        ({"year": "2031"}, "year", "Năm không hợp lệ"),
        ({"quarter": "2"}, "year", "Hãy nhập năm của quý"),
        ({"year": "2026", "quarter": "5"}, "quarter", "Quý là I, II, III hoặc IV"),
        ({"from": "2026-11-30", "to": "2026-11-01"}, "to", "phải bằng hoặc sau"),
        ({"from": "2026-11-01"}, "to", "Hãy nhập cả"),
        ({"from": "30/02/2026", "to": "2026-11-01"}, "from", "Ngày không hợp lệ"),
        ({"from": "2019-01-01", "to": "2026-11-01"}, "from", "dài nhất là 5 năm"),
        ({"month": "2026-11", "year": "2026"}, "__all__", "Chỉ chọn một kỳ"),
        ({"month": "2027-01"}, "__all__", "chưa bắt đầu"),
    ],
)
def test_a_bad_period_says_what_is_wrong_and_keeps_what_was_typed(data, field, message):
    form, chosen = period(**data)
    assert chosen is None
    assert message in " ".join(form.errors[field])
    for name, value in data.items():
        assert form[name].value() == value  # shown again as typed


def test_trend_months():
    month = parse_period({"month": "2026-11"}, today=TODAY)[1]
    months = trend_months(month)
    assert len(months) == 12 and months[0] == (dt.date(2025, 12, 1), dt.date(2025, 12, 31))
    assert months[-1] == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    # A range over several months: its months, the first and last clipped to it.
    span = parse_period({"from": "2026-09-15", "to": "2026-11-10"}, today=TODAY)[1]
    assert trend_months(span) == [
        (dt.date(2026, 9, 15), dt.date(2026, 9, 30)), (dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
        (dt.date(2026, 11, 1), dt.date(2026, 11, 10)),
    ]  # fmt: skip
    # Longer than 12 months: the last 12; this month so far ends today.
    assert trend_months(parse_period({"from": "2024-03-01", "to": "2026-11-30"}, today=TODAY)[1])[0][0] == dt.date(
        2025, 12, 1
    )
    assert trend_months(parse_period({}, today=TODAY)[1])[-1] == (dt.date(2026, 12, 1), TODAY)


# --- figures of the November world ----------------------------------------------------------------------------


def expected_index(world) -> scoring.IndexScore:
    values = queries.measures_for([world.agency.pk], NOVEMBER.start, NOVEMBER.end)
    return scoring.score(schemes.scheme_in_force(NOVEMBER.end), values)


def test_figures_of_the_november_world(world, november, django_assert_max_num_queries):
    """One world for every read (building it signs nine results)."""
    the_index_of_a_scope(world)
    each_month_of_the_trend_is_that_months_figures(world, django_assert_max_num_queries)
    a_clipped_range_gives_the_figures_of_its_days(world)
    the_ranking_adds_up_each_subtree(world, django_assert_max_num_queries)
    open_and_overdue_by_step_and_by_officer(world, django_assert_max_num_queries)
    the_dossiers_behind_a_figure(world, november)


def the_index_of_a_scope(world):
    found = dashboards.index_for([world.agency.pk], NOVEMBER)
    expected = expected_index(world)
    assert found.score == expected
    # The hand-computed figures (test_rollups.py): TDGQ 14.25, CLGQ 12, TTTT 6.25; CKMB and MDHL N/A over 64 points.
    assert found.score.indicator("TDGQ.1").points == D("14.25")
    assert found.score.group("CKMB").points is None and found.score.applicable_max == D("64")
    assert found.notes and "CKMB" in found.notes[0]
    assert found.values[m.RESOLVED_LATE] == 3


def each_month_of_the_trend_is_that_months_figures(world, django_assert_max_num_queries):
    months = trend_months(NOVEMBER)
    with django_assert_max_num_queries(6):
        found = dashboards.trend([world.agency.pk], months)
    assert [(month.start, month.end) for month in found.months] == months
    for month in found.months:
        assert month.values == queries.measures_for([world.agency.pk], month.start, month.end), month.start
    november, october = found.months[-1], found.months[-2]
    assert november.total == expected_index(world).total
    assert november.points("TDGQ") == D("14.25") and november.points("CKMB") is None
    # October: L received on 26/10 and still open (overdue) at its end; nothing resolved.
    assert (october.values[m.RECEIVED_ONLINE], october.values[m.OPEN_OVERDUE], october.values["resolved"]) == (1, 1, 0)
    assert november.values[m.CARRIED_OVER] == 1
    assert found.months[0].total is None  # December 2025: nothing happened, nothing applies
    assert [code for code, _name, _max in found.groups] == ["CKMB", "TDGQ", "CLGQ", "TTTT", "MDSH", "MDHL"]
    rows = found.rows()
    assert rows[-1]["total"] == november.total and rows[-1]["groups"][1] == D("14.25")


def a_clipped_range_gives_the_figures_of_its_days(world):
    span = Period(start=dt.date(2026, 10, 28), end=dt.date(2026, 11, 4), kind="range", label="", params={})
    found = dashboards.trend([world.agency.pk], trend_months(span))
    assert [(month.start, month.end) for month in found.months] == trend_months(span)
    for month in found.months:
        assert month.values == queries.measures_for([world.agency.pk], month.start, month.end), month.start


def the_ranking_adds_up_each_subtree(world, django_assert_max_num_queries):
    # The commune moves under a province's committee, beside agencies with no figures; the justice department
    # gets a district of its own with a day of figures, to be added to it.
    province = Agency.objects.create(identifier="H17", name="Ủy ban nhân dân thành phố Đà Nẵng",
                                     kind=AgencyKind.PROVINCIAL_PC)  # fmt: skip
    Agency.objects.filter(pk=world.agency.pk).update(parent=province)
    for number in range(5):
        Agency.objects.create(identifier=f"H17.90.{number}", name=f"Phường thử {number}", kind=AgencyKind.COMMUNE_PC,
                              parent=province)  # fmt: skip
    office = Agency.objects.create(identifier="H17.01.1", name="Phòng Hộ tịch", kind=AgencyKind.PROVINCIAL_DEPARTMENT,
                                   parent=world.other_agency)  # fmt: skip
    for measure in (m.RECEIVED_ONLINE, m.RECEIVED_FULL_ONLINE, m.RESOLVED_EARLY, m.RESULTS_ISSUED, m.COMPONENTS,
                    m.COMPONENTS_DIGITISED, m.COMPONENTS_REUSED):  # fmt: skip
        DailyCount.objects.create(agency=office, day=dt.date(2026, 11, 10), measure=measure, value=2)
    rollups.months_from_days()  # the month counts of those days, as the roll-ups keep them
    with django_assert_max_num_queries(8):
        rows = dashboards.ranking(None, NOVEMBER)
    assert [row.agency.identifier for row in rows] == ["H17.01", "H17"]  # everything early, online, digitised: 100
    justice, city = rows
    assert (justice.rank, justice.agencies, city.rank, city.agencies) == (1, 2, 2, 7)
    assert city.total == expected_index(world).total  # only the commune has figures under the city
    assert justice.total == D("100.00") and justice.score.group("TTTT").points is None  # no fees: N/A
    # Under the city: its communes, the one with figures first, the others N/A (no rank) by name.
    with django_assert_max_num_queries(8):
        under = dashboards.ranking(province, NOVEMBER)
    assert [(row.agency.identifier, row.rank) for row in under][:2] == [
        (world.agency.identifier, 1),
        ("H17.90.0", None),
    ]
    assert len(under) == 6
    # More agencies, the same number of queries.
    for number in range(5, 40):
        Agency.objects.create(identifier=f"H17.90.{number}", name=f"Phường thử {number}", kind=AgencyKind.COMMUNE_PC,
                              parent=province)  # fmt: skip
    with django_assert_max_num_queries(8):
        assert len(dashboards.ranking(province, NOVEMBER)) == 41
    Agency.objects.filter(pk=world.agency.pk).update(parent=None)


def open_and_overdue_by_step_and_by_officer(world, django_assert_max_num_queries):
    from motcua.dossiers.tests.factories import at

    now = at(2026, 11, 30, 17)
    with django_assert_max_num_queries(1):
        steps = dashboards.open_by_step([world.agency.pk], now=now)
    # Open: E, F, F2 (waiting for a supplement), J and K (received); overdue as the worklists say: J (due 5/11).
    assert sum(row["open"] for row in steps) == 5 and sum(row["overdue"] for row in steps) == 1
    with django_assert_max_num_queries(1):
        officers = dashboards.open_by_assignee([world.agency.pk], now=now)
    assert sum(row["open"] for row in officers) == 5 and sum(row["overdue"] for row in officers) == 1
    assert dashboards.open_by_step([world.other_agency.pk], now=now) == []


def the_dossiers_behind_a_figure(world, november):
    if not hasattr(queries, "facts_behind"):
        pytest.skip("metrics.queries.facts_behind has not landed yet")
    for measure in (m.RESOLVED_LATE, m.RECEIVED_ONLINE, m.CARRIED_OVER, m.OPEN_OVERDUE, "judged_in_time"):
        found = dashboards.dossiers_behind(measure, [world.agency.pk], NOVEMBER)
        assert found.count() == queries.measures_for([world.agency.pk], NOVEMBER.start, NOVEMBER.end)[measure]
    values = queries.measures_for([world.agency.pk], NOVEMBER.start, NOVEMBER.end)
    for measure in (m.COMPONENTS, m.COMPONENTS_DIGITISED):  # components, not dossiers: their sum is the figure
        found = dashboards.dossiers_behind(measure, [world.agency.pk], NOVEMBER)
        assert dashboards.components_behind(measure, found) == values[measure] > 0
    assert dashboards.components_behind(m.RESOLVED_LATE, found) is None
    late = {fact.dossier.code for fact in dashboards.dossiers_behind(m.RESOLVED_LATE, [world.agency.pk], NOVEMBER)}
    assert late == {november["C"], november["I"], november["L"]}


def test_chart_geometry_is_plain_numbers():
    from motcua.metrics import qd766

    score = scoring.score(qd766.SCHEME, {m.RESOLVED_EARLY: 1, m.RECEIVED_ONLINE: 1, m.RECEIVED_FULL_ONLINE: 1})
    chart = dashboards.groups_chart(score)
    assert len(chart["rows"]) == 6 and all("," not in row["track"] for row in chart["rows"])
    tdgq = next(row for row in chart["rows"] if row["code"] == "TDGQ")
    assert tdgq["earned"] == tdgq["track"]  # full points: the bar fills its track
