"""Filing with the warehouse, by HTTP: one click of consent, a pre-filled form whose verified values are marked and
read-only, the issued certificate attached without upload, an uploaded copy reused in one click, and a tampered
verified value refused at submission."""

from __future__ import annotations

import re

from motcua.dossiers.models import ComponentSource, Dossier
from motcua.dossiers.tests.factories import pdf
from motcua.portal.tests.conftest import client_for
from motcua.wallet import services as wallet
from motcua.wallet.models import WalletDocumentKind

GUIDE = "/apply/2.000200/"
FORM = "/apply/2.000200/form/"
COMPONENTS = "/apply/2.000200/components/"
REVIEW = "/apply/2.000200/review/"
CONSENT = "/apply/2.000200/reuse-consent/"


def review_key(client) -> str:
    html = client.get(REVIEW).content.decode()
    return re.search(r'name="idempotency_key" value="([0-9a-f-]{36})"', html).group(1)


def started(world):
    owner = client_for(world.owner)
    assert owner.post(GUIDE, {"agency": world.agency.identifier}).status_code == 302
    return owner


def test_the_form_prefills_issued_data_and_offers_the_profile_until_the_applicant_consents(
    world, birth_certificate, id_card
):
    owner = started(world)
    html = owner.get(FORM).content.decode()
    assert "Đồng ý dùng dữ liệu trong kho" in html
    name_input = re.search(r'<input[^>]*name="form-full_name"[^>]*>', html).group(0)
    assert 'value="Nguyễn Văn An"' in name_input  # what the agency issued, reused without asking
    national_id = re.search(r'<input[^>]*name="form-national_id"[^>]*>', html).group(0)
    assert "value=" not in national_id  # the account's details wait for consent

    response = owner.post(CONSENT, {"next": "form"})
    assert response.status_code == 302 and response["Location"] == FORM
    html = owner.get(FORM).content.decode()
    assert "Đồng ý dùng dữ liệu trong kho" not in html
    name_input = re.search(r'<input[^>]*name="form-full_name"[^>]*>', html).group(0)
    assert 'value="Nguyễn Văn An"' in name_input and "readonly" in name_input
    assert "Đã xác thực: lấy từ Giấy khai sinh (Ủy ban nhân dân Phường Hải Châu); không sửa được." in html
    national_id = re.search(r'<input[^>]*name="form-national_id"[^>]*>', html).group(0)
    assert f'value="{world.owner.citizen_id}"' in national_id and "readonly" not in national_id
    assert "Điền sẵn từ Thông tin tài khoản; hãy kiểm tra lại." in html


def test_the_issued_certificate_is_attached_without_upload_and_the_dossier_says_so(world, birth_certificate, id_card):
    owner = started(world)
    owner.post(CONSENT, {"next": "components"})
    html = owner.get(COMPONENTS).content.decode()
    assert "Từ kho dữ liệu, đã xác thực" in html
    assert "bạn không cần tải lên" in html
    owner.post(FORM, {"action": "next", "form-full_name": "Nguyễn Văn An", "form-birth_date": "2026-11-20",
                      "form-national_id": world.owner.citizen_id})  # fmt: skip
    response = owner.post(REVIEW, {"idempotency_key": review_key(owner)})
    dossier = Dossier.objects.get(procedure_version=id_card)
    assert response["Location"] == f"/dossiers/{dossier.code}/"
    [component] = dossier.components.all()
    assert (component.source, component.document_id) == (ComponentSource.REUSED, birth_certificate.document_id)

    officer_page = client_for(world.reception).get(f"/backoffice/dossiers/{dossier.code}/").content.decode()
    assert "Tái sử dụng từ kho dữ liệu" in officer_page and "kết quả điện tử đã xác thực" in officer_page
    assert officer_page.count("Đã xác thực từ kho dữ liệu") == 2  # full name and birth date


def test_a_tampered_verified_value_sends_the_applicant_back_to_the_form(world, birth_certificate, id_card):
    owner = started(world)
    owner.post(CONSENT, {"next": "form"})
    # A crafted POST, as if the read-only attribute had been removed in the browser.
    owner.post(FORM, {"action": "next", "form-full_name": "Nguyễn Văn Bê", "form-birth_date": "2026-11-20",
                      "form-national_id": world.owner.citizen_id})  # fmt: skip
    response = owner.post(REVIEW, {"idempotency_key": review_key(owner)})
    assert response.status_code == 302 and response["Location"] == FORM
    html = owner.get(FORM).content.decode()
    assert "lấy từ giấy tờ đã xác thực" in html
    assert not Dossier.objects.filter(procedure_version=id_card).exists()


def test_an_uploaded_copy_is_reused_in_one_click(world, id_card):
    copy = wallet.add_uploaded_document(
        owner=world.owner, upload=_pdf(), title="Giấy khai sinh (bản chụp)",
        document_type=id_card.components.get().document_type,
    )  # fmt: skip
    owner = started(world)
    owner.post(CONSENT, {"next": "components"})
    requirement = id_card.components.get()
    html = owner.get(COMPONENTS).content.decode()
    assert "Giấy khai sinh (bản chụp)" in html and "Dùng giấy tờ này" in html
    response = owner.post(f"{COMPONENTS}reuse/", {"requirement": requirement.pk, "document": str(copy.pk)})
    assert response.status_code == 302
    owner.post(FORM, {"action": "next", "form-full_name": "Nguyễn Văn An", "form-birth_date": "2026-11-20",
                      "form-national_id": world.owner.citizen_id})  # fmt: skip
    owner.post(REVIEW, {"idempotency_key": review_key(owner)})
    dossier = Dossier.objects.get(procedure_version=id_card)
    assert dossier.components.get().source == ComponentSource.REUSED
    assert copy.kind == WalletDocumentKind.UPLOADED


def test_reusing_checks_ownership(world, id_card):
    theirs = wallet.add_uploaded_document(
        owner=world.other_citizen, upload=_pdf(), title="Giấy khai sinh của Bình",
        document_type=id_card.components.get().document_type,
    )  # fmt: skip
    owner = started(world)
    owner.post(CONSENT, {"next": "components"})
    response = owner.post(
        f"{COMPONENTS}reuse/", {"requirement": id_card.components.get().pk, "document": str(theirs.pk)}
    )
    assert response.status_code == 200
    assert "Không tìm thấy giấy tờ này trong kho dữ liệu của bạn." in response.content.decode()
    assert "Giấy khai sinh của Bình" not in response.content.decode()
    assert client_for(None).post(CONSENT).status_code == 302  # anonymous: to the login page
    assert client_for(world.other_officer).post(CONSENT).status_code == 404


def _pdf():
    return pdf("khai-sinh.pdf")
