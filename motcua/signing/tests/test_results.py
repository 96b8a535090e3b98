import hashlib

import pytest
from django.core.exceptions import PermissionDenied

from motcua.documents.models import DocumentSource
from motcua.dossiers.tests.factories import at
from motcua.signing import result_rendering, services
from motcua.signing.models import IssuedResult
from motcua.signing.pades import validate_pdf
from motcua.signing.queries import result_in_force
from motcua.signing.tests.test_rendering import text_of


@pytest.fixture
def site_url(settings):
    settings.MOTCUA_SITE_URL = "https://dichvucong.example.vn"


def test_the_approval_issues_the_signed_pdf_and_its_data(site_url, approved, world):
    result = result_in_force(approved)
    document = result.document
    assert document.source == DocumentSource.ISSUED
    assert document.owner == world.owner and document.created_by == world.leader
    assert document.content_type == "application/pdf"
    body = document.file.read()
    assert hashlib.sha256(body).hexdigest() == document.sha256
    check = validate_pdf(body)
    assert check.valid and check.signatures[0].signer_identifier == world.agency.identifier
    assert result.agency == world.agency and result.issued_by == world.leader
    data = result.data
    assert data["dossier_code"] == approved.code
    assert data["applicant_name"] == "Nguyễn Thị Hoa"
    assert data["form_data"] == world.form
    assert data["agency_identifier"] == "H17.20.194"
    assert data["result_name"] == world.version.result_name
    assert data["verification_url"] == f"https://dichvucong.example.vn/verify/{result.pk}/"
    assert data["issued_at"] == at(2026, 11, 25, 9).isoformat()  # the moment of the approval


def test_result_pdf_shows_the_result(approved, world):
    from motcua.dossiers.models import Dossier

    dossier = Dossier.objects.get(pk=approved.pk)
    data = services.result_data(
        dossier=dossier, result_id="00000000-0000-0000-0000-000000000001", issued_at=at(2026, 11, 25, 9)
    )
    body = result_rendering.render_result(dossier=dossier, data=data, issued_at=at(2026, 11, 25, 9))
    text = text_of(body)
    assert "Nguyễn Thị Hoa" in text and "00000000-0000-0000-0000-000000000001/" in text.replace("verify/ ", "verify/")
    assert "NGUYỄN VĂN AN" in text  # the e-form data (a birth certificate writes the name in capitals)
    assert "<svg" not in text


def test_only_an_approved_dossier_and_its_leader(approved, world):
    first = result_in_force(approved)
    for somebody_else in (world.specialist, world.other_officer):
        with pytest.raises(PermissionDenied):
            services.issue_result(dossier=approved, leader=somebody_else, replaces=first)
    assert list(IssuedResult.objects.all()) == [first]


def test_not_before_approval(world):
    from motcua.dossiers.services import submit_dossier

    dossier = submit_dossier(
        applicant=world.owner, version=world.version, agency=world.agency, form_data=world.form,
        files=world.required_files(), now=at(2026, 11, 23, 8, 30),
    )  # fmt: skip
    with pytest.raises(services.ResultNotAllowed):
        services.issue_result(dossier=dossier, leader=world.leader)


def test_one_result_in_force_replace_and_revoke(approved, world):
    first = result_in_force(approved)
    with pytest.raises(services.ResultNotAllowed):
        services.issue_result(dossier=approved, leader=world.leader)
    second = services.issue_result(dossier=approved, leader=world.leader, replaces=first)
    first.refresh_from_db()
    assert first.replaced_by == second and first.revoked_at is not None
    with pytest.raises(services.ResultNotAllowed):
        services.revoke_result(result=second, reason="  ", by=world.leader)
    with pytest.raises(PermissionDenied):
        services.revoke_result(result=second, reason="Sai thông tin", by=world.reception)
    revoked = services.revoke_result(result=second, reason="Sai thông tin ngày sinh", by=world.leader)
    assert revoked.revoked_at is not None and revoked.revocation_reason == "Sai thông tin ngày sinh"
    assert revoked.document.file.read()  # the original is kept


def test_approval_and_the_signed_result_come_together(world, settings, tmp_path):
    from motcua.dossiers.models import ActionKind, DossierState
    from motcua.dossiers.services import perform_action, submit_dossier
    from motcua.signing.models import IssuedResult
    from motcua.signing.services import approve_and_issue

    dossier = submit_dossier(
        applicant=world.owner, version=world.version, agency=world.agency, form_data=world.form,
        files=world.required_files(),
    )  # fmt: skip
    perform_action(dossier_code=dossier.code, actor=world.reception, kind=ActionKind.RECEIVE)
    perform_action(
        dossier_code=dossier.code, actor=world.reception, kind=ActionKind.HAND_OFF, assignee=world.specialist
    )
    perform_action(dossier_code=dossier.code, actor=world.specialist, kind=ActionKind.HAND_OFF, assignee=world.leader)
    result = approve_and_issue(dossier_code=dossier.code, leader=world.leader, idempotency_key="phe-duyet-1")
    again = approve_and_issue(dossier_code=dossier.code, leader=world.leader, idempotency_key="phe-duyet-1")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.RESULT_READY and again.pk == result.pk
    assert IssuedResult.objects.filter(dossier=dossier).count() == 1
    assert result.document.content_type == "application/pdf" and result.data["dossier_code"] == dossier.code


def test_the_applicant_downloads_the_signed_result_and_nobody_else(approved, world):
    from django.test import Client

    result = result_in_force(approved)
    for user, status in ((world.owner, 200), (world.other_citizen, 404), (world.reception, 404)):
        client = Client()
        client.force_login(user)
        response = client.get(f"/dossiers/{approved.code}/result/")
        assert response.status_code == status
        if status == 200:
            assert b"".join(response.streaming_content).startswith(b"%PDF")
    owner = Client()
    owner.force_login(world.owner)
    page = owner.get(f"/dossiers/{approved.code}/").content.decode()
    assert f"/verify/{result.pk}/" in page and "Tải kết quả (PDF có chữ ký số)" in page
