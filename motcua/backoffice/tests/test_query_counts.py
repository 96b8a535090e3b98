"""No N+1 in the back office: every list page costs the same number of queries with 2 rows as with 12."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.backoffice.tests.conftest import act, client_for, file_dossier
from motcua.catalog.tests.factories import publish_procedure
from motcua.dossiers.models import ActionKind


def queries_of(request: Callable[[], object]) -> int:
    """How many queries `request` runs (after one warm-up call, so caches filled once are not counted)."""
    request()
    with CaptureQueriesContext(connection) as captured:
        request()
    return len(captured)


def receive_and_keep(world, dossier) -> None:
    act(dossier, world.reception, ActionKind.RECEIVE)  # the receiver holds it ("mine")


@pytest.mark.parametrize("name", ["mine", "queue", "due_soon", "overdue", "all"])
def test_every_worklist_page_costs_the_same_for_2_or_12_dossiers(world, name):
    client = client_for(world.reception)

    def grow(count: int) -> None:
        for index in range(count):
            dossier = file_dossier(world, user=world.owner if index % 2 else world.other_citizen)
            if index % 3:
                receive_and_keep(world, dossier)

    grow(2)
    few = queries_of(lambda: client.get("/backoffice/", {"list": name}))
    grow(10)
    assert client.get("/backoffice/", {"list": name}).status_code == 200
    assert queries_of(lambda: client.get("/backoffice/", {"list": name})) == few


def test_the_dossier_page_costs_the_same_however_long_its_log(world, dossier):
    receive_and_keep(world, dossier)
    act(dossier, world.reception, ActionKind.HAND_OFF, assignee=world.specialist)
    page = f"/backoffice/dossiers/{dossier.code}/"
    clients = {name: client_for(getattr(world, name)) for name in ("reception", "specialist", "leader")}
    before = {name: queries_of(lambda client=client: client.get(page)) for name, client in clients.items()}
    for _ in range(4):  # every visit is logged: twelve more entries, by three officers
        for client in clients.values():
            client.get(page)
    html = clients["leader"].get(page).content.decode()
    assert int(re.search(r"Nhật ký xem hồ sơ \((\d+) lượt\)", html)[1]) >= 15
    after = {name: queries_of(lambda client=client: client.get(page)) for name, client in clients.items()}
    assert after == before


def test_the_desk_registration_page_costs_the_same_for_2_or_12_procedures(world):
    client = client_for(world.reception)

    def publish(start: int, count: int) -> None:
        for index in range(start, start + count):
            version = publish_procedure(
                code=f"2.{index:06d}", name=f"Thủ tục thử {index}", channels=["online", "direct"]
            )
            version.procedure.agencies.add(world.agency)

    publish(0, 1)  # with birth registration: 2
    few = queries_of(lambda: client.get("/backoffice/register/"))
    publish(1, 10)
    html = client.get("/backoffice/register/").content.decode()
    assert "Thủ tục thử 10" in html
    assert queries_of(lambda: client.get("/backoffice/register/")) == few
