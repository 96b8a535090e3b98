"""Group MDHL, hand-computed: November's ratings and feedback at the commune, kept up through the outbox, equal to
the feedback part's own counts and to a rebuild; the drill-down lists exactly the dossiers behind each figure.

Ratings (of November's dossiers, test_rollups.py's table):
| dossier | story | counts |
|---|---|---|
| A | result returned 4/11, rated very satisfied | rated, satisfied |
| B | result returned 6/11, rated satisfied, changed to not satisfied on 7/11 | rated (its current level) |
| I | stopped 12/11, rated not satisfied on 13/11 | rated |
→ 1 satisfied of 3 rated: 0.33 < 0.90 → 0.33 × 6 / 0.90 = 2.20

Feedback (PAKN) sent to the commune; deadlines: refuse 2, answer 15 working days of receipt:
| feedback | story | at the end of November |
|---|---|---|
| Q1 | received 2/11, answered 10/11, published 11/11, the sender satisfied | answered on time |
| Q2 | received 2/11, refused 3/11 (due 4/11) | refused on time |
| Q3 | received 2/11, refused 9/11 | refused late |
| Q4 | received 2/11, nothing since (answer due 23/11) | open, overdue |
| Q5 | received 25/11, nothing since | open, in time |
| Q6 | received 2/11, information asked 3/11, no reply | open, waiting: never overdue |
→ handled on time 2 (Q1, Q2) + open in time 2 (Q5, Q6) of 6 judged: 0.67 → 0.67 × 6 / 0.80 = 5.03
→ 1 satisfied of 1 rated answer: 1.00 ≥ 0.90 → 6
MDHL = 5.03 + 6 + 2.20 = 13.23
"""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import pytest
from django.apps import apps as django_apps

from motcua.dossiers.models import ActionKind as K
from motcua.dossiers.services import perform_action
from motcua.dossiers.tests.factories import at
from motcua.feedback import queries as feedback_queries
from motcua.feedback import services as feedback
from motcua.metrics import measures as m
from motcua.metrics import queries, rollups, schemes, scoring
from motcua.metrics.models import DailyCount, DossierFact, MonthlyCount, ProcedureDailyCount

NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
PERIODS = [
    NOVEMBER,
    (dt.date(2026, 11, 1), dt.date(2026, 11, 3)),
    (dt.date(2026, 11, 4), dt.date(2026, 11, 12)),
    (dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
    (dt.date(2026, 11, 16), dt.date(2026, 11, 23)),
    (dt.date(2026, 11, 24), dt.date(2026, 12, 31)),
    (dt.date(2026, 11, 2), dt.date(2026, 11, 6)),
    (dt.date(2026, 11, 9), dt.date(2026, 11, 16)),
]  # fmt: skip  (ends on days something turns overdue)


@pytest.fixture
def satisfied_november(world, november, counted):
    """November's dossiers, rated as the table says, and the six feedback items."""

    def rate(name, level, when):
        counted(feedback.rate_dossier, dossier_code=november[name], applicant=world.owner, level=level, now=when)

    for name, when in (("A", at(2026, 11, 4, 9)), ("B", at(2026, 11, 6, 14))):
        counted(perform_action, dossier_code=november[name], actor=world.reception, kind=K.RETURN_RESULT, now=when)
    rate("A", "very_satisfied", at(2026, 11, 4, 10))
    rate("B", "satisfied", at(2026, 11, 6, 15))
    rate("B", "not_satisfied", at(2026, 11, 7, 8))
    rate("I", "not_satisfied", at(2026, 11, 13, 9))

    def send(name, when):
        sent = counted(
            feedback.submit_feedback, sender=None, name="Trần Văn Khách", email="khach@example.vn",
            content=f"Phản ánh {name} về thời gian giải quyết hồ sơ.", agency_identifier=world.agency.identifier,
            idempotency_key=f"metrics-{name}", now=when,
        )  # fmt: skip
        return sent

    monday = at(2026, 11, 2, 9)
    sent = {name: send(name, monday) for name in ("Q1", "Q2", "Q3", "Q4", "Q6")}
    sent["Q5"] = send("Q5", at(2026, 11, 25, 9))
    officer = world.reception

    def step(service, name, when, **fields):
        return counted(service, feedback_id=sent[name].feedback.pk, officer=officer, now=when, **fields)

    step(feedback.answer_feedback, "Q1", at(2026, 11, 10, 9), answer="Đã chấn chỉnh bộ phận một cửa.")
    step(feedback.publish_answer, "Q1", at(2026, 11, 11, 9), public_question="Phản ánh về thời gian giải quyết.",
         public_answer="Đã chấn chỉnh bộ phận một cửa.")  # fmt: skip
    counted(feedback.rate_answer, code=sent["Q1"].code, level="satisfied", now=at(2026, 11, 12, 9))
    step(feedback.refuse_feedback, "Q2", at(2026, 11, 3, 9), reason="Không thuộc thẩm quyền của xã.")
    step(feedback.refuse_feedback, "Q3", at(2026, 11, 9, 9), reason="Nội dung đã được trả lời trước đây.")
    step(feedback.request_information, "Q6", at(2026, 11, 3, 9), request="Hãy cho biết mã hồ sơ.")
    return sent


def test_satisfaction_figures_equal_the_hand_computation(world, satisfied_november, november):
    """One world for every read (building it signs nine results)."""
    mdhl_for_november(world)
    for period in PERIODS:
        roll_ups_count_as_the_feedback_part_does([world.agency.pk], period)
        procedure_counts_add_up_to_the_agency_counts(world, period)
        the_drill_down_lists_exactly_the_dossiers_behind_each_figure([world.agency.pk], period)
    the_drill_down_names_the_dossiers(world, november)


def mdhl_for_november(world):
    values = queries.measures_for([world.agency.pk], *NOVEMBER)
    assert (values[m.DOSSIERS_RATED], values[m.DOSSIERS_RATED_SATISFIED]) == (3, 1)
    assert (values[m.FEEDBACK_RECEIVED], values[m.FEEDBACK_REFUSED], values[m.FEEDBACK_REFUSED_ON_TIME]) == (6, 2, 1)
    assert (values[m.FEEDBACK_ANSWERED], values[m.FEEDBACK_ANSWERED_ON_TIME]) == (1, 1)
    assert (values[m.FEEDBACK_PUBLISHED], values[m.FEEDBACK_RATED], values[m.FEEDBACK_RATED_SATISFIED]) == (1, 1, 1)
    assert (values[m.FEEDBACK_OPEN], values[m.FEEDBACK_OPEN_OVERDUE], values[m.FEEDBACK_OPEN_IN_TIME]) == (3, 1, 2)
    assert (values["feedback_judged_in_time"], values["feedback_judged"]) == (4, 6)

    result = scoring.score(schemes.scheme_in_force(NOVEMBER[1], code="qd-766"), values)
    assert result.scheme_version == 3
    by_code = {item.code: item for group in result.groups for item in group.indicators}
    assert (by_code["MDHL.1"].ratio, by_code["MDHL.1"].points) == (D("0.67"), D("5.03"))
    assert (by_code["MDHL.2"].ratio, by_code["MDHL.2"].points) == (D("1.00"), D("6.00"))
    assert (by_code["MDHL.3"].ratio, by_code["MDHL.3"].points) == (D("0.33"), D("2.20"))
    groups = {group.code: group for group in result.groups}
    assert groups["MDHL"].points == D("13.23") and groups["CKMB"].points is None
    assert result.applicable_max == D("82")
    measured = sum(group.points for group in result.groups if group.points is not None)
    assert result.total == (measured * 100 / D("82")).quantize(D("0.01"), ROUND_HALF_UP)


def roll_ups_count_as_the_feedback_part_does(ids, period):
    values = queries.measures_for(ids, *period)
    ratings = feedback_queries.ratings_between(ids, *period)
    assert (values[m.DOSSIERS_RATED], values[m.DOSSIERS_RATED_SATISFIED]) == (
        ratings["rated"], ratings["rated_satisfied"]
    )  # fmt: skip
    handling = feedback_queries.feedback_handling_between(ids, *period)
    assert {name: values[f"feedback_{name}"] for name in handling if f"feedback_{name}" in values} == {
        name: count for name, count in handling.items() if f"feedback_{name}" in values
    }
    assert (values[m.FEEDBACK_OPEN], values[m.FEEDBACK_OPEN_OVERDUE]) == (
        handling["open_at_end"], handling["overdue_at_end"]
    )  # fmt: skip


def _roll_ups() -> tuple[list, list, list]:
    return (
        sorted(DailyCount.objects.exclude(value=0).values_list("agency_id", "measure", "day", "value")),
        sorted(MonthlyCount.objects.exclude(value=0).values_list("agency_id", "measure", "month", "value")),
        sorted(
            ProcedureDailyCount.objects.exclude(value=0).values_list(
                "agency_id", "procedure_id", "measure", "day", "value"
            )
        ),
    )


def _facts() -> list[tuple]:
    return sorted(DossierFact.objects.values_list("pk", "overdue_on", "rated_at", "rated_satisfied", "contributions"))


def test_the_rebuild_and_the_data_migration_reproduce_ratings_feedback_and_procedure_counts(world, satisfied_november):
    kept, facts = _roll_ups(), _facts()
    assert any(row[1] == m.FEEDBACK_OPEN for row in kept[0]) and kept[1] and kept[2]
    # The month counts are the day counts summed by month, as kept change by change.
    months: dict[tuple, int] = {}
    for agency_id, measure, day, value in kept[0]:
        key = (agency_id, measure, day.replace(day=1))
        months[key] = months.get(key, 0) + value
    assert kept[1] == sorted((*key, value) for key, value in months.items() if value)
    rollups.rebuild()
    assert _roll_ups() == kept and _facts() == facts
    # Migration 0004 brings a database of 0002's roll-ups to the same figures (and its reverse takes them back).
    migration = importlib.import_module("motcua.metrics.migrations.0004_fill_procedure_counts_and_satisfaction")
    migration.empty(django_apps, None)
    assert not ProcedureDailyCount.objects.exists() and not DailyCount.objects.filter(measure=m.FEEDBACK_OPEN).exists()
    assert not DossierFact.objects.exclude(rated_at=None).exists()
    migration.fill(django_apps, None)
    assert _roll_ups() == kept and _facts() == facts
    months = importlib.import_module("motcua.metrics.migrations.0007_fill_monthly_counts")
    months.empty(django_apps, None)
    assert not MonthlyCount.objects.exists()
    months.fill(django_apps, None)
    assert _roll_ups() == kept


def procedure_counts_add_up_to_the_agency_counts(world, period):
    ids = [world.agency.pk]
    by_procedure = queries.procedure_measures(ids, *period)
    assert list(by_procedure) == [world.version.procedure_id]
    values = queries.measures_for(ids, *period)
    dossier_measures = [name for name in values if not name.startswith("feedback_")]
    assert {name: by_procedure[world.version.procedure_id][name] for name in dossier_measures} == {
        name: values[name] for name in dossier_measures
    }


def the_drill_down_lists_exactly_the_dossiers_behind_each_figure(ids, period):
    values = queries.measures_for(ids, *period)
    components = {m.COMPONENTS: "components", m.COMPONENTS_DIGITISED: "components_digitised",
                  m.COMPONENTS_REUSED: "components_reused"}  # fmt: skip
    for measure in sorted(queries.DOSSIER_MEASURES):
        behind = queries.facts_behind(measure, ids, *period)
        if measure in components:
            counted = sum(behind.values_list(components[measure], flat=True))
        else:
            counted = behind.count()
        assert counted == values[measure], (measure, period)


def the_drill_down_names_the_dossiers(world, november):
    behind = queries.facts_behind(m.OPEN_OVERDUE, [world.agency.pk], *NOVEMBER)
    assert set(behind.values_list("dossier__code", flat=True)) == {november[name] for name in ("E", "F2", "J")}
    late = queries.facts_behind(m.RESOLVED_LATE, [world.agency.pk], *NOVEMBER)
    assert set(late.values_list("dossier__code", flat=True)) == {november[name] for name in ("C", "I", "L")}
    assert not queries.facts_behind(m.OPEN, [world.other_agency.pk], *NOVEMBER).exists()
    with pytest.raises(ValueError):
        queries.facts_behind(m.FEEDBACK_OPEN, [world.agency.pk], *NOVEMBER)
    assert DossierFact.objects.get(dossier__code=november["J"]).overdue_on == dt.date(2026, 11, 6)
