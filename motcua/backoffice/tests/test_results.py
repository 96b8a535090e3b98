"""The signed results of a dossier in the back office: every officer of the agency sees and downloads them; its
leaders revoke or reissue the one in force, with a reason the applicant and the public see."""

from __future__ import annotations

import pytest

from motcua.backoffice.tests.conftest import act, client_for, file_dossier
from motcua.dossiers.models import ActionKind
from motcua.notify.models import Notification
from motcua.signing.models import IssuedResult
from motcua.signing.pades import validate_pdf
from motcua.signing.services import approve_and_issue


@pytest.fixture
def result(world):
    dossier = file_dossier(world)
    act(dossier, world.reception, ActionKind.RECEIVE)
    act(dossier, world.reception, ActionKind.HAND_OFF, assignee=world.specialist)
    act(dossier, world.specialist, ActionKind.HAND_OFF, assignee=world.leader)
    return approve_and_issue(dossier_code=dossier.code, leader=world.leader)


def page(result) -> str:
    return f"/backoffice/dossiers/{result.dossier.code}/"


def test_every_officer_of_the_agency_sees_and_downloads_the_result(world, result):
    for officer in (world.reception, world.specialist, world.leader):
        html = client_for(officer).get(page(result)).content.decode()
        assert "Kết quả đang có hiệu lực" in html and f"/verify/{result.pk}/" in html
        response = client_for(officer).get(f"{page(result)}results/{result.pk}/")
        assert response.status_code == 200
        assert validate_pdf(b"".join(response.streaming_content)).valid
    specialist = client_for(world.specialist).get(page(result)).content.decode()
    assert "Thu hồi kết quả" not in specialist and "Cấp lại kết quả" not in specialist
    leader = client_for(world.leader).get(page(result)).content.decode()
    assert f"results/{result.pk}/revoke/" in leader and f"results/{result.pk}/reissue/" in leader


def test_the_result_checks_ownership(world, result):
    url = f"{page(result)}results/{result.pk}/"
    assert client_for(world.other_officer).get(url).status_code == 404
    assert client_for(world.other_citizen).get(url).status_code in (302, 404)
    assert client_for(world.owner).get(url).status_code in (302, 404)  # the applicant has the portal's link
    assert client_for(None).get(url).status_code == 302
    other = file_dossier(world, user=world.other_citizen)
    assert client_for(world.leader).get(f"/backoffice/dossiers/{other.code}/results/{result.pk}/").status_code == 404
    assert client_for(world.leader).get(f"{page(result)}results/not-a-uuid/").status_code == 404


def test_the_leader_revokes_with_a_reason_and_the_applicant_is_told(world, result):
    leader = client_for(world.leader)
    url = f"{page(result)}results/{result.pk}/revoke/"

    response = leader.post(url, {"revoke-reason": "   "})
    assert response.status_code == 200 and "Hãy nêu lý do." in response.content.decode()
    result.refresh_from_db()
    assert result.revoked_at is None

    response = leader.post(url, {"revoke-reason": "Sai ngày sinh của trẻ."})
    assert response.status_code == 302
    result.refresh_from_db()
    assert result.revoked_by == world.leader and result.revocation_reason == "Sai ngày sinh của trẻ."
    assert result.document.file.open("rb").read(4) == b"%PDF"  # kept for legal retention
    note = Notification.objects.filter(user=world.owner).latest("created_at")
    assert "đã bị thu hồi" in note.title and "Sai ngày sinh của trẻ." in note.body
    mine = client_for(world.owner).get(f"/dossiers/{result.dossier.code}/").content.decode()
    assert "đã bị cơ quan thu hồi" in mine and "Sai ngày sinh của trẻ." in mine
    assert f"/dossiers/{result.dossier.code}/result/" not in mine
    assert client_for(world.owner).get(f"/dossiers/{result.dossier.code}/result/").status_code == 404
    public = client_for(None).get(f"/verify/{result.pk}/").content.decode()
    assert "Kết quả đã bị thu hồi" in public and "Sai ngày sinh của trẻ." in public


def test_the_leader_reissues_and_the_old_result_points_to_the_new(world, result):
    response = client_for(world.leader).post(
        f"{page(result)}results/{result.pk}/reissue/", {"reissue-reason": "Cấp lại theo mẫu mới."}
    )
    assert response.status_code == 302
    result.refresh_from_db()
    new = IssuedResult.objects.get(dossier=result.dossier, revoked_at__isnull=True)
    assert result.replaced_by == new and result.revocation_reason == "Cấp lại theo mẫu mới."
    assert validate_pdf(new.document.file.open("rb").read()).valid
    html = client_for(world.owner).get(f"/dossiers/{result.dossier.code}/").content.decode()
    assert f"/verify/{new.pk}/" in html and f"/verify/{result.pk}/" not in html


def test_only_leaders_of_the_agency_change_a_result(world, result):
    for officer in (world.specialist, world.reception, world.other_officer):
        for change in ("revoke", "reissue"):
            response = client_for(officer).post(
                f"{page(result)}results/{result.pk}/{change}/", {f"{change}-reason": "Thử"}
            )
            assert response.status_code == 404
    response = client_for(world.owner).post(f"{page(result)}results/{result.pk}/revoke/", {"revoke-reason": "Thử"})
    assert response.status_code in (302, 404)
    result.refresh_from_db()
    assert result.revoked_at is None and IssuedResult.objects.count() == 1


def test_a_replaced_result_cannot_be_revoked_again_or_reissued(world, result):
    leader = client_for(world.leader)
    leader.post(f"{page(result)}results/{result.pk}/reissue/", {"reissue-reason": "Cấp lại."})
    response = leader.post(f"{page(result)}results/{result.pk}/reissue/", {"reissue-reason": "Lần nữa."})
    assert response.status_code == 200
    assert "Hồ sơ đã có kết quả điện tử đang có hiệu lực" in response.content.decode()
    assert IssuedResult.objects.filter(revoked_at__isnull=True).count() == 1
