"""Hand-computed figures: November 2026 at one commune, with a dossier for every rule of DOMAIN.md, kept up to
date action by action through the outbox, and rebuilt from the action log to the same numbers.

Birth registration takes 3 working days: received Monday 2/11 at 09:00, it is due Thursday 5/11 at 17:00.

| dossier | story | in November |
|---|---|---|
| A | received 2/11, approved 3/11 | resolved early |
| B | received 2/11, approved 5/11 10:00 | resolved on time (the appointment's day) |
| C | received 2/11, approved 6/11 | resolved late |
| D | received 2/11, supplement asked 3/11, given 9/11 (the appointment moves), approved 1 h before it | on time |
| E | received 2/11, supplement asked 3/11, given 4/11, asked again 16/11, still waiting | open, overdue (2 requests) |
| F | received 2/11, supplement asked 4/11 (before the appointment), still waiting | open, in time (at the request) |
| F2 | received 2/11, supplement asked 9/11 (after the appointment), still waiting | open, overdue |
| G | filed 2/11, refused at reception | not counted (never received) |
| H | received 2/11, withdrawn 3/11 | not counted |
| I | received 2/11, stopped 12/11 | resolved late (stopping ends processing) |
| J | received 2/11, nothing since | open, overdue |
| K | received Friday 27/11, due 2/12 | open, in time |
| L | received 26/10, approved 3/11 | carried over; resolved late |
| M | registered at the desk 2/11 (digitised), approved 3/11 | received direct; resolved early |
| P1 | received 2/11, fee asked 3/11 and paid online, approved 4/11 | early; paid online |
| P2 | received 2/11, fee asked 3/11 and paid at the desk, approved 4/11 | early; paid, not online |
"""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.dossiers.models import ActionKind as K
from motcua.dossiers.services import (
    perform_action,
    submit_dossier,
)
from motcua.dossiers.tests.factories import at
from motcua.metrics import measures as m
from motcua.metrics import queries, rollups
from motcua.metrics.models import DailyCount, DossierFact, Outcome

NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def outcome(code: str) -> str:
    return DossierFact.objects.get(dossier__code=code).outcome


def test_november_figures_equal_the_hand_computation(world, november):
    """One world for every read (building it signs nine results): the judgements, the report, the measures."""
    each_dossier_is_judged_by_the_rules(november)
    report_ii06a_for_november(world)
    measures_for_november(world)
    october_sees_what_stood_then(world)


def each_dossier_is_judged_by_the_rules(november):
    assert {name: outcome(code) for name, code in november.items() if name in "ABCDILMP1P2" and len(name) <= 2} == {
        "A": Outcome.EARLY, "B": Outcome.ON_TIME, "C": Outcome.LATE, "D": Outcome.ON_TIME, "I": Outcome.LATE,
        "L": Outcome.LATE, "M": Outcome.EARLY, "P1": Outcome.EARLY, "P2": Outcome.EARLY,
    }  # fmt: skip
    for name in ("E", "F", "F2", "J", "K"):
        assert outcome(november[name]) == ""  # still open
    assert not DossierFact.objects.get(dossier__code=november["G"]).contributions  # never received
    assert not DossierFact.objects.get(dossier__code=november["H"]).contributions  # withdrawn


def report_ii06a_for_november(world):
    report = queries.report_ii06a([world.agency.pk], *NOVEMBER)
    assert (report.carried_over, report.received_online, report.received_direct) == (1, 12, 1)
    assert (report.resolved_early, report.resolved_on_time, report.resolved_late) == (4, 2, 3)
    assert (report.in_progress_in_time, report.in_progress_overdue) == (2, 3)
    assert report.received == report.resolved + report.in_progress == 14  # the report's identity


def measures_for_november(world):
    values = queries.measures_for([world.agency.pk], *NOVEMBER)
    per_dossier = world.version.components.filter(required=True).count()
    assert values["judged_in_time"] == 8 and values["judged"] == 14  # the on-time rule's figures
    assert (values[m.FEES_PAID], values[m.FEES_PAID_ONLINE]) == (2, 1)
    assert values[m.RESULTS_ISSUED] == 8  # every approval in November issued its signed result (L's too)
    assert values[m.RECEIVED_FULL_ONLINE] == 12  # the test procedure is a full-process service
    # Components of the 13 dossiers received in November (H withdrawn, G refused, L in October), D's and E's
    # supplements included; M's were scanned at the desk.
    assert values[m.COMPONENTS] == 13 * per_dossier + 2
    assert values[m.COMPONENTS_DIGITISED] == per_dossier
    assert values[m.COMPONENTS_REUSED] == 0


