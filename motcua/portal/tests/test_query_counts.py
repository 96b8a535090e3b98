"""No N+1 in the portal's lists: drafts and notifications cost the same number of queries with 2 rows as with 12."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.catalog.tests.factories import publish_procedure
from motcua.dossiers.services import save_draft
from motcua.notify.services import notify
from motcua.portal.tests.conftest import client_for


def queries_of(request: Callable[[], object]) -> int:
    """How many queries `request` runs (after one warm-up call, so caches filled once are not counted)."""
    request()
    with CaptureQueriesContext(connection) as captured:
        request()
    return len(captured)


def test_drafts_cost_the_same_for_2_or_12(world):
    owner = client_for(world.owner)

    def start(first: int, count: int) -> None:
        for index in range(first, first + count):
            version = publish_procedure(code=f"2.{index:06d}", name=f"Thủ tục nháp {index}")
            version.procedure.agencies.add(world.agency)
            save_draft(applicant=world.owner, version=version, agency=world.agency, form_data={"ghi_chu": index})

    start(0, 2)
    few = queries_of(lambda: owner.get("/drafts/"))
    start(2, 10)
    html = owner.get("/drafts/").content.decode()
    assert "Thủ tục nháp 11" in html and "Thủ tục nháp 0" in html
    assert queries_of(lambda: owner.get("/drafts/")) == few


def test_notifications_cost_the_same_for_2_or_12(world):
    owner = client_for(world.owner)

    def send(first: int, count: int) -> None:
        for index in range(first, first + count):
            notify(user=world.owner, title=f"Thông báo số {index}", link=f"/dossiers/H17.20.194-261123-{index:04d}/")

    send(0, 2)
    few = queries_of(lambda: owner.get("/notifications/"))
    send(2, 10)
    html = owner.get("/notifications/").content.decode()
    assert "Thông báo số 11" in html
    assert queries_of(lambda: owner.get("/notifications/")) == few
