"""GET /api/v1/results/{id}/verify: the public status of a signed result, for machines."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from motcua.dossiers.models import ActionKind
from motcua.dossiers.services import perform_action, submit_dossier
from motcua.dossiers.tests.factories import at
from motcua.signing import queries, services

NOT_FOUND_VI = (
    "Không có kết quả điện tử nào với mã này trong hệ thống. Giấy tờ mang mã này không phải do hệ thống cấp, "
    "hoặc mã đã bị sửa."
)
NOT_FOUND_EN = (
    "No electronic result with this code exists in the system. A document bearing it was not issued by this "
    "system, or the code was altered."
)


@pytest.fixture
def issued(world, settings):
    """A result issued the way the back office does it: the leader approves and signs in one step."""
    settings.MOTCUA_SITE_URL = "https://dichvucong.example.vn"
    dossier = submit_dossier(
        applicant=world.owner, version=world.version, agency=world.agency, form_data=world.form,
        files=world.required_files(), now=at(2026, 11, 23, 8, 30),
    )  # fmt: skip
    perform_action(dossier_code=dossier.code, actor=world.reception, kind=ActionKind.RECEIVE, now=at(2026, 11, 23, 9))
    for actor, assignee, now in (
        (world.reception, world.specialist, at(2026, 11, 23, 10)),
        (world.specialist, world.leader, at(2026, 11, 24, 10)),
    ):
        perform_action(dossier_code=dossier.code, actor=actor, kind=ActionKind.HAND_OFF, assignee=assignee, now=now)
    return services.approve_and_issue(dossier_code=dossier.code, leader=world.leader, now=at(2026, 11, 25, 9))


def verify(result_id, **headers):
    return Client().get(f"/api/v1/results/{result_id}/verify", **headers)  # a fresh client: nobody signed in


def test_a_valid_result(issued, world):
    response = verify(issued.pk)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body == {
        "id": str(issued.pk),
        "status": "valid",
        "status_label": "Kết quả đang có hiệu lực",
        "result_name": world.version.result_name,
        "procedure_code": "1.001193",
        "procedure_name": "Đăng ký khai sinh",
        "dossier_code": issued.dossier.code,
        "applicant_name": "Nguyễn Thị Hoa",
        "agency": {"identifier": "H17.20.194", "name": "Ủy ban nhân dân Phường Hải Châu"},
        "issued_at": body["issued_at"],
        "revoked_at": None,
        "revocation_reason": "",
        "replaced_by": None,
        "document_sha256": issued.document.sha256,
        "verification_url": f"https://dichvucong.example.vn/verify/{issued.pk}/",
    }
    assert body["issued_at"].startswith("2026-11-25T02:00:00")  # 09:00 in Vietnam
    assert "form_data" not in body  # the e-form stays with the applicant


def test_the_answer_matches_the_verification_page(issued):
    body = verify(issued.pk).json()
    view = queries.public_view(issued)
    assert {key: body[key] for key in view if key not in ("issued_at",)} == {
        key: value for key, value in view.items() if key != "issued_at"
    }
    assert body["verification_url"] == issued.data["verification_url"]  # the URL of the QR code


def test_a_revoked_result(issued, world):
    services.revoke_result(result=issued, reason="Sai ngày sinh của trẻ", by=world.leader, now=at(2026, 11, 26, 10))
    response = verify(issued.pk)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["status"] == "revoked" and body["status_label"] == "Kết quả đã bị thu hồi"
    assert body["revoked_at"].startswith("2026-11-26T03:00:00")
    assert body["revocation_reason"] == "Sai ngày sinh của trẻ" and body["replaced_by"] is None


def test_a_replaced_result(issued, world):
    replacement = services.issue_result(dossier=issued.dossier, leader=world.leader, replaces=issued)
    old, new = verify(issued.pk).json(), verify(replacement.pk).json()
    assert old["status"] == "replaced" and old["replaced_by"] == str(replacement.pk) and old["revoked_at"]
    assert old["status_label"] == "Kết quả đã được thay thế bằng kết quả mới"
    assert new["status"] == "valid" and new["replaced_by"] is None


@pytest.mark.parametrize("result_id", [uuid.uuid4(), "khong-phai-uuid", "123", str(uuid.uuid4()).upper()])
def test_an_unknown_or_malformed_id_is_a_404_in_the_error_format(db, result_id):
    response = verify(result_id)
    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {"error": {"code": "not_found", "message": NOT_FOUND_VI, "details": []}}


def test_the_404_in_english(db):
    response = verify(uuid.uuid4(), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == NOT_FOUND_EN


def test_no_login_is_needed_and_a_session_changes_nothing(issued, world):
    anonymous = verify(issued.pk)
    client = Client()
    client.force_login(world.other_citizen)
    signed_in = client.get(f"/api/v1/results/{issued.pk}/verify")
    assert anonymous.status_code == signed_in.status_code == 200
    assert anonymous.json() == signed_in.json()


def test_the_verification_page_links_to_the_api_and_keeps_its_own_url(client, issued):
    page = client.get(f"/verify/{issued.pk}/").content.decode()
    assert f'href="/api/v1/results/{issued.pk}/verify"' in page and "Dữ liệu máy đọc được" in page
    assert issued.data["verification_url"].endswith(f"/verify/{issued.pk}/")  # the QR code and links are unchanged


def test_the_endpoint_is_documented_without_security(client, db):
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/results/{result_id}/verify"]["get"]
    assert operation["operationId"] == "verify_result" and operation["tags"] == ["signing"]
    assert "security" not in operation
    assert set(operation["responses"]) == {"200", "404"}


def test_the_status_in_english(client, issued):
    body = client.get(f"/api/v1/results/{issued.pk}/verify", headers={"accept-language": "en"}).json()
    assert body["status"] == "valid" and body["status_label"] == "The result is valid"


@pytest.fixture
def at_the_leader(world):
    dossier = submit_dossier(
        applicant=world.owner, version=world.version, agency=world.agency, form_data=world.form,
        files=world.required_files(), now=at(2026, 11, 23, 8, 30),
    )  # fmt: skip
    perform_action(dossier_code=dossier.code, actor=world.reception, kind=ActionKind.RECEIVE, now=at(2026, 11, 23, 9))
    for actor, assignee in ((world.reception, world.specialist), (world.specialist, world.leader)):
        perform_action(dossier_code=dossier.code, actor=actor, kind=ActionKind.HAND_OFF, assignee=assignee)
    return dossier


def approve_through_the_api(world, dossier):
    client = Client()
    client.force_login(world.leader)
    return client.post(f"/api/v1/dossiers/{dossier.code}/actions", {"kind": "approve"}, content_type="application/json")


def test_an_approval_through_the_api_issues_the_signed_result(world, at_the_leader):
    response = approve_through_the_api(world, at_the_leader)
    assert response.status_code == 201, response.content
    result = queries.result_in_force(at_the_leader)
    assert result is not None and result.issued_by == world.leader
    assert verify(result.pk).json()["status"] == "valid"


def test_an_approval_through_the_api_that_cannot_be_signed_approves_nothing(world, at_the_leader, monkeypatch):
    from motcua.signing import pki

    def no_key(agency):
        raise pki.SigningKeyError(f"No signing key for {agency.identifier}.")

    monkeypatch.setattr(pki, "agency_signer", no_key)
    response = approve_through_the_api(world, at_the_leader)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "signing_unavailable"
    assert "khóa ký số của cơ quan chưa sẵn sàng" in response.json()["error"]["message"]
    at_the_leader.refresh_from_db()
    assert at_the_leader.state == 4 and not at_the_leader.actions.filter(kind=ActionKind.APPROVE).exists()
