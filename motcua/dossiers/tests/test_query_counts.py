"""No N+1 in the dossier API: each list costs the same number of queries with 2 rows as with 12."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.dossiers.models import ActionKind
from motcua.dossiers.services import perform_action, record_view, submit_dossier
from motcua.dossiers.tests.factories import at


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def queries_of(request: Callable[[], object]) -> int:
    """How many queries `request` runs (after one warm-up call, so caches filled once are not counted)."""
    request()
    with CaptureQueriesContext(connection) as captured:
        request()
    return len(captured)


def file(world, *, minute: int, user=None):
    user = user or world.owner
    return submit_dossier(
        applicant=user, version=world.version, agency=world.agency, form_data=world.form,
        files=world.required_files(user), now=at(2026, 11, 23, 8, minute),
    )  # fmt: skip


def receive(dossier, world, minute: int):
    perform_action(
        dossier_code=dossier.code, actor=world.reception, kind=ActionKind.RECEIVE, now=at(2026, 11, 23, 9, minute)
    )


@pytest.mark.parametrize("name", ["mine", "queue", "due_soon", "overdue", "all"])
def test_every_worklist_endpoint_costs_the_same_for_2_or_12_dossiers(world, name):
    client = client_for(world.reception)
    url = f"/api/v1/worklists/{name}"

    def grow(start: int, count: int) -> None:
        for minute in range(start, start + count):
            dossier = file(world, minute=minute, user=world.owner if minute % 2 else world.other_citizen)
            if minute % 3:  # received by the desk officer, who then holds them ("mine")
                receive(dossier, world, minute)
                perform_action(
                    dossier_code=dossier.code, actor=world.reception, kind=ActionKind.ASSIGN,
                    assignee=world.reception, now=at(2026, 11, 23, 10, minute),
                )  # fmt: skip

    grow(0, 2)
    few = queries_of(lambda: client.get(url))
    grow(2, 10)
    response = client.get(url)
    assert response.status_code == 200
    assert response.json()["count"] > 0 or name in ("due_soon", "overdue")
    assert queries_of(lambda: client.get(url)) == few


def test_the_worklist_counts_endpoint_costs_the_same_for_2_or_12_dossiers(world):
    client = client_for(world.leader)
    for minute in range(2):
        file(world, minute=minute)
    few = queries_of(lambda: client.get("/api/v1/worklists"))
    for minute in range(2, 12):
        receive(file(world, minute=minute), world, minute)
    assert client.get("/api/v1/worklists").json()["all"] == 12
    assert queries_of(lambda: client.get("/api/v1/worklists")) == few


def test_a_dossier_and_its_log_cost_the_same_however_long_the_log(world):
    dossier = file(world, minute=0)
    receive(dossier, world, 1)
    officer, owner = client_for(world.leader), client_for(world.owner)
    detail, log = f"/api/v1/dossiers/{dossier.code}", f"/api/v1/dossiers/{dossier.code}/actions"
    before = {
        "officer detail": queries_of(lambda: officer.get(detail)),
        "officer log": queries_of(lambda: officer.get(log)),
        "owner detail": queries_of(lambda: owner.get(detail)),
        "owner log": queries_of(lambda: owner.get(log)),
    }
    for minute in range(10):  # ten more entries, by three different officers
        record_view(
            dossier=dossier, officer=(world.reception, world.specialist, world.leader)[minute % 3],
            now=at(2026, 11, 23, 11, minute),
        )  # fmt: skip
    assert len(officer.get(log).json()) >= 12
    after = {
        "officer detail": queries_of(lambda: officer.get(detail)),
        "officer log": queries_of(lambda: officer.get(log)),
        "owner detail": queries_of(lambda: owner.get(detail)),
        "owner log": queries_of(lambda: owner.get(log)),
    }
    assert after == before
