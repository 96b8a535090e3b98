"""The dossier API for the owner, another citizen, an officer of the agency, one of another agency, and
an anonymous caller: who sees what, who may do what, and the one error format."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.dossiers.models import Dossier, DossierState
from motcua.dossiers.services import submit_dossier
from motcua.dossiers.tests.factories import PDF_BYTES, at, pdf
from motcua.wallet.models import AccessorKind
from motcua.wallet.queries import access_log


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def dossier(world):
    return submit_dossier(
        applicant=world.owner, version=world.version, agency=world.agency, form_data=world.form,
        files=world.required_files(), now=at(2026, 11, 23, 9),
    )  # fmt: skip


def upload(client: Client, body: bytes = PDF_BYTES, name: str = "to-khai.pdf"):
    return client.post("/api/v1/documents", {"file": pdf(name, body)})


def test_a_citizen_submits_through_the_api_once_per_key(world):
    owner = client_for(world.owner)
    first = upload(owner).json()["id"]
    second = upload(owner).json()["id"]
    payload = {
        "procedure": "1.001193", "agency": "H17.20.194", "form": world.form,
        "components": {"1": [first], "2": [second]},
    }  # fmt: skip
    response = owner.post(
        "/api/v1/dossiers", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="nop-hs-0001"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == 1 and body["state_label"] == "Mới đăng ký" and body["procedure_version"] == 1
    assert body["allowed_actions"] == ["withdraw"]
    again = owner.post("/api/v1/dossiers", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="nop-hs-0001")
    assert again.status_code == 200 and again.json()["code"] == body["code"]
    assert Dossier.objects.count() == 1


def test_submission_errors_are_per_field_and_save_nothing(world):
    owner = client_for(world.owner)
    payload = {"procedure": "1.001193", "agency": "H17.20.194", "form": {"sex": "x"}, "components": {}}
    response = owner.post("/api/v1/dossiers", payload, content_type="application/json")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    fields = {detail["field"] for detail in error["details"]}
    assert {"form.child_name", "form.birth_date", "form.sex"} <= fields
    assert not Dossier.objects.exists()
    unknown = owner.post("/api/v1/dossiers", payload | {"agency": "H99.99"}, content_type="application/json")
    assert unknown.status_code == 404


def test_uploads_are_checked_by_content_and_size(world, settings):
    owner = client_for(world.owner)
    disguised = upload(owner, body=b"MZ\x90\x00 this is not a pdf", name="to-khai.pdf")
    assert disguised.status_code == 422
    assert "không phải PDF, PNG hoặc JPEG hợp lệ" in disguised.json()["error"]["message"]
    settings.MOTCUA_MAX_UPLOAD_BYTES = 50
    too_big = upload(owner)
    assert too_big.status_code == 422 and "vượt giới hạn" in too_big.json()["error"]["message"]


@pytest.mark.parametrize(
    "who, status", [("owner", 200), ("reception", 200), ("other_citizen", 404), ("other_officer", 404), (None, 401)]
)
def test_get_dossier_checks_ownership(world, dossier, who, status):
    user = getattr(world, who) if who else None
    for url in (f"/api/v1/dossiers/{dossier.code}", f"/api/v1/dossiers/{dossier.code}/actions"):
        response = client_for(user).get(url)
        assert response.status_code == status, url
        if status != 200:
            assert "error" in response.json()


def test_the_owner_sees_the_public_log_and_the_officer_the_full_one(world, dossier):
    owner_log = client_for(world.owner).get(f"/api/v1/dossiers/{dossier.code}/actions").json()
    assert owner_log[0]["actor"] is None and owner_log[0]["kind"] == "submit"
    officer_log = client_for(world.reception).get(f"/api/v1/dossiers/{dossier.code}/actions").json()
    assert officer_log[0]["actor"] == world.owner.username


def test_officer_actions_through_the_api(world, dossier):
    reception = client_for(world.reception)
    url = f"/api/v1/dossiers/{dossier.code}/actions"
    response = reception.post(url, {"kind": "receive", "expected_revision": 1}, content_type="application/json")
    assert response.status_code == 201 and response.json()["to_state"] == DossierState.RECEIVED
    stale = reception.post(
        url, {"kind": "request_supplement", "expected_revision": 1, "missing": ["Tờ khai"]},
        content_type="application/json",
    )  # fmt: skip
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    illegal = reception.post(url, {"kind": "return_result"}, content_type="application/json")
    assert illegal.status_code == 409 and illegal.json()["error"]["code"] == "action_not_allowed"
    unknown = reception.post(url, {"kind": "teleport"}, content_type="application/json")
    assert unknown.status_code == 422


def test_a_supplement_request_through_the_api_names_components(world, dossier):
    reception = client_for(world.reception)
    url = f"/api/v1/dossiers/{dossier.code}/actions"
    reception.post(url, {"kind": "receive", "expected_revision": 1}, content_type="application/json")
    wrong = reception.post(
        url, {"kind": "request_supplement", "missing": ["x"], "requirements": [999999]}, content_type="application/json"
    )
    assert wrong.status_code == 422, wrong.json()
    assert wrong.json()["error"]["details"] == [
        {"field": "requirements", "message": "Thành phần hồ sơ không thuộc thủ tục này."}
    ]
    birth_certificate = world.version.components.get(position=2)
    asked = {
        "kind": "request_supplement",
        "missing": ["Giấy chứng sinh rõ nét"],
        "requirements": [birth_certificate.pk],
    }
    response = reception.post(url, asked, content_type="application/json")
    assert response.status_code == 201 and response.json()["data"]["requirements"] == [birth_certificate.pk]
    owner_log = client_for(world.owner).get(url).json()
    assert owner_log[-1]["data"] == {"missing": ["Giấy chứng sinh rõ nét"], "requirements": [birth_certificate.pk]}


@pytest.mark.parametrize("who, status", [("other_citizen", 404), ("other_officer", 404), (None, 401)])
def test_acting_checks_ownership(world, dossier, who, status):
    user = getattr(world, who) if who else None
    response = client_for(user).post(
        f"/api/v1/dossiers/{dossier.code}/actions", {"kind": "withdraw"}, content_type="application/json"
    )
    assert response.status_code == status
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED


def test_writes_need_the_csrf_token_when_signed_in_by_cookie(world, dossier):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.owner)
    response = client.post(
        f"/api/v1/dossiers/{dossier.code}/actions", {"kind": "withdraw"}, content_type="application/json"
    )
    assert response.status_code == 403
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED


def test_public_lookup_shows_status_and_nothing_personal(world, dossier):
    anonymous = Client()
    response = anonymous.get("/api/v1/lookup", {"code": dossier.code, "id_last4": "1234"})
    assert response.status_code == 200
    body = response.json()
    assert body["state_label"] == "Mới đăng ký" and body["timeline"][0]["kind"] == "submit"
    text = response.content.decode()
    assert "Nguyễn Thị Hoa" not in text and "048190001234" not in text and "Nguyễn Văn An" not in text
    wrong = anonymous.get("/api/v1/lookup", {"code": dossier.code, "id_last4": "9999"})
    assert wrong.status_code == 404 and wrong.json()["error"]["code"] == "not_found"


def test_worklists_through_the_api(world, dossier):
    reception = client_for(world.reception)
    assert reception.get("/api/v1/worklists").json()["queue"] == 1
    page = reception.get("/api/v1/worklists/queue").json()
    assert page["count"] == 1 and page["items"][0]["code"] == dossier.code
    assert client_for(world.other_officer).get("/api/v1/worklists/all").json()["count"] == 0
    assert client_for(None).get("/api/v1/worklists/all").status_code == 401
    assert reception.get("/api/v1/worklists/everything").status_code == 422


def test_a_bearer_token_authenticates_and_a_revoked_one_does_not(world, dossier):
    from motcua.accounts.tokens import issue_token, revoke_token

    row, token = issue_token(user=world.reception, name="một cửa quốc gia")
    client = Client(enforce_csrf_checks=True)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get(f"/api/v1/dossiers/{dossier.code}", **headers).status_code == 200
    received = client.post(
        f"/api/v1/dossiers/{dossier.code}/actions", {"kind": "receive"}, content_type="application/json", **headers
    )
    assert received.status_code == 201  # no CSRF for a bearer token
    assert client.get(f"/api/v1/dossiers/{dossier.code}", HTTP_AUTHORIZATION="Bearer mc_wrong").status_code == 401
    revoke_token(token=row)
    assert client.get(f"/api/v1/dossiers/{dossier.code}", **headers).status_code == 401
    other, other_token = issue_token(user=world.other_officer, name="sở")
    assert client.get(f"/api/v1/dossiers/{dossier.code}", HTTP_AUTHORIZATION=f"Bearer {other_token}").status_code == 404


def test_an_officers_read_through_the_api_is_in_the_applicants_access_log(world, dossier):
    assert client_for(world.owner).get(f"/api/v1/dossiers/{dossier.code}").status_code == 200
    assert not access_log(world.owner).exists()  # her own reads are not someone else's
    assert client_for(world.reception).get(f"/api/v1/dossiers/{dossier.code}").status_code == 200
    [entry] = access_log(world.owner)
    assert (entry.accessor_kind, entry.accessor, entry.reference) == (AccessorKind.API, world.reception, dossier.code)
    assert client_for(world.other_officer).get(f"/api/v1/dossiers/{dossier.code}").status_code == 404
    assert access_log(world.owner).count() == 1  # a refused read is no read
