"""Applying online by HTTP: guide → e-form → components → review → submit, with the draft saved at each step and
resumed after logging in again; errors keep what was typed; uploads are checked by content; drafts."""

from __future__ import annotations

import re

import pytest

from motcua.documents.models import StoredDocument
from motcua.dossiers.models import Dossier, Draft
from motcua.dossiers.tests.factories import PDF_BYTES, pdf
from motcua.portal.tests.conftest import client_for

GUIDE = "/apply/1.001193/"
FORM = "/apply/1.001193/form/"
COMPONENTS = "/apply/1.001193/components/"
REVIEW = "/apply/1.001193/review/"


def requirements(world):
    return list(world.version.components.order_by("position"))


def start(client, world):
    response = client.post(GUIDE, {"agency": world.agency.identifier})
    assert response.status_code == 302 and response["Location"] == FORM
    return Draft.objects.get(applicant=world.owner)


def fill(client, *, action="save", **values):
    data = {"action": action}
    data.update({f"form-{key}": value for key, value in values.items()})
    return client.post(FORM, data)


def upload(client, requirement, *files):
    return client.post(COMPONENTS, {"requirement": requirement.pk, "files": list(files)})


def review_key(client) -> str:
    html = client.get(REVIEW).content.decode()
    return re.search(r'name="idempotency_key" value="([0-9a-f-]{36})"', html).group(1)


def test_the_procedure_page_links_to_the_apply_flow(client, world):
    html = client.get("/procedures/1.001193/").content.decode()
    assert f'href="{GUIDE}"' in html and "Nộp hồ sơ trực tuyến" in html


