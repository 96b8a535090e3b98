"""The worklists' query shapes: the queue across agencies with different roles, counts that agree with the lists,
counts that read only the columns of their covering index, and (on PostgreSQL) first pages read in order from an
index, never sorted."""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from motcua.accounts.models import Membership
from motcua.dossiers.models import ActionKind, Dossier
from motcua.dossiers.queries import WORKLISTS, worklist, worklist_counts
from motcua.dossiers.services import perform_action, submit_dossier
from motcua.dossiers.tests.factories import at, make_officer

MONDAY = at(2026, 11, 23, 10)


def file(world, agency, *, minute: int):
    return submit_dossier(
        applicant=world.owner, version=world.version, agency=agency, form_data=world.form,
        files=world.required_files(), now=at(2026, 11, 23, 8, minute),
    )  # fmt: skip


def act(dossier, actor, kind, minute: int, **kwargs):
    perform_action(dossier_code=dossier.code, actor=actor, kind=kind, now=at(2026, 11, 23, 9, minute), **kwargs)


@pytest.fixture
def two_agencies(world):
    """Chuyên viên works at the commune (specialist) and at the department's desk (reception)."""
    world.version.procedure.agencies.add(world.other_agency)
    Membership.objects.create(user=world.specialist, agency=world.other_agency, role="reception")
    department_desk = world.other_officer
    new_here = file(world, world.agency, minute=0)
    at_my_step_here = file(world, world.agency, minute=1)
    act(at_my_step_here, world.reception, ActionKind.RECEIVE, 1)
    act(at_my_step_here, world.reception, ActionKind.HAND_OFF, 2)  # to the specialist step, nobody assigned
    taken_here = file(world, world.agency, minute=2)
    act(taken_here, world.reception, ActionKind.RECEIVE, 3)
    colleague = make_officer("chuyenvien2", world.agency, "specialist")
    act(taken_here, world.reception, ActionKind.HAND_OFF, 4, assignee=colleague)  # a colleague holds it
    new_there = file(world, world.other_agency, minute=3)
    received_there = file(world, world.other_agency, minute=4)
    act(received_there, department_desk, ActionKind.RECEIVE, 5)  # its receiver holds it
    return {
        "new_here": new_here, "at_my_step_here": at_my_step_here, "taken_here": taken_here,
        "new_there": new_there, "received_there": received_there,
    }  # fmt: skip


def codes(queryset) -> set[str]:
    return {dossier.code for dossier in queryset}


def test_the_queue_follows_each_agencys_own_roles(world, two_agencies):
    queue = codes(worklist(world.specialist, "queue", now=MONDAY))
    # Here: unassigned at the specialist step; not the new filing (reception's), not the colleague's. There: the
    # desk's work, the online filing not yet received (the received one is its receiver's own).
    expected = {two_agencies[name].code for name in ("at_my_step_here", "new_there")}
    assert queue == expected
    assert codes(worklist(world.reception, "queue", now=MONDAY)) == {two_agencies["new_here"].code}


@pytest.mark.parametrize("when", [MONDAY, at(2026, 11, 26, 10), at(2026, 12, 30, 8)])
def test_counts_agree_with_the_lists(world, two_agencies, when):
    for officer in (world.specialist, world.reception, world.leader, world.other_officer):
        counts = worklist_counts(officer, now=when)
        assert counts == {name: worklist(officer, name, now=when).count() for name in WORKLISTS}
    assert worklist_counts(world.specialist, now=at(2026, 12, 30, 8))["overdue"] == 3


def plan(sql: str, params=()) -> str:
    """PostgreSQL's plan with sequential scans, bitmaps and sorts priced out: can an index do it alone?"""
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")


def test_counts_read_only_columns_of_their_covering_index(world, two_agencies):
    """What lets PostgreSQL count from the index alone (an index-only scan; SQLite: a covering index)."""
    with CaptureQueriesContext(connection) as captured:
        worklist_counts(world.specialist, now=MONDAY)
    sql = captured.captured_queries[-1]["sql"]
    read = set(re.findall(r'"dossiers_dossier"\."(\w+)"', sql))
    (index,) = [index for index in Dossier._meta.indexes if index.name == "dossier_worklist_counts_idx"]
    columns = {Dossier._meta.get_field(name).column for name in index.fields}
    assert read and read <= columns, read - columns


@postgres_only
@pytest.mark.parametrize(
    "name, index",
    [
        ("all", "dossier_agency_order_idx"),
        ("queue", "dossier_active_order_idx"),
        ("due_soon", "dossier_active_order_idx"),
        ("overdue", "dossier_active_order_idx"),
    ],
)
def test_first_pages_are_read_in_order_from_an_index(world, two_agencies, name, index):
    # The leader works at one agency, like most officers. (An officer of several agencies gets their rows sorted:
    # the order index is per agency.)
    text = plan(*worklist(world.leader, name, now=MONDAY)[:25].query.sql_with_params())
    assert f"using {index} on dossiers_dossier" in text and "Sort" not in text, text