def october_sees_what_stood_then(world):
    report = queries.report_ii06a([world.agency.pk], dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert (report.received_online, report.resolved, report.in_progress_in_time, report.in_progress_overdue) == (
        1, 0, 0, 1,
    )  # L: due Thursday 29/10, still open on the 31st  # fmt: skip


def test_the_rebuild_reproduces_the_incremental_figures_exactly(world, november):
    kept = sorted(DailyCount.objects.exclude(value=0).values_list("agency_id", "measure", "day", "value"))
    facts = {row.dossier_id: row.contributions for row in DossierFact.objects.all()}
    assert rollups.rebuild() == len(november)
    assert sorted(DailyCount.objects.exclude(value=0).values_list("agency_id", "measure", "day", "value")) == kept
    assert {row.dossier_id: row.contributions for row in DossierFact.objects.all()} == facts
    # And refreshing a fact with no new action changes nothing.
    for dossier_id in DossierFact.objects.values_list("dossier_id", flat=True):
        rollups.refresh_fact(dossier_id=dossier_id)
    assert sorted(DailyCount.objects.exclude(value=0).values_list("agency_id", "measure", "day", "value")) == kept


def test_the_rebuild_command_checks_and_rebuilds(world, november):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("rebuild_metrics", "--check", stdout=out)
    assert out.getvalue().strip().endswith("same.")
    DailyCount.objects.filter(measure=m.RESOLVED_LATE).update(value=0)  # as if a message had been lost
    with pytest.raises(CommandError, match="differ"):
        call_command("rebuild_metrics", "--check", stdout=StringIO())
    call_command("rebuild_metrics", stdout=StringIO())
    assert queries.report_ii06a([world.agency.pk], *NOVEMBER).resolved_late == 3


def test_a_rolled_back_action_counts_nothing(world, counted, test_pki):
    from django.db import transaction

    dossier = counted(
        submit_dossier, applicant=world.owner, version=world.version, agency=world.agency, form_data=world.form,
        files=world.required_files(), now=at(2026, 11, 2, 8),
    )  # fmt: skip

    def receive_then_fail():
        with transaction.atomic():
            perform_action(dossier_code=dossier.code, actor=world.reception, kind=K.RECEIVE, now=at(2026, 11, 2, 9))
            raise RuntimeError("the request failed after the action")

    with pytest.raises(RuntimeError):
        counted(receive_then_fail)
    assert queries.report_ii06a([world.agency.pk], *NOVEMBER).received == 0


def test_the_index_for_november_equals_the_hand_computation(world, november):
    """QĐ 766 v1 (migration 0002) on November's measures; each level rounded to 2 decimals before the next."""
    from decimal import ROUND_HALF_UP
    from decimal import Decimal as D

    from motcua.metrics import schemes, scoring

    values = queries.measures_for([world.agency.pk], *NOVEMBER)
    result = scoring.score(schemes.scheme_in_force(NOVEMBER[1], code="qd-766"), values)
    by_code = {item.code: item for group in result.groups for item in group.indicators}
    # TDGQ: in time 8 of 14 judged → 0.57 < 0.80 → 0.57 × 20 / 0.80 = 14.25
    assert (by_code["TDGQ.1"].ratio, by_code["TDGQ.1"].points) == (D("0.57"), D("14.25"))
    # CLGQ: 12 full-process online of 13 received → 0.92 ≥ 0.50 → 12
    assert (by_code["CLGQ.1"].ratio, by_code["CLGQ.1"].points) == (D("0.92"), D("12.00"))
    # TTTT: 1 paid online of 2 paid → 0.50 → 0.50 × 10 / 0.80 = 6.25
    assert (by_code["TTTT.1"].ratio, by_code["TTTT.1"].points) == (D("0.50"), D("6.25"))
    # MDSH: 8 e-results of 9 resolved → 0.89 ≥ 0.80 → 11
    assert (by_code["MDSH.1"].ratio, by_code["MDSH.1"].points) == (D("0.89"), D("11.00"))
    assert by_code["MDSH.3"].points == D("0.00")  # nothing reused from a warehouse in this world
    groups = {group.code: group for group in result.groups}
    assert groups["CKMB"].points is None and groups["MDHL"].points is None  # not measured yet: N/A, rescaled
    assert result.applicable_max == D("64")
    # MDSH.2: M's scanned components of all those received (see measures_for_november); 7.33 points at target 0.80
    digitised = by_code["MDSH.2"]
    cents = D("0.01")
    assert digitised.ratio == (D(digitised.numerator) / D(digitised.denominator)).quantize(cents, ROUND_HALF_UP)
    assert digitised.points == (digitised.ratio * D("7.33") / D("0.80")).quantize(cents, ROUND_HALF_UP)
    mdsh = D("11.00") + digitised.points + D("0.00")
    assert groups["MDSH"].points == mdsh
    total = ((D("14.25") + D("12.00") + D("6.25") + mdsh) * 100 / D("64")).quantize(cents, ROUND_HALF_UP)
    assert result.total == total
