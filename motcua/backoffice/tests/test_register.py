"""Direct registration at the one-stop desk: a walk-in's paper dossier, scanned, received at once."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.accounts.models import User, UserKind
from motcua.backoffice.services import find_or_create_walk_in_citizen
from motcua.backoffice.tests.conftest import client_for
from motcua.documents.models import StoredDocument
from motcua.dossiers.models import ChannelCode, ComponentSource, Dossier, DossierState
from motcua.dossiers.tests.factories import PDF_BYTES

URL = "/backoffice/register/"
NEW_ID = "048195007777"


def scans(world, *, bad: bool = False) -> dict:
    files = {}
    for requirement in world.version.components.all():
        body = b"Day la van ban, khong phai PDF.\n" if bad and requirement.position == 1 else PDF_BYTES
        files[f"component-{requirement.pk}"] = SimpleUploadedFile(
            f"scan-{requirement.position}.pdf", body, content_type="application/pdf"
        )
    return files


def form_post(world, **overrides) -> dict:
    data = {
        "agency": world.agency.identifier,
        "procedure": world.version.procedure.code,
        "idempotency_key": uuid.uuid4().hex,
        "citizen_id": NEW_ID,
        "full_name": "Lê Văn Tám",
        "phone": "0905 111 222",
        "form-child_name": "Lê Thị Mai",
        "form-birth_date": "2026-11-20",
        "form-sex": "nu",
    }
    data.update(overrides)
    return data


def nothing_created(before_users: int) -> bool:
    return not Dossier.objects.exists() and not StoredDocument.objects.exists() and User.objects.count() == before_users


def test_the_desk_chooses_a_procedure_then_gets_its_form(world):
    client = client_for(world.reception)
    html = client.get(URL).content.decode()
    assert '<option value="1.001193">1.001193 — Đăng ký khai sinh</option>' in html
    html = client.get(URL, {"procedure": "1.001193"}).content.decode()
    for expected in (
        'name="citizen_id"', 'name="form-child_name"', 'type="date" name="form-birth_date"',
        'type="radio" name="form-sex"', 'enctype="multipart/form-data"', "Tờ khai đăng ký khai sinh",
    ):  # fmt: skip
        assert expected in html, expected
    assert html.count('type="file"') == 2
    response = client.get(URL, {"procedure": "9.999999"})
    assert "Hãy chọn một lựa chọn hợp lệ" in response.content.decode()


def test_a_walk_in_dossier_is_received_at_once_with_digitised_scans(world):
    client = client_for(world.reception)
    response = client.post(URL, {**form_post(world), **scans(world)})
    assert response.status_code == 302, response.content.decode()[-3000:]
    dossier = Dossier.objects.get()
    assert response.url == f"/backoffice/dossiers/{dossier.code}/"
    assert dossier.state == DossierState.RECEIVED and dossier.channel == ChannelCode.DIRECT
    assert dossier.received_at is not None and dossier.appointment_at is not None
    assert dossier.assignee == world.reception and dossier.current_step.name == "Tiếp nhận hồ sơ"
    assert dossier.form_data == {"child_name": "Lê Thị Mai", "birth_date": "2026-11-20", "sex": "nu"}
    components = list(dossier.components.select_related("document"))
    assert [c.source for c in components] == [ComponentSource.DIGITISED] * 2
    assert {c.document.source for c in components} == {"digitised"}
    assert {c.document.created_by for c in components} == {world.reception}
    applicant = dossier.applicant
    assert applicant.kind == UserKind.CITIZEN and applicant.citizen_id == NEW_ID
    assert applicant.full_name == "Lê Văn Tám" and applicant.phone == "0905111222"
    assert not applicant.has_usable_password()
    assert {c.document.owner for c in components} == {applicant}
    page = client.get(response.url).content.decode()
    assert f"Đã tiếp nhận hồ sơ {dossier.code}. Hẹn trả kết quả:" in page
    assert "Tiếp nhận hồ sơ trực tiếp" in page and "Số hóa tại bộ phận một cửa" in page


def test_an_existing_citizen_is_used_as_is(world):
    client = client_for(world.reception)
    data = form_post(world, citizen_id=world.owner.citizen_id, full_name="", phone="")
    response = client.post(URL, {**data, **scans(world)})
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.applicant == world.owner and dossier.applicant_name == "Nguyễn Thị Hoa"
    world.owner.refresh_from_db()
    assert world.owner.has_usable_password()


def test_a_bad_citizen_id_is_explained_and_nothing_is_created(world):
    users = User.objects.count()
    response = client_for(world.reception).post(URL, {**form_post(world, citizen_id="12345"), **scans(world)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Số định danh cá nhân gồm đúng 12 chữ số." in html
    assert "Chưa tiếp nhận được: hãy sửa các mục được đánh dấu." in html
    assert 'value="Lê Thị Mai"' in html and 'value="12345"' in html  # what was typed stays
    assert "hãy chọn lại các tệp trước khi gửi" in html
    assert nothing_created(users)


def test_a_file_that_is_not_really_a_pdf_is_refused_and_nothing_is_created(world):
    users = User.objects.count()
    response = client_for(world.reception).post(URL, {**form_post(world), **scans(world, bad=True)})
    html = response.content.decode()
    assert "Tệp “scan-1.pdf” không phải PDF, PNG hoặc JPEG hợp lệ." in html
    first = world.version.components.get(position=1)
    assert f'<p class="field-error" id="id_component-{first.pk}_error">' in html
    assert f'aria-describedby="id_component-{first.pk}_helptext id_component-{first.pk}_error"' in html
    assert nothing_created(users)


def test_a_bad_form_and_missing_scans_are_shown_per_field_and_nothing_is_created(world):
    users = User.objects.count()
    data = form_post(world, **{"form-birth_date": "31/02/2026", "form-child_name": "", "full_name": ""})
    response = client_for(world.reception).post(URL, data)
    html = response.content.decode()
    assert "Ngày không hợp lệ" in html and "Trường này là bắt buộc." in html
    assert "Hãy đính kèm bản quét: Tờ khai đăng ký khai sinh." in html
    assert 'value="31/02/2026"' in html
    assert nothing_created(users)

    # A new citizen needs a name; that is known only once the ID is looked up, after the form's own checks.
    response = client_for(world.reception).post(URL, {**form_post(world, full_name=""), **scans(world)})
    assert "hãy nhập họ và tên để tạo tài khoản" in response.content.decode()
    assert nothing_created(users)


def test_sending_the_registration_twice_makes_one_dossier(world):
    client = client_for(world.reception)
    data = form_post(world)
    first = client.post(URL, {**data, **scans(world)})
    again = client.post(URL, {**data, **scans(world)})
    assert first.status_code == again.status_code == 302 and first.url == again.url
    assert Dossier.objects.count() == 1
    assert StoredDocument.objects.count() == 2


def test_walk_in_citizen_service(world):
    created = find_or_create_walk_in_citizen(citizen_id=NEW_ID, full_name="  Lê   Văn Tám ", phone="")
    assert created.full_name == "Lê Văn Tám" and created.username == NEW_ID and not created.has_usable_password()
    assert find_or_create_walk_in_citizen(citizen_id=NEW_ID, full_name="Tên khác", phone="") == created
    with pytest.raises(ValidationError) as error:
        find_or_create_walk_in_citizen(citizen_id="999190001234", full_name="A", phone="")
    assert "citizen_id" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        find_or_create_walk_in_citizen(citizen_id="048196001234", full_name="B", phone="123")
    assert "phone" in error.value.message_dict