@pytest.mark.parametrize("path", [GUIDE, FORM, COMPONENTS, REVIEW, "/drafts/"])
def test_anonymous_visitors_are_sent_to_log_in(client, world, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.parametrize("who", ["reception", "other_officer"])
@pytest.mark.parametrize("path", [GUIDE, FORM, COMPONENTS, REVIEW, "/drafts/"])
def test_officers_do_not_apply_here(world, who, path):
    assert client_for(getattr(world, who)).get(path).status_code == 404


def test_full_apply_flow_saves_a_draft_at_each_step_resumes_and_submits_once(world):
    owner = client_for(world.owner)

    # (a) The guide: what to prepare, the fees, the expected date, and where to file.
    guide = owner.get(GUIDE)
    html = guide.content.decode()
    assert guide.status_code == 200
    assert "Tờ khai đăng ký khai sinh" in html and "Giấy chứng sinh" in html
    assert "Lệ phí đăng ký khai sinh đúng hạn" in html
    assert "dự kiến nhận kết quả trước" in html
    assert f'<option value="{world.agency.identifier}" selected>' in html  # the only agency, preselected
    draft = start(owner, world)
    assert draft.agency == world.agency and draft.procedure_version == world.version

    # (b) The e-form, saved as typed with "Lưu nháp".
    response = fill(owner, child_name="Nguyễn Văn An", birth_date="2026-11-20")
    assert response.status_code == 302 and response["Location"] == FORM
    draft.refresh_from_db()
    assert draft.form_data == {"child_name": "Nguyễn Văn An", "birth_date": "2026-11-20", "sex": ""}

    # Logged out and back in (another device): the draft is listed and the form shows what was typed.
    again = client_for(world.owner)
    drafts = again.get("/drafts/").content.decode()
    assert "Đăng ký khai sinh" in drafts and f'href="{FORM}"' in drafts
    form_html = again.get(FORM).content.decode()
    assert 'value="Nguyễn Văn An"' in form_html and 'value="2026-11-20"' in form_html
    assert again.get(GUIDE).content.decode().count("Bạn có một hồ sơ nháp") == 1
    start(again, world)  # choosing the agency again reuses the same draft
    assert Draft.objects.filter(applicant=world.owner).count() == 1

    # "Tiếp tục" with everything filled goes on to the components.
    response = fill(again, action="next", child_name="Nguyễn Văn An", birth_date="2026-11-20", sex="nam")
    assert response.status_code == 302 and response["Location"] == COMPONENTS
    draft.refresh_from_db()
    assert draft.form_data["sex"] == "nam"

    # (c) One upload per requirement, several files allowed; each saved to the draft.
    first, second = requirements(world)
    response = upload(again, first, pdf("to-khai.pdf"), pdf("to-khai-trang-2.pdf"))
    assert response.status_code == 302 and response["Location"] == COMPONENTS
    assert upload(again, second, pdf("chung-sinh.pdf")).status_code == 302
    draft.refresh_from_db()
    assert len(draft.documents[str(first.pk)]) == 2 and len(draft.documents[str(second.pk)]) == 1
    page = again.get(COMPONENTS).content.decode()
    assert "to-khai-trang-2.pdf" in page and "chung-sinh.pdf" in page

    # (d) Review: everything entered, the documents, the agency, the expected appointment.
    review = again.get(REVIEW).content.decode()
    for text in ("Nguyễn Văn An", "20/11/2026", "Nam", "to-khai.pdf", "chung-sinh.pdf", world.agency.name):
        assert text in review
    assert "Dự kiến hẹn trả kết quả" in review
    key = review_key(again)

    # Submit twice with the same key (a double click): one dossier, and both answers lead to it.
    first_answer = again.post(REVIEW, {"idempotency_key": key})
    second_answer = again.post(REVIEW, {"idempotency_key": key})
    dossier = Dossier.objects.get(applicant=world.owner)
    assert first_answer.status_code == second_answer.status_code == 302
    assert first_answer["Location"] == second_answer["Location"] == f"/dossiers/{dossier.code}/"
    assert not Draft.objects.filter(applicant=world.owner).exists()
    assert dossier.form_data == {"child_name": "Nguyễn Văn An", "birth_date": "2026-11-20", "sex": "nam"}
    assert dossier.components.count() == 3
    page = again.get(f"/dossiers/{dossier.code}/").content.decode()
    assert f"Mã hồ sơ của bạn là {dossier.code}" in page
    assert dossier.code in again.get("/dossiers/").content.decode()


def test_bad_form_data_is_saved_as_typed_and_shown_with_errors_per_field(world):
    owner = client_for(world.owner)
    draft = start(owner, world)
    response = fill(owner, action="next", child_name="  ", birth_date="31/02/2026", sex="nu")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Lỗi:" in html
    assert 'id="id_form-child_name_error">Trường này là bắt buộc.' in html
    assert 'id="id_form-birth_date_error">Ngày không hợp lệ' in html
    assert 'aria-invalid="true"' in html
    assert 'value="31/02/2026"' in html  # what was typed stays
    assert re.search(r'value="nu"[^>]*checked|checked[^>]*value="nu"', html)
    assert 'href="#id_form-birth_date"' in html  # the summary links to the field
    draft.refresh_from_db()
    assert draft.form_data["birth_date"] == "31/02/2026"  # saved anyway: nothing typed is lost


def test_autosave_answers_with_a_short_message(world):
    owner = client_for(world.owner)
    draft = start(owner, world)
    response = fill(owner, action="autosave", child_name="Lê Thị Thu")
    assert response.status_code == 200 and "Đã tự động lưu nháp" in response.json()["message"]
    draft.refresh_from_db()
    assert draft.form_data["child_name"] == "Lê Thị Thu"


def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_attached(world):
    owner = client_for(world.owner)
    draft = start(owner, world)
    first, _second = requirements(world)
    fake = pdf("giay-chung-sinh.pdf", b"Day la van ban, khong phai PDF.\n")
    response = upload(owner, first, fake)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tệp “giay-chung-sinh.pdf” không phải PDF, PNG hoặc JPEG hợp lệ." in html
    assert f'id="files-{first.pk}-error"' in html and 'aria-invalid="true"' in html
    draft.refresh_from_db()
    assert draft.documents == {}
    assert not StoredDocument.objects.exists()
    # Nothing chosen at all is explained too.
    assert "Hãy chọn ít nhất một tệp" in upload(owner, first).content.decode()


def test_a_document_can_be_removed_from_the_draft(world):
    owner = client_for(world.owner)
    draft = start(owner, world)
    first, _second = requirements(world)
    upload(owner, first, pdf("nham.pdf"))
    draft.refresh_from_db()
    document_id = draft.documents[str(first.pk)][0]
    response = owner.post(COMPONENTS + "remove/", {"requirement": first.pk, "document": document_id})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.documents[str(first.pk)] == []
    assert "Đã gỡ tệp “nham.pdf”." in owner.get(COMPONENTS).content.decode()


def test_submitting_an_incomplete_draft_sends_the_applicant_back_with_the_errors(world):
    owner = client_for(world.owner)
    start(owner, world)
    fill(owner, child_name="", birth_date="2026-11-20", sex="nam")
    response = owner.post(REVIEW, {"idempotency_key": review_key(owner)})
    assert response.status_code == 302 and response["Location"] == FORM
    html = owner.get(FORM).content.decode()
    assert "Hồ sơ chưa hợp lệ" in html and 'id="id_form-child_name_error">Trường này là bắt buộc.' in html

    # The components' errors of the same submission wait for the components page.
    html = owner.get(COMPONENTS).content.decode()
    assert "Còn thiếu: Tờ khai đăng ký khai sinh." in html and "Còn thiếu: Giấy chứng sinh." in html
    assert "Còn thiếu" not in owner.get(COMPONENTS).content.decode()  # shown once, not forever
    assert not Dossier.objects.exists()


def test_missing_components_alone_lead_to_the_components_page(world):
    owner = client_for(world.owner)
    start(owner, world)
    fill(owner, child_name="Nguyễn Văn An", birth_date="2026-11-20", sex="nam")
    response = owner.post(REVIEW, {"idempotency_key": review_key(owner)})
    assert response["Location"] == COMPONENTS
    assert "Còn thiếu: Giấy chứng sinh." in owner.get(COMPONENTS).content.decode()


def test_a_submission_without_a_valid_key_is_not_made(world):
    owner = client_for(world.owner)
    start(owner, world)
    response = owner.post(REVIEW, {"idempotency_key": "khong-phai-uuid"})
    assert response.status_code == 302 and response["Location"] == REVIEW
    assert not Dossier.objects.exists()


def test_the_agency_must_be_one_that_handles_the_procedure(world):
    owner = client_for(world.owner)
    response = owner.post(GUIDE, {"agency": world.other_agency.identifier})
    assert response.status_code == 200
    assert "Hãy chọn cơ quan tiếp nhận thủ tục này." in response.content.decode()
    assert not Draft.objects.exists()
    # Without a draft, the later steps lead back to the guide.
    assert client_for(world.owner).get(FORM)["Location"] == GUIDE


def test_a_procedure_without_online_filing_has_no_apply_flow(client, world):
    from motcua.catalog.tests.factories import publish_procedure

    publish_procedure(code="1.003003", name="Thủ tục chỉ nộp trực tiếp", service_level="partial", channels=["direct"])
    assert "/apply/1.003003/" not in client.get("/procedures/1.003003/").content.decode()
    assert client_for(world.owner).get("/apply/1.003003/").status_code == 404
    assert client_for(world.owner).get("/apply/9.999999/").status_code == 404


def test_drafts_can_be_deleted_only_by_their_owner(world):
    owner = client_for(world.owner)
    draft = start(owner, world)
    response = client_for(world.other_citizen).post(f"/drafts/{draft.pk}/delete/")
    assert response.status_code == 302 and Draft.objects.filter(pk=draft.pk).exists()
    assert "Đăng ký khai sinh" not in client_for(world.other_citizen).get("/drafts/").content.decode()
    response = owner.post(f"/drafts/{draft.pk}/delete/")
    assert response.status_code == 302 and not Draft.objects.filter(pk=draft.pk).exists()
    assert "Đã xóa hồ sơ nháp." in owner.get("/drafts/").content.decode()


def test_a_real_pdf_is_kept_with_its_name_and_size(world):
    owner = client_for(world.owner)
    start(owner, world)
    first, _second = requirements(world)
    upload(owner, first, pdf("to-khai.pdf"))
    document = StoredDocument.objects.get()
    assert document.original_name == "to-khai.pdf" and document.size == len(PDF_BYTES)
    assert document.owner == world.owner
