"""Worklists, the applicant's list, the public lookup: right rows, right people, fixed query counts."""

from __future__ import annotations

import pytest

from motcua.dossiers.models import ActionKind
from motcua.dossiers.queries import (
    actions_for,
    applicant_dossiers,
    get_visible_dossier,
    lookup_dossier,
    worklist,
    worklist_counts,
)
from motcua.dossiers.services import perform_action, submit_dossier
from motcua.dossiers.tests.factories import at


def submit(world, *, now, user=None):
    user = user or world.owner
    return submit_dossier(
        applicant=user, version=world.version, agency=world.agency, form_data=world.form,
        files=world.required_files(user), now=now,
    )  # fmt: skip


def act(dossier, actor, kind, now, **kwargs):
    return perform_action(dossier_code=dossier.code, actor=actor, kind=kind, now=now, **kwargs)


@pytest.fixture
def dossiers(world):
    """Four dossiers: new, received (due 27/11), with the specialist, and one of another citizen."""
    new = submit(world, now=at(2026, 11, 23, 8))
    received = submit(world, now=at(2026, 11, 23, 8, 5))
    act(received, world.reception, ActionKind.RECEIVE, at(2026, 11, 23, 9))
    with_specialist = submit(world, now=at(2026, 11, 23, 8, 10))
    act(with_specialist, world.reception, ActionKind.RECEIVE, at(2026, 11, 23, 9, 5))
    act(with_specialist, world.reception, ActionKind.HAND_OFF, at(2026, 11, 23, 9, 30), assignee=world.specialist)
    others = submit(world, now=at(2026, 11, 23, 8, 15), user=world.other_citizen)
    return {"new": new, "received": received, "with_specialist": with_specialist, "others": others}


def codes(queryset) -> set[str]:
    return {dossier.code for dossier in queryset}


def test_officer_worklists(world, dossiers):
    monday = at(2026, 11, 23, 10)
    assert codes(worklist(world.specialist, "mine", now=monday)) == {dossiers["with_specialist"].code}
    assert codes(worklist(world.reception, "mine", now=monday)) == {dossiers["received"].code}
    assert codes(worklist(world.reception, "queue", now=monday)) == {dossiers["new"].code, dossiers["others"].code}
    assert codes(worklist(world.leader, "queue", now=monday)) == set()
    assert len(codes(worklist(world.leader, "all", now=monday))) == 4
    assert codes(worklist(world.other_officer, "all", now=monday)) == set()


def test_due_soon_and_overdue_follow_working_days(world, dossiers):
    # Both received dossiers are due Friday 27/11 at 17:00.
    assert codes(worklist(world.leader, "due_soon", now=at(2026, 11, 23, 10))) == set()
    due = {dossiers["received"].code, dossiers["with_specialist"].code}
    assert codes(worklist(world.leader, "due_soon", now=at(2026, 11, 26, 10))) == due
    assert codes(worklist(world.leader, "overdue", now=at(2026, 11, 30, 8))) == due
    counts = worklist_counts(world.leader, now=at(2026, 11, 30, 8))
    assert counts == {"mine": 0, "queue": 0, "due_soon": 0, "overdue": 2, "all": 4}


def test_a_paused_dossier_is_never_overdue(world, dossiers):
    act(dossiers["received"], world.reception, ActionKind.REQUEST_SUPPLEMENT, at(2026, 11, 23, 11), missing=["Tờ khai"])
    assert codes(worklist(world.leader, "overdue", now=at(2026, 12, 30, 8))) == {dossiers["with_specialist"].code}


def test_worklists_run_a_fixed_number_of_queries(world, dossiers, django_assert_max_num_queries):
    for minute in range(20, 40):
        submit(world, now=at(2026, 11, 23, 8, minute))
    user = world.reception
    with django_assert_max_num_queries(4):
        rows = list(worklist(user, "all", now=at(2026, 11, 23, 10)))
        assert len(rows) == 24
        shown = [
            (row.procedure_version.name, row.procedure_version.procedure.code, row.agency.name, row.current_step,
             row.assignee)
            for row in rows
        ]  # fmt: skip
        assert len(shown) == 24
    with django_assert_max_num_queries(3):
        worklist_counts(user, now=at(2026, 11, 23, 10))


def test_the_applicant_sees_only_their_dossiers(world, dossiers):
    assert codes(applicant_dossiers(world.owner)) == {
        dossiers["new"].code, dossiers["received"].code, dossiers["with_specialist"].code,
    }  # fmt: skip
    assert codes(applicant_dossiers(world.other_citizen)) == {dossiers["others"].code}


@pytest.mark.parametrize("who, visible", [("owner", True), ("other_citizen", False), ("reception", True),
                                          ("other_officer", False)])  # fmt: skip
def test_get_visible_dossier_checks_ownership(world, dossiers, who, visible):
    code = dossiers["received"].code
    if visible:
        assert get_visible_dossier(getattr(world, who), code).code == code
    else:
        with pytest.raises(type(dossiers["received"]).DoesNotExist):
            get_visible_dossier(getattr(world, who), code)


def test_the_public_timeline_hides_internal_moves(world, dossiers):
    kinds = [action.kind for action in actions_for(dossiers["with_specialist"], public=True)]
    assert kinds == ["submit", "receive"]
    assert [a.kind for a in actions_for(dossiers["with_specialist"], public=False)] == ["submit", "receive", "hand_off"]


def test_lookup_needs_the_code_and_the_last_four_digits(world, dossiers):
    code = dossiers["received"].code
    assert lookup_dossier(code=code, id_last4="1234").pk == dossiers["received"].pk
    assert lookup_dossier(code=code.lower(), id_last4="1234").pk == dossiers["received"].pk
    assert lookup_dossier(code=code, id_last4="5678") is None
    assert lookup_dossier(code=code, id_last4="12") is None
    assert lookup_dossier(code="H17.20.194-261123-9999", id_last4="1234") is None
