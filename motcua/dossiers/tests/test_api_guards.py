"""The API keeps the portal's guards: the public lookup is throttled the same way (the 10,000 last-4 digits of a
known code cannot be tried out), and a fee request, which must issue a bill, is not taken as a bare action."""

import pytest
from django.core.cache import cache
from django.test import Client

from motcua.dossiers.models import ActionKind, DossierState
from motcua.dossiers.services import perform_action
from motcua.dossiers.tests.test_api import client_for, dossier  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def empty_cache(settings):
    settings.MOTCUA_LOOKUP_FAILURES_PER_IP = 3
    cache.clear()
    yield
    cache.clear()


def test_the_api_lookup_locks_an_address_after_too_many_failures(world, dossier):  # noqa: F811
    anonymous = Client(REMOTE_ADDR="203.0.113.7")
    for last4 in ("0001", "0002"):
        assert anonymous.get("/api/v1/lookup", {"code": dossier.code, "id_last4": last4}).status_code == 404
    locked = anonymous.get("/api/v1/lookup", {"code": dossier.code, "id_last4": "0003"})
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "too_many_attempts"
    # Even the right pair is refused while the address is locked; another address is not.
    right = {"code": dossier.code, "id_last4": "1234"}
    assert anonymous.get("/api/v1/lookup", right).status_code == 429
    english = anonymous.get("/api/v1/lookup", right, HTTP_ACCEPT_LANGUAGE="en").json()["error"]["message"]
    assert english.startswith("You have made too many unsuccessful lookups.")
    assert Client(REMOTE_ADDR="203.0.113.8").get("/api/v1/lookup", right).status_code == 200


def test_the_portal_page_and_the_api_share_one_count(world, dossier):  # noqa: F811
    visitor = Client(REMOTE_ADDR="203.0.113.9")
    for last4 in ("0001", "0002"):
        visitor.post("/lookup/", {"code": dossier.code, "id_last4": last4})
    assert visitor.get("/api/v1/lookup", {"code": dossier.code, "id_last4": "0003"}).status_code == 429


def test_a_fee_request_is_not_a_bare_api_action(world, dossier):  # noqa: F811
    perform_action(dossier_code=dossier.code, actor=world.reception, kind=ActionKind.RECEIVE)
    response = client_for(world.reception).post(
        f"/api/v1/dossiers/{dossier.code}/actions", {"kind": "request_payment"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "kind"
    dossier.refresh_from_db()
    assert dossier.state == DossierState.RECEIVED
