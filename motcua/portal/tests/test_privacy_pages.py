"""Dữ liệu cá nhân của tôi: the citizen's consent, data-subject requests and the download of all their data.

Nguyễn Thị Hoa gives and withdraws consent with one button each and prints the record; asks for a correction, a
restriction and a deletion; downloads everything. Trần Văn Bình, an officer of another agency and an anonymous
visitor get nothing of hers: 404 (or the login page), the same as for what does not exist.
"""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from django.utils.formats import date_format

from motcua.dossiers.models import Draft
from motcua.dossiers.services import save_draft
from motcua.dossiers.tests.factories import pdf
from motcua.notify.models import Notification
from motcua.portal.tests.conftest import client_for, submit
from motcua.wallet import services
from motcua.wallet.models import Consent, RightsRequest, RightsRequestKind, RightsRequestStatus, WalletDocument

REUSE = "tai-su-dung-du-lieu"
EMAIL = "thong-bao-dien-tu"
REUSE_NAME = "Tái sử dụng dữ liệu trong kho để điền sẵn hồ sơ"


def local(moment) -> str:
    return date_format(timezone.localtime(moment), "H:i d/m/Y")


def text_of(response) -> str:
    """The page's text without tags, spaces collapsed (what a reader reads)."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", body)


# ----- who may open what -----------------------------------------------------------------------------------------

PAGES = ["/privacy/", "/privacy/requests/", "/privacy/export/"]
POSTS = [
    "/privacy/consents/give/",
    "/privacy/requests/",
    "/privacy/restriction/lift/",
    "/privacy/export/",
]


@pytest.mark.parametrize("path", PAGES)
def test_the_pages_are_the_applicants(world, path):
    assert client_for(world.owner).get(path).status_code == 200
    for officer in (world.reception, world.other_officer):
        assert client_for(officer).get(path).status_code == 404
    anonymous = client_for(None).get(path)
    assert anonymous.status_code == 302 and anonymous["Location"] == f"/accounts/login/?next={path}"


@pytest.mark.parametrize("path", POSTS)
def test_nobody_but_an_applicant_can_post(world, path):
    assert client_for(world.other_officer).post(path, {"purpose": REUSE}).status_code == 404
    anonymous = client_for(None).post(path, {"purpose": REUSE})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert not Consent.objects.exists() and not RightsRequest.objects.exists()


@pytest.mark.parametrize(
    "path", ["/privacy/consents/give/", "/privacy/restriction/lift/", "/privacy/requests/1/cancel/"]
)
def test_actions_are_posts(world, path):
    assert client_for(world.owner).get(path).status_code == 405


def test_consent_record_checks_ownership(world):
    consent = services.give_consent(subject=world.owner, purpose_code=REUSE)
    path = f"/privacy/consents/{consent.pk}/"
    assert client_for(world.owner).get(path).status_code == 200
    assert client_for(world.other_citizen).get(path).status_code == 404
    assert client_for(world.other_officer).get(path).status_code == 404
    anonymous = client_for(None).get(path)
    assert anonymous.status_code == 302 and anonymous["Location"] == f"/accounts/login/?next={path}"
    assert client_for(world.owner).get("/privacy/consents/999999/").status_code == 404

    # Nor can anyone else withdraw it.
    for who in (world.other_citizen, world.other_officer):
        assert client_for(who).post(f"{path}withdraw/").status_code == 404
    assert client_for(None).post(f"{path}withdraw/").status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_cancelling_anothers_request_checks_ownership(world):
    request = services.submit_rights_request(
        subject=world.owner, kind=RightsRequestKind.CORRECTION, details="Sửa số điện thoại thành 0905 123 456."
    )
    path = f"/privacy/requests/{request.pk}/cancel/"
    assert client_for(world.other_citizen).post(path).status_code == 404
    assert client_for(world.other_officer).post(path).status_code == 404
    anonymous = client_for(None).post(path)
    assert anonymous.status_code == 302 and anonymous["Location"] == f"/accounts/login/?next={path}"
    request.refresh_from_db()
    assert request.status == RightsRequestStatus.RECEIVED
    # Bình's own page does not show it.
    assert "0905 123 456" not in client_for(world.other_citizen).get("/privacy/requests/").content.decode()

    response = client_for(world.owner).post(path, follow=True)
    assert "Đã hủy yêu cầu." in response.content.decode()
    request.refresh_from_db()
    assert request.status == RightsRequestStatus.CANCELLED


# ----- consent -----------------------------------------------------------------------------------------------------


def test_each_purpose_is_explained_and_nothing_is_ticked_in_advance(world):
    response = client_for(world.owner).get("/privacy/")
    html, text = response.content.decode(), text_of(response)
    assert "<h1>Dữ liệu cá nhân của tôi</h1>" in html
    for name in (REUSE_NAME, "Nhận thông báo về hồ sơ qua thư điện tử"):
        assert name in text
    assert "Tôi đồng ý để hệ thống dùng thông tin tài khoản và dữ liệu của các giấy tờ trong kho" in text
    assert "Họ tên, số định danh, số điện thoại, thư điện tử; dữ liệu giấy tờ trong kho" in text
    assert "Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15; Nghị định 356/2025/NĐ-CP" in text
    assert text.count("Chưa đồng ý") == 2
    assert "checked" not in html and 'type="checkbox"' not in html
    assert html.count('name="purpose"') == 2
    assert 'href="/privacy/requests/"' in html and 'href="/privacy/export/"' in html


def test_consent_given_then_withdrawn_from_the_page(world):
    hoa = client_for(world.owner)
    response = hoa.post("/privacy/consents/give/", {"purpose": REUSE})
    assert response.status_code == 302 and response["Location"] == "/privacy/"
    consent = Consent.objects.get(subject=world.owner)
    assert consent.purpose.code == REUSE and consent.withdrawn_at is None

    page = hoa.get("/privacy/")
    text = text_of(page)
    assert f"Đã ghi nhận sự đồng ý của bạn: “{REUSE_NAME}”." in text
    assert f"Đã đồng ý lúc {local(consent.given_at)}" in text
    assert f'action="/privacy/consents/{consent.pk}/withdraw/"' in page.content.decode()
    assert f'href="/privacy/consents/{consent.pk}/"' in page.content.decode()

    # Giving it again (a double click) changes nothing.
    hoa.post("/privacy/consents/give/", {"purpose": REUSE})
    assert Consent.objects.filter(subject=world.owner).count() == 1

    response = hoa.post(f"/privacy/consents/{consent.pk}/withdraw/", follow=True)
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    text = text_of(response)
    assert f"Đã rút lại sự đồng ý: “{REUSE_NAME}”." in text
    assert f"Đã rút lại lúc {local(consent.withdrawn_at)}" in text
    assert "Lịch sử đồng ý và rút lại" in text and f"Bản ghi số {consent.pk}" in text

    # Given again: a new record, the withdrawn one kept.
    hoa.post("/privacy/consents/give/", {"purpose": REUSE})
    assert Consent.objects.filter(subject=world.owner).count() == 2


def test_an_unknown_or_retired_purpose_is_not_found(world):
    hoa = client_for(world.owner)
    assert hoa.post("/privacy/consents/give/", {"purpose": "khong-co"}).status_code == 404
    assert hoa.post("/privacy/consents/give/", {}).status_code == 404
    assert not Consent.objects.exists()


def test_the_printable_consent_record(world):
    consent = services.give_consent(subject=world.owner, purpose_code=REUSE)
    response = client_for(world.owner).get(f"/privacy/consents/{consent.pk}/")
    text = text_of(response)
    assert f"Bản ghi sự đồng ý số {consent.pk}" in text
    assert "In: dùng lệnh In của trình duyệt" in text
    assert "Nguyễn Thị Hoa" in text and "048190001234" in text
    assert REUSE_NAME in text
    assert consent.statement in response.content.decode()  # word for word, as agreed
    assert "Phiên bản nội dung đã đồng ý 1" in text
    assert date_format(timezone.localtime(consent.given_at), "H:i:s d/m/Y") in text
    assert "Chưa rút lại: sự đồng ý đang có hiệu lực." in text
    assert "<script" not in response.content.decode() and "style=" not in response.content.decode()

    services.withdraw_consent(subject=world.owner, consent_id=consent.pk)
    consent.refresh_from_db()
    text = text_of(client_for(world.owner).get(f"/privacy/consents/{consent.pk}/"))
    assert date_format(timezone.localtime(consent.withdrawn_at), "H:i:s d/m/Y") in text


def test_the_pages_in_english(world):
    hoa = client_for(world.owner)
    hoa.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    consent = services.give_consent(subject=world.owner, purpose_code=REUSE)
    text = text_of(hoa.get("/privacy/"))
    assert "My personal data" in text
    assert "Reuse of warehouse data to pre-fill new dossiers" in text  # the purpose's own English text
    record = hoa.get(f"/privacy/consents/{consent.pk}/").content.decode()
    assert 'lang="vi"' in record and consent.statement in record  # the words agreed to stay as they were
    assert "Data subject requests" in text_of(hoa.get("/privacy/requests/"))
    assert "Download all my data" in text_of(hoa.get("/privacy/export/"))


# ----- requests ----------------------------------------------------------------------------------------------------


def test_a_correction_request_from_the_page(world):
    hoa = client_for(world.owner)
    page = text_of(hoa.get("/privacy/requests/"))
    assert "Bạn chưa gửi yêu cầu nào." in page
    assert "giấy tờ bạn tự tải lên kho dữ liệu, hồ sơ nháp và thông báo" in page  # what a deletion removes …
    assert "hồ sơ đã nộp và nhật ký xử lý, chứng từ thu phí, nhật ký truy cập dữ liệu" in page  # … and keeps
    assert "cho đến khi bạn bỏ hạn chế" in page
    assert "Thời hạn trả lời: 72 giờ." in page

    response = hoa.post("/privacy/requests/", {"kind": "correction", "details": "Số điện thoại đúng là 0905 123 456."})
    assert response.status_code == 302 and response["Location"] == "/privacy/requests/"
    request = RightsRequest.objects.get(subject=world.owner)
    assert request.kind == RightsRequestKind.CORRECTION and request.status == RightsRequestStatus.RECEIVED
    text = text_of(hoa.get("/privacy/requests/"))
    assert f"Đã gửi yêu cầu. Hạn trả lời: {local(request.due_at)}." in text
    assert "Chỉnh sửa dữ liệu" in text and "Số điện thoại đúng là 0905 123 456." in text
    assert f"Gửi lúc {local(request.submitted_at)}" in text and "Đã tiếp nhận" in text
    assert f'action="/privacy/requests/{request.pk}/cancel/"' in hoa.get("/privacy/requests/").content.decode()


def test_a_failed_request_keeps_what_was_typed(world):
    hoa = client_for(world.owner)
    response = hoa.post("/privacy/requests/", {"kind": "objection", "details": ""})
    assert response.status_code == 200
    text = text_of(response)
    assert "Lỗi: Yêu cầu về dữ liệu cá nhân" in text
    assert "Nội dung yêu cầu: Hãy nêu rõ dữ liệu nào và yêu cầu gì." in text
    assert '<option value="objection" selected>' in response.content.decode()

    # A deletion must be confirmed, checked by the server: nothing is deleted, and the text stays.
    services.add_uploaded_document(owner=world.owner, upload=pdf(), title="Bằng lái xe", document_type=None)
    response = hoa.post("/privacy/requests/", {"kind": "deletion", "details": "Xóa giấy tờ tôi đã tải lên."})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Hãy đánh dấu ô xác nhận để gửi yêu cầu xóa dữ liệu." in html
    assert "Xóa giấy tờ tôi đã tải lên.</textarea>" in html
    assert '<option value="deletion" selected>' in html
    assert 'aria-invalid="true" aria-describedby="id_confirm_deletion_error"' in html
    assert not RightsRequest.objects.exists() and WalletDocument.objects.filter(owner=world.owner).count() == 1

    response = hoa.post("/privacy/requests/", {"kind": "nonsense", "details": "?"})
    assert "Hãy chọn loại yêu cầu." in response.content.decode()


def test_a_deletion_from_the_page_says_what_was_deleted_and_what_was_kept(world):
    dossier = submit(world)
    services.add_uploaded_document(owner=world.owner, upload=pdf(), title="Bằng lái xe", document_type=None)
    save_draft(applicant=world.owner, version=world.version, form_data={"child_name": "Bé Na"})
    notifications = Notification.objects.filter(user=world.owner).count()
    assert notifications > 0

    hoa = client_for(world.owner)
    response = hoa.post("/privacy/requests/", {"kind": "deletion", "details": "", "confirm_deletion": "on"})
    assert response.status_code == 302
    assert not WalletDocument.objects.filter(owner=world.owner, kind="uploaded").exists()
    assert not Draft.objects.filter(applicant=world.owner).exists()
    assert not Notification.objects.filter(user=world.owner).exists()
    assert world.owner.dossiers.get() == dossier

    text = text_of(hoa.get("/privacy/requests/"))
    assert "Đã xóa những dữ liệu luật không buộc phải lưu." in text
    assert "Giấy tờ bạn tự tải lên kho dữ liệu: 2" in text  # her own, and the birth certificate kept for reuse
    assert "Hồ sơ nháp: 1" in text and f"Thông báo: {notifications}" in text
    assert "Hồ sơ đã nộp và nhật ký xử lý : Hồ sơ đã nộp và nhật ký xử lý được lưu theo thời hạn lưu trữ" in text
    assert "Nhật ký truy cập dữ liệu : Nhật ký truy cập là bằng chứng xử lý dữ liệu" in text
    assert "Chứng từ thu phí, lệ phí : Chứng từ thu phí, lệ phí được lưu theo Luật Kế toán" in text
    assert "Hủy yêu cầu" not in text  # done at once: nothing left to cancel

    # In English, the reasons (stored in Vietnamese) read in English too.
    hoa.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    english = text_of(hoa.get("/privacy/requests/"))
    assert "The access log is evidence of processing" in english
    assert "Draft dossiers: 1" in english


def test_a_restriction_from_the_page_and_lifting_it(world):
    hoa = client_for(world.owner)
    assert "Hiện bạn không hạn chế xử lý dữ liệu." in text_of(hoa.get("/privacy/requests/"))
    hoa.post("/privacy/requests/", {"kind": "restriction", "details": ""})
    text = text_of(hoa.get("/privacy/requests/"))
    assert "Đã hạn chế xử lý dữ liệu của bạn" in text and "Đang hạn chế xử lý dữ liệu" in text
    assert "Bạn đang hạn chế xử lý dữ liệu" in text_of(hoa.get("/privacy/"))

    # A second restriction is refused on the form, with the reason.
    again = hoa.post("/privacy/requests/", {"kind": "restriction", "details": "Lần nữa"})
    assert again.status_code == 200
    assert "Việc hạn chế xử lý dữ liệu của bạn đang có hiệu lực." in again.content.decode()

    response = hoa.post("/privacy/restriction/lift/", follow=True)
    text = text_of(response)
    assert "Đã bỏ hạn chế xử lý dữ liệu." in text and "Hiện bạn không hạn chế xử lý dữ liệu." in text
    assert "Bạn đã bỏ hạn chế lúc" in text
    # Lifting again (a double click) says so, without an error page.
    response = hoa.post("/privacy/restriction/lift/", follow=True)
    assert "Không có yêu cầu hạn chế xử lý nào đang có hiệu lực." in response.content.decode()


# ----- the download ------------------------------------------------------------------------------------------------


def test_the_export_page_says_what_the_download_holds(world):
    text = text_of(client_for(world.owner).get("/privacy/export/"))
    for name in ("profile.json", "wallet_documents.json", "access_log.json", "consents.json", "dossiers.json"):
        assert name in text
    assert "Tải về (tệp ZIP)" in text


def test_the_download_is_a_zip_of_her_data_never_cached(world):
    dossier = submit(world)
    submit(world, user=world.other_citizen)
    response = client_for(world.owner).post("/privacy/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    today = timezone.localdate().strftime("%Y%m%d")
    assert response["Content-Disposition"] == f'attachment; filename="du-lieu-ca-nhan-048190001234-{today}.zip"'
    assert "no-store" in response["Cache-Control"]
    assert response.streaming  # from a temporary file, not built in memory
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        profile = json.loads(archive.read("profile.json"))
        dossiers = json.loads(archive.read("dossiers.json"))
        everything = b"".join(archive.read(name) for name in archive.namelist())
    assert profile[0]["full_name"] == "Nguyễn Thị Hoa"
    assert [entry["code"] for entry in dossiers] == [dossier.code]
    assert "Trần Văn Bình".encode() not in everything and b"048085005678" not in everything
