import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motcua.signing import services
from motcua.signing.queries import result_in_force
from motcua.signing.tests.test_pades import tamper


@pytest.fixture
def issued(approved, world):
    return result_in_force(approved)


def page(client, result_id):
    return client.get(f"/verify/{result_id}/")


def test_valid_result_page(client, issued, world):
    response = page(client, issued.pk)
    assert response.status_code == 200
    body = response.content.decode()
    assert "đang có hiệu lực" in body
    assert world.agency.name in body and world.agency.identifier in body
    assert issued.data["dossier_code"] in body
    assert "<script" not in body and "style=" not in body
    assert response["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in response


def test_revoked_and_replaced_result_pages(client, issued, world, approved):
    replacement = services.issue_result(dossier=approved, leader=world.leader, replaces=issued)
    body = page(client, issued.pk).content.decode()
    assert "đã được thay thế" in body and str(replacement.pk) in body
    services.revoke_result(result=replacement, reason="Sai họ tên của trẻ", by=world.leader)
    body = page(client, replacement.pk).content.decode()
    assert "đã bị thu hồi" in body and "Sai họ tên của trẻ" in body


def test_unknown_result_page(client, db):
    for result_id in (uuid.uuid4(), "khong-phai-uuid"):
        response = page(client, result_id)
        assert response.status_code == 404
        assert "Không xác thực được" in response.content.decode()


def test_json(client, issued, world):
    response = client.get(f"/verify/{issued.pk}.json")
    assert response.status_code == 200
    data = response.json()
    assert data["found"] and data["status"] == "valid"
    assert data["agency"] == {"identifier": world.agency.identifier, "name": world.agency.name}
    assert data["document_sha256"] == issued.document.sha256
    assert "form_data" not in data
    services.revoke_result(result=issued, reason="Cấp nhầm", by=world.leader)
    assert client.get(f"/verify/{issued.pk}.json").json()["status"] == "revoked"
    assert client.get(f"/verify/{uuid.uuid4()}.json").status_code == 404


def upload(client, body: bytes, name="ket-qua.pdf"):
    return client.post(reverse("signing:verify_upload"), {"file": SimpleUploadedFile(name, body)})


def test_upload_form_page(client, db):
    response = client.get("/verify/")
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_upload_genuine_result(client, issued):
    body = issued.document.file.read()
    response = upload(client, body)
    text = response.content.decode()
    assert response.status_code == 200
    assert "Chữ ký số hợp lệ" in text
    assert str(issued.pk) in text and "đang có hiệu lực" in text


def test_upload_genuine_but_revoked(client, issued, world):
    services.revoke_result(result=issued, reason="Cấp nhầm", by=world.leader)
    text = upload(client, issued.document.file.read()).content.decode()
    assert "Chữ ký số hợp lệ" in text and "đã bị thu hồi" in text


def test_upload_tampered_result(client, issued):
    text = upload(client, tamper(issued.document.file.read())).content.decode()
    assert "Không hợp lệ" in text
    assert "Chữ ký số hợp lệ" not in text and str(issued.pk) not in text


def test_upload_not_a_pdf_or_too_large(client, issued, settings):
    response = upload(client, b"\x89PNG\r\n\x1a\n....IEND", name="anh.pdf")
    assert response.status_code == 400 and "không phải PDF" in response.content.decode()
    settings.MOTCUA_MAX_UPLOAD_BYTES = 100
    response = upload(client, issued.document.file.read())
    assert response.status_code == 400 and "giới hạn" in response.content.decode()


def test_upload_unsigned_pdf(client, db):
    from motcua.dossiers.tests.factories import PDF_BYTES

    text = upload(client, PDF_BYTES).content.decode()
    assert "Không hợp lệ" in text
