"""Online delivery: the applicant's download of the signed result returns it (state 9 → 10), once."""

import pytest
from django.test import Client

from motcua.core.testing import run_together
from motcua.dossiers.models import SYSTEM_ROLE, ActionKind, DossierState
from motcua.dossiers.services import return_result_online
from motcua.dossiers.tests.factories import at
from motcua.signing.queries import result_in_force


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _returns(dossier):
    return list(dossier.actions.filter(kind=ActionKind.RETURN_RESULT))


def test_the_first_download_returns_the_result_online(approved, world):
    result = result_in_force(approved)
    owner = _client(world.owner)

    response = owner.get(f"/dossiers/{approved.code}/result/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == result.document.file.open("rb").read()
    approved.refresh_from_db()
    assert approved.state == DossierState.RESULT_RETURNED and approved.returned_at is not None
    [action] = _returns(approved)
    assert action.actor is None and action.actor_role == SYSTEM_ROLE
    assert action.data == {"channel": "online", "result": str(result.pk), "recipient": world.owner.pk}
    assert action.from_state == DossierState.RESULT_READY and action.to_state == DossierState.RESULT_RETURNED

    # Downloading again (the result stays available) records nothing more.
    assert owner.get(f"/dossiers/{approved.code}/result/").status_code == 200
    approved.refresh_from_db()
    assert len(_returns(approved)) == 1 and approved.state == DossierState.RESULT_RETURNED
    page = owner.get(f"/dossiers/{approved.code}/").content.decode()
    assert "Đã trả kết quả" in page and "Chủ hồ sơ đã nhận kết quả điện tử trực tuyến." in page


def test_nobody_else_returns_it(approved, world):
    result = result_in_force(approved)
    assert _client(world.other_citizen).get(f"/dossiers/{approved.code}/result/").status_code == 404
    assert Client().get(f"/dossiers/{approved.code}/result/").status_code in (302, 404)
    for officer in (world.reception, world.other_officer):
        assert return_result_online(dossier_code=approved.code, recipient=officer, result_ref=str(result.pk)) is None
    approved.refresh_from_db()
    assert approved.state == DossierState.RESULT_READY and not _returns(approved)


def test_a_result_already_returned_at_the_desk_is_left_alone(approved, world):
    from motcua.dossiers.services import perform_action

    result = result_in_force(approved)
    perform_action(
        dossier_code=approved.code, actor=world.reception, kind=ActionKind.RETURN_RESULT, now=at(2026, 11, 25, 10)
    )
    assert _client(world.owner).get(f"/dossiers/{approved.code}/result/").status_code == 200
    approved.refresh_from_db()
    [action] = _returns(approved)
    assert action.actor == world.reception and approved.returned_at == at(2026, 11, 25, 10)
    assert return_result_online(dossier_code=approved.code, recipient=world.owner, result_ref=str(result.pk)) is None


@pytest.mark.django_db(transaction=True)
def test_two_downloads_at_once_return_it_once(approved, world):
    result = result_in_force(approved)

    def download():
        return return_result_online(dossier_code=approved.code, recipient=world.owner, result_ref=str(result.pk))

    outcomes = run_together([download, download])
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert outcomes[0].pk == outcomes[1].pk
    approved.refresh_from_db()
    assert len(_returns(approved)) == 1 and approved.state == DossierState.RESULT_RETURNED
