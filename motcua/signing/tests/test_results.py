import hashlib

import pytest
from django.core.exceptions import PermissionDenied

from motcua.documents.models import DocumentSource
from motcua.dossiers.tests.factories import at
from motcua.signing import services
from motcua.signing.models import IssuedResult
from motcua.signing.pades import validate_pdf
from motcua.signing.tests.test_rendering import text_of


def test_issue_result_stores_the_signed_pdf_and_its_data(approved, world, settings):
    settings.MOTCUA_SITE_URL = "https://dichvucong.example.vn"
    result = services.issue_result(dossier=approved, leader=world.leader, now=at(2026, 11, 25, 9, 5))
    result.refresh_from_db()
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
    assert data["issued_at"] == at(2026, 11, 25, 9, 5).isoformat()


def test_result_pdf_shows_the_result(approved, world):
    from motcua.dossiers.models import Dossier

    dossier = Dossier.objects.get(pk=approved.pk)
    data = services.result_data(
        dossier=dossier, result_id="00000000-0000-0000-0000-000000000001", issued_at=at(2026, 11, 25, 9)
    )
    body = services.render_result(dossier=dossier, data=data, issued_at=at(2026, 11, 25, 9))
    text = text_of(body)
    assert "Nguyễn Thị Hoa" in text and "00000000-0000-0000-0000-000000000001/" in text.replace("verify/ ", "verify/")
    assert "Nguyễn Văn An" in text  # the e-form data
    assert "<svg" not in text


def test_only_an_approved_dossier_and_its_leader(approved, world):
    with pytest.raises(PermissionDenied):
        services.issue_result(dossier=approved, leader=world.specialist)
    with pytest.raises(PermissionDenied):
        services.issue_result(dossier=approved, leader=world.other_officer)
    assert not IssuedResult.objects.exists()


def test_not_before_approval(world):
    from motcua.dossiers.services import submit_dossier

    dossier = submit_dossier(
        applicant=world.owner, version=world.version, agency=world.agency, form_data=world.form,
        files=world.required_files(), now=at(2026, 11, 23, 8, 30),
    )  # fmt: skip
    with pytest.raises(services.ResultNotAllowed):
        services.issue_result(dossier=dossier, leader=world.leader)


def test_one_result_in_force_replace_and_revoke(approved, world):
    first = services.issue_result(dossier=approved, leader=world.leader)
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
