"""Kho dữ liệu điện tử in the portal: Hoa (the owner) lists her documents, opens one, uploads, shares and reads
who looked; Bình (another citizen), an officer and an anonymous visitor get nothing of hers; a bank opens a share
by its code, once per view, and a share that has expired, was revoked or used up reveals nothing."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.catalog.models import DocumentType
from motcua.documents.models import DocumentSource
from motcua.documents.services import store_document
from motcua.dossiers.tests.factories import PDF_BYTES, at, pdf
from motcua.portal.tests.conftest import client_for
from motcua.wallet import services
from motcua.wallet.models import AccessorKind, AccessRecord, Share, WalletDocument, WalletDocumentKind

BANK = "Ngân hàng TMCP Ngoại thương Việt Nam"
LOAN = "Thẩm định hồ sơ vay mua nhà"
CODE = re.compile(r"\b[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}\b")


@pytest.fixture
def birth_type(db) -> DocumentType:
    return DocumentType.objects.get_or_create(
        code="giay-khai-sinh", defaults={"name": "Giấy khai sinh", "name_en": "Birth certificate"}
    )[0]


@pytest.fixture
def certificate(world, birth_type) -> WalletDocument:
    """Hoa's birth certificate, issued and signed by the ward: verified, with its structured data."""
    stored = store_document(
        owner=world.owner, upload=pdf("khai-sinh.pdf"), created_by=world.leader, source=DocumentSource.ISSUED,
        document_type=birth_type,
    )  # fmt: skip
    return services.add_issued_document(
        owner=world.owner, document=stored, title="Giấy khai sinh của Nguyễn Văn An", issuer=world.agency,
        reference=str(uuid.uuid4()), issued_at=at(2026, 11, 25, 9), document_type=birth_type,
        data={
            "dossier_code": "H17.20.194-261123-0001",
            "applicant_name": "Nguyễn Thị Hoa",
            "form_data": {"child_name": "Nguyễn Văn An", "birth_date": "2026-11-20", "sex": "nam"},
            "witnesses": ["Trần Văn Cường", "Lê Thị Dung"],
            "issued_at": "2026-11-25T09:00:00+07:00",
        },
    )  # fmt: skip


@pytest.fixture
def passport(world) -> WalletDocument:
    """A copy of her passport she uploaded herself: unverified."""
    return services.add_uploaded_document(
        owner=world.owner, upload=pdf("ho-chieu.pdf"), title="Bản sao hộ chiếu", document_type=None
    )


def share_of(world, *documents, max_views: int = 3, valid_days: int = 7, now: dt.datetime | None = None):
    return services.create_share(
        owner=world.owner, document_ids=[d.pk for d in documents], recipient=BANK, purpose=LOAN,
        valid_days=valid_days, max_views=max_views, now=now,
    )  # fmt: skip


def anonymous() -> Client:
    return Client()


def html_of(response) -> str:
    return response.content.decode()


def download_link(html: str) -> str:
    return re.search(r'href="(/shares/[^"]+/documents/[^"]+/)"', html).group(1)


# ----- who may open the owner's pages --------------------------------------------------------------------------


OWNER_PAGES = ["/wallet/", "/wallet/shares/", "/wallet/access-log/"]


@pytest.mark.parametrize("path", OWNER_PAGES)
def test_the_wallet_pages_are_only_for_applicants(world, path):
    assert client_for(world.owner).get(path).status_code == 200
    response = anonymous().get(path)
    assert response.status_code == 302 and response["Location"] == f"/accounts/login/?next={path}"
    assert client_for(world.reception).get(path).status_code == 404
    assert client_for(world.other_officer).get(path).status_code == 404


def test_wallet_document_checks_ownership(world, certificate):
    path = f"/wallet/documents/{certificate.pk}/"
    assert client_for(world.owner).get(path).status_code == 200
    for someone in (world.other_citizen, world.other_officer, world.reception):
        response = client_for(someone).get(path)
        assert response.status_code == 404 and certificate.title not in html_of(response)
    response = anonymous().get(path)
    assert response.status_code == 302 and response["Location"] == f"/accounts/login/?next={path}"
    assert client_for(world.owner).get(f"/wallet/documents/{uuid.uuid4()}/").status_code == 404


def test_the_document_file_checks_ownership(world, passport):
    path = f"/wallet/documents/{passport.pk}/file/"
    response = client_for(world.owner).get(path)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES
    assert "attachment" in response["Content-Disposition"] and "no-store" in response["Cache-Control"]
    for someone in (world.other_citizen, world.other_officer):
        assert client_for(someone).get(path).status_code == 404
    response = anonymous().get(path)
    assert response.status_code == 302 and response["Location"] == f"/accounts/login/?next={path}"


def test_a_share_revoke_checks_ownership(world, passport):
    share, _code = share_of(world, passport)
    path = f"/wallet/shares/{share.pk}/revoke/"
    for someone in (world.other_citizen, world.other_officer):
        assert client_for(someone).post(path).status_code == 404
    response = anonymous().post(path)
    assert response.status_code == 302 and response["Location"] == f"/accounts/login/?next={path}"
    share.refresh_from_db()
    assert share.revoked_at is None
    response = client_for(world.owner).post(path, follow=True)
    assert response.redirect_chain == [("/wallet/shares/", 302)]
    assert f"Đã thu hồi lượt chia sẻ cho “{BANK}”." in html_of(response)
    share.refresh_from_db()
    assert share.revoked_at is not None
    assert client_for(world.owner).get(path).status_code == 405


def test_deleting_checks_ownership(world, passport):
    path = f"/wallet/documents/{passport.pk}/delete/"
    assert client_for(world.other_citizen).post(path).status_code == 404
    assert client_for(world.other_officer).post(path).status_code == 404
    assert anonymous().post(path).status_code == 302
    assert WalletDocument.objects.filter(pk=passport.pk).exists()


# ----- the documents -----------------------------------------------------------------------------------------------


def test_the_wallet_lists_issued_and_uploaded_documents_apart(world, birth_type, certificate, passport):
    html = html_of(client_for(world.owner).get("/wallet/"))
    issued, rest = html.split('id="uploaded-heading"')
    assert "Giấy tờ do cơ quan nhà nước cấp" in issued and certificate.title in issued
    assert "Đã xác thực" in issued and world.agency.name in issued and "Ngày cấp: 25/11/2026" in issued
    assert f'href="/wallet/documents/{certificate.pk}/"' in issued and passport.title not in issued
    assert "Giấy tờ bạn tự tải lên" in rest and passport.title in rest
    assert "Bản tự tải lên, chưa xác thực" in rest and f'href="/wallet/documents/{passport.pk}/"' in rest
    for link in ('href="/wallet/shares/"', 'href="/wallet/access-log/"', 'href="/privacy/"'):
        assert link in html
    assert 'action="/wallet/upload/"' in html and 'enctype="multipart/form-data"' in html
    assert f'<option value="{birth_type.pk}">{birth_type.name}</option>' in html


def test_a_revoked_result_says_so(world, certificate):
    services.revoke_issued_document(reference=certificate.issued_reference, at=at(2026, 12, 1, 10))
    html = html_of(client_for(world.owner).get("/wallet/"))
    assert "Đã bị thu hồi" in html and "Thu hồi ngày 01/12/2026" in html
    page = html_of(client_for(world.owner).get(f"/wallet/documents/{certificate.pk}/"))
    assert "Cơ quan cấp đã thu hồi giấy tờ này" in page


def test_an_issued_document_shows_its_data_and_its_verification_page(world, certificate):
    html = html_of(client_for(world.owner).get(f"/wallet/documents/{certificate.pk}/"))
    assert f"<h1>{certificate.title}</h1>" in html
    assert "Đã xác thực" in html and "Do cơ quan nhà nước cấp (đã xác thực)" in html
    assert world.agency.name in html and "Giấy khai sinh" in html and "09:00 25/11/2026" in html
    assert f'href="/verify/{certificate.issued_reference}/"' in html
    assert f'href="/wallet/documents/{certificate.pk}/file/"' in html and "Tải tệp khai-sinh.pdf" in html
    # The data, every key of it: labels for a result's own keys, nested mappings as nested lists, dates readable.
    assert "<dt>Mã hồ sơ</dt><dd>H17.20.194-261123-0001</dd>" in html
    assert "<dt>Thông tin đã khai</dt><dd>" in html and '<dl class="facts wallet-data">' in html.split("Thông tin")[1]
    assert "<dt>Child name</dt><dd>Nguyễn Văn An</dd>" in html and "<dt>Birth date</dt><dd>20/11/2026</dd>" in html
    assert "<li>Trần Văn Cường</li>" in html and "<li>Lê Thị Dung</li>" in html
    # Kept for its legal retention period: no delete button, and a POST is refused.
    assert "/delete/" not in html and "được lưu theo thời hạn luật định" in html
    response = client_for(world.owner).post(f"/wallet/documents/{certificate.pk}/delete/", follow=True)
    assert response.redirect_chain == [(f"/wallet/documents/{certificate.pk}/", 302)]
    assert "không xóa được" in html_of(response)
    assert WalletDocument.objects.filter(pk=certificate.pk).exists()


def test_a_result_of_the_real_flow_shows_its_forms_labels(world, birth_certificate):
    """Approved and signed (the reuse world): the declared data reads with the e-form's own labels and choices."""
    html = html_of(client_for(world.owner).get(f"/wallet/documents/{birth_certificate.pk}/"))
    assert "<dt>Họ, chữ đệm, tên của trẻ</dt><dd>Nguyễn Văn An</dd>" in html
    assert "<dt>Ngày sinh</dt><dd>20/11/2026</dd>" in html and "<dd>Nam</dd>" in html
    assert f'href="/verify/{birth_certificate.issued_reference}/"' in html
    _share, code = share_of(world, birth_certificate)
    shared = html_of(anonymous().post(f"/shares/{code}/"))
    assert "<dt>Họ, chữ đệm, tên của trẻ</dt><dd>Nguyễn Văn An</dd>" in shared
    assert f"Đã xác thực bởi {world.agency.name}" in shared


def test_the_owner_deletes_an_uploaded_copy(world, passport):
    html = html_of(client_for(world.owner).get(f"/wallet/documents/{passport.pk}/"))
    assert "Bản tự tải lên, chưa xác thực" in html and "/verify/" not in html
    assert "không kèm dữ liệu có cấu trúc" in html
    assert f'action="/wallet/documents/{passport.pk}/delete/"' in html
    response = client_for(world.owner).post(f"/wallet/documents/{passport.pk}/delete/", follow=True)
    assert response.redirect_chain == [("/wallet/", 302)]
    assert "Đã xóa “Bản sao hộ chiếu” khỏi kho dữ liệu." in html_of(response)
    assert not WalletDocument.objects.filter(pk=passport.pk).exists()


def test_the_owner_uploads_a_copy(world, birth_type):
    response = client_for(world.owner).post(
        "/wallet/upload/", {"title": "Giấy khai sinh bản sao", "document_type": birth_type.pk, "file": pdf("ks.pdf")}
    )
    entry = WalletDocument.objects.get(owner=world.owner)
    assert response.status_code == 302 and response["Location"] == f"/wallet/documents/{entry.pk}/"
    assert entry.kind == WalletDocumentKind.UPLOADED and entry.document_type == birth_type
    assert entry.title == "Giấy khai sinh bản sao" and entry.document.original_name == "ks.pdf"


def test_an_upload_error_keeps_what_was_typed(world, birth_type):
    owner = client_for(world.owner)
    response = owner.post("/wallet/upload/", {"title": "  ", "document_type": birth_type.pk, "file": pdf()})
    html = html_of(response)
    assert response.status_code == 422 and 'role="alert"' in html
    assert '<p class="field-error" id="wallet-title-error">Hãy nhập tên giấy tờ.</p>' in html
    assert f'<option value="{birth_type.pk}" selected>' in html
    not_a_pdf = pdf("anh.pdf", body=b"just some text, not a document")
    response = owner.post("/wallet/upload/", {"title": "Ảnh chụp căn cước", "file": not_a_pdf})
    html = html_of(response)
    assert response.status_code == 422 and 'value="Ảnh chụp căn cước"' in html
    assert 'id="wallet-file-error"' in html and "không phải" in html
    response = owner.post("/wallet/upload/", {"title": "Không có tệp", "document_type": "999999"})
    html = html_of(response)
    assert "Hãy chọn loại giấy tờ trong danh sách." in html and 'value="Không có tệp"' in html
    assert not WalletDocument.objects.filter(owner=world.owner).exists()


def test_english_readers_get_english(world, birth_type, certificate, passport):
    birth_type.name_en = "Birth certificate"
    birth_type.save(update_fields=["name_en"])
    owner = client_for(world.owner)
    owner.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    html = html_of(owner.get("/wallet/"))
    assert "Issued by a government agency" in html and "Documents you uploaded" in html
    assert "Uploaded by you, not verified" in html
    assert "Birth certificate" in html  # the document type's English name
    html = html_of(owner.get(f"/wallet/documents/{certificate.pk}/"))
    assert "Dossier code" in html and "Result verification page" in html


# ----- shares, for the owner -----------------------------------------------------------------------------------------


def test_the_share_form_preselects_a_document(world, certificate, passport):
    html = html_of(client_for(world.owner).get(f"/wallet/shares/?document={passport.pk}"))
    assert f'value="{passport.pk}" checked' in html and f'value="{certificate.pk}">' in html
    assert 'name="valid_days" min="1" max="90"' in html and 'value="7"' in html and 'value="3"' in html


def test_creating_a_share_shows_its_code_once(world, settings, certificate, passport):
    settings.MOTCUA_SITE_URL = "https://dichvucong.example.vn"
    owner = client_for(world.owner)
    response = owner.post(
        "/wallet/shares/",
        {"documents": [certificate.pk, passport.pk], "recipient": BANK, "purpose": LOAN, "valid_days": "14",
         "max_views": "2"},
    )  # fmt: skip
    html = html_of(response)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    code = CODE.search(html).group(0)
    assert f"https://dichvucong.example.vn/shares/{code}/" in html
    assert "chỉ hiển thị một lần" in html and BANK in html and LOAN in html
    share = Share.objects.get(owner=world.owner)
    assert share.max_views == 2 and share.hint == code.replace("-", "")[-4:]
    assert set(share.documents.all()) == {certificate, passport}
    assert (share.expires_at - share.created_at) == dt.timedelta(days=14)
    # The list never shows the code again, only its last four characters.
    listed = html_of(owner.get("/wallet/shares/"))
    assert code not in listed and f"Mã kết thúc bằng {share.hint}" in listed
    assert f"Cho {BANK}" in listed and "Đang hiệu lực" in listed and "Đã xem 0/2 lần" in listed
    assert "Lượt truy cập: 0" in listed and f'action="/wallet/shares/{share.pk}/revoke/"' in listed


def test_a_share_form_error_keeps_what_was_typed(world, certificate, passport):
    response = client_for(world.owner).post(
        "/wallet/shares/",
        {"documents": [passport.pk], "recipient": BANK, "purpose": "  ", "valid_days": "120", "max_views": "3"},
    )
    html = html_of(response)
    assert response.status_code == 422 and "Chưa chia sẻ được; hãy sửa các mục được đánh dấu." in html
    assert f'value="{BANK}"' in html and f'value="{passport.pk}" checked' in html and 'value="120"' in html
    assert f'value="{certificate.pk}">' in html
    assert '<p class="field-error" id="wallet-purpose-error">Hãy nêu mục đích chia sẻ.</p>' in html
    assert '<p class="field-error" id="wallet-valid_days-error">Thời hạn chia sẻ từ 1 đến 90 ngày.</p>' in html
    assert 'href="#wallet-purpose"' in html
    assert CODE.search(html) is None and not Share.objects.exists()
    # Another citizen's document cannot be slipped in.
    response = client_for(world.other_citizen).post(
        "/wallet/shares/",
        {"documents": [passport.pk], "recipient": BANK, "purpose": LOAN, "valid_days": "7", "max_views": "3"},
    )
    assert response.status_code == 422 and "chưa có giấy tờ nào để chia sẻ" in html_of(response)
    assert not Share.objects.exists()


def test_no_share_while_the_owner_restricts_processing(world, passport):
    services.submit_rights_request(subject=world.owner, kind="restriction", details="")
    response = client_for(world.owner).post(
        "/wallet/shares/",
        {"documents": [passport.pk], "recipient": BANK, "purpose": LOAN, "valid_days": "7", "max_views": "3"},
    )
    html = html_of(response)
    assert response.status_code == 409 and 'role="alert"' in html and "hạn chế xử lý dữ liệu" in html
    assert f'value="{BANK}"' in html and not Share.objects.exists()


def test_each_share_says_where_it_stands(world, passport):
    open_share, _ = share_of(world, passport)
    revoked, _ = share_of(world, passport)
    services.revoke_share(owner=world.owner, share_id=revoked.pk)
    share_of(world, passport, valid_days=1, now=timezone.now() - dt.timedelta(days=2))
    used_up, used_code = share_of(world, passport, max_views=1)
    services.open_share(code=used_code)
    html = html_of(client_for(world.owner).get("/wallet/shares/"))
    for status in ("Đang hiệu lực", "Đã thu hồi", "Đã hết hạn", "Đã hết lượt xem"):
        assert status in html
    assert "Đã xem 1/1 lần" in html and "Lượt truy cập: 1" in html
    assert html.count("/revoke/") == 3  # every share not yet revoked


# ----- the recipient's page ------------------------------------------------------------------------------------------


def test_a_recipient_opens_a_share(world, certificate, passport):
    share, code = share_of(world, certificate, passport)
    bank = anonymous()
    waiting = bank.get(f"/shares/{code}/")
    html = html_of(waiting)
    assert waiting.status_code == 200 and waiting["Referrer-Policy"] == "same-origin"
    assert "no-store" in waiting["Cache-Control"]
    assert "Xem giấy tờ" in html and f'action="/shares/{code}/"' in html
    for secret in (world.owner.full_name, certificate.title, passport.title, BANK, LOAN):
        assert secret not in html  # the link alone reveals only that a share awaits
    share.refresh_from_db()
    assert share.views == 0 and not AccessRecord.objects.exists()

    opened = bank.post(f"/shares/{code}/")
    html = html_of(opened)
    assert opened.status_code == 200 and opened["Referrer-Policy"] == "same-origin"
    assert "no-store" in opened["Cache-Control"]
    assert world.owner.full_name in html and BANK in html and LOAN in html
    assert "<dt>Số lần xem còn lại</dt><dd>2</dd>" in html
    assert certificate.title in html and f"Đã xác thực bởi {world.agency.name}" in html
    assert f'href="/verify/{certificate.issued_reference}/"' in html and "<dd>Nguyễn Văn An</dd>" in html
    assert passport.title in html and "Bản do chủ sở hữu tải lên, chưa được xác thực" in html
    assert world.owner.citizen_id not in html
    share.refresh_from_db()
    assert share.views == 1

    # The files, for a while after the view; each download is logged too.
    link = f"/shares/{code}/documents/{certificate.pk}/"
    assert f'href="{link}"' in html and f'href="/shares/{code}/documents/{passport.pk}/"' in html
    file = bank.get(link)
    assert file.status_code == 200 and b"".join(file.streaming_content) == PDF_BYTES
    assert file["Referrer-Policy"] == "same-origin"
    assert bank.get(f"/shares/{code}/documents/{uuid.uuid4()}/").status_code == 404
    _unviewed, other_code = share_of(world, passport)
    assert bank.get(link.replace(code, other_code)).status_code == 404  # never before a view
    assert AccessRecord.objects.filter(share=share).count() == 3


def test_opening_a_share_logs_one_access_per_document_on_the_owners_log(world, certificate, passport):
    _share, code = share_of(world, certificate, passport)
    anonymous().post(f"/shares/{code}/")
    assert AccessRecord.objects.filter(subject=world.owner, accessor_kind=AccessorKind.SHARE).count() == 2
    html = html_of(client_for(world.owner).get("/wallet/access-log/"))
    assert "2 lượt truy cập" in html
    assert f"Xem giấy tờ được chia sẻ: {certificate.title}" in html
    assert f"Xem giấy tờ được chia sẻ: {passport.title}" in html
    assert html.count(f"<td>{BANK}") == 2 and html.count(f"<td>{LOAN}</td>") == 2
    assert html.count("<td>Bên nhận chia sẻ</td>") == 2
    assert "Chưa có ai truy cập" not in html_of(client_for(world.owner).get("/wallet/access-log/"))
    assert "Chưa có ai truy cập" in html_of(client_for(world.other_citizen).get("/wallet/access-log/"))


TWO_HOURS_AGO = dt.timedelta(hours=2)


def _expired(world, document):
    return share_of(world, document, valid_days=7, now=timezone.now() - dt.timedelta(days=8))


def _revoked(world, document):
    share, code = share_of(world, document)
    services.open_share(code=code)
    services.revoke_share(owner=world.owner, share_id=share.pk)
    return share, code


def _used_up(world, document):
    share, code = share_of(world, document, max_views=2)
    services.open_share(code=code, now=timezone.now() - TWO_HOURS_AGO)
    services.open_share(code=code, now=timezone.now() - TWO_HOURS_AGO)  # the last view, long enough ago
    return share, code


def _restricted(world, document):
    share, code = share_of(world, document)
    services.open_share(code=code)
    services.submit_rights_request(subject=world.owner, kind="restriction", details="")
    return share, code


def _emptied(world, document):
    copy = services.add_uploaded_document(owner=world.owner, upload=pdf(), title="Bản sao tạm", document_type=None)
    share, code = share_of(world, copy)
    services.remove_uploaded_document(owner=world.owner, document_id=copy.pk)
    return share, code


@pytest.mark.parametrize(
    "make", [_expired, _revoked, _used_up, _restricted, _emptied], ids=lambda make: make.__name__[1:]
)
def test_an_unavailable_share_reveals_nothing(world, certificate, make):
    share, code = make(world, certificate)
    views = Share.objects.get(pk=share.pk).views
    bank = anonymous()
    responses = [
        bank.get(f"/shares/{code}/"),
        bank.post(f"/shares/{code}/"),
        bank.get(f"/shares/{code}/documents/{certificate.pk}/"),
    ]
    for response in responses:
        html = html_of(response)
        assert response.status_code == 404 and "Không tìm thấy trang" in html
        assert response["Referrer-Policy"] == "same-origin" and "no-store" in response["Cache-Control"]
        assert world.owner.full_name not in html and certificate.title not in html and BANK not in html
    assert Share.objects.get(pk=share.pk).views == views
    assert not AccessRecord.objects.filter(share=share, what__startswith="Tải tệp").exists()


def test_the_last_view_may_still_download_for_a_while(world, certificate):
    share, code = share_of(world, certificate, max_views=1)
    bank = anonymous()
    html = html_of(bank.post(f"/shares/{code}/"))
    assert "<dt>Số lần xem còn lại</dt><dd>0</dd>" in html
    assert bank.get(download_link(html)).status_code == 200
    assert bank.get(f"/shares/{code}/").status_code == 404


def test_an_unknown_code_is_the_same_404(world):
    bank = anonymous()
    for path in ("/shares/ABCD-EFGH-JKMN/", "/shares/khong-phai-ma/"):
        assert bank.get(path).status_code == 404
        assert bank.post(path).status_code == 404


def test_codes_cannot_be_tried_out(world, settings, passport):
    """Failed codes count against the address, as failed dossier lookups do (and the API's share view)."""
    settings.MOTCUA_LOOKUP_FAILURES_PER_IP = 3
    _share, code = share_of(world, passport)
    bank = anonymous()
    assert bank.get("/shares/ABCD-EFGH-JKM0/").status_code == 404
    assert bank.post("/shares/ABCD-EFGH-JKM1/").status_code == 404
    locked = bank.get("/shares/ABCD-EFGH-JKM2/")
    assert locked.status_code == 429 and "quá nhiều lần" in html_of(locked)
    still = bank.get(f"/shares/{code}/")  # even the right code, until the lock ends
    assert still.status_code == 429 and "Xem giấy tờ" not in html_of(still)
    assert Share.objects.get(pk=_share.pk).views == 0


def test_the_recipient_types_a_code(world, passport):
    _share, code = share_of(world, passport)
    bank = anonymous()
    page = bank.get("/shares/")
    assert page.status_code == 200 and 'name="code"' in html_of(page) and page["Referrer-Policy"] == "same-origin"
    typed = code.replace("-", " ").lower().replace("0", "o").replace("1", "l")
    response = bank.post("/shares/", {"code": typed})
    assert response.status_code == 302 and response["Location"] == f"/shares/{code}/"
    assert bank.get(response["Location"]).status_code == 200
    response = bank.post("/shares/", {"code": "ABC-123"})
    html = html_of(response)
    assert response.status_code == 422 and 'value="ABC-123"' in html
    assert '<p class="field-error" id="share-code-error">' in html and 'aria-invalid="true"' in html


# ----- the access log ----------------------------------------------------------------------------------------------


def _log(world, count: int, *, first: int = 0) -> None:
    for index in range(first, first + count):
        services.record_access(
            subject=world.owner, accessor_kind=AccessorKind.OFFICER, accessor=world.reception,
            accessor_name=world.reception.full_name, accessor_agency=world.agency,
            what=f"Xem hồ sơ số {index}", reference=f"H17.20.194-261123-{index:04d}", purpose="Giải quyết hồ sơ",
            at=at(2026, 11, 23, 9) + dt.timedelta(minutes=index),
        )  # fmt: skip


def queries_of(request) -> int:
    request()  # warm-up: caches filled once are not counted
    with CaptureQueriesContext(connection) as captured:
        request()
    return len(captured)


def test_the_access_log_costs_the_same_for_1_or_50_records(world):
    owner = client_for(world.owner)
    _log(world, 1)
    one = queries_of(lambda: owner.get("/wallet/access-log/"))
    _log(world, 49, first=1)
    html = html_of(owner.get("/wallet/access-log/"))
    assert "Xem hồ sơ số 49" in html and "Xem hồ sơ số 0" in html and html.count(world.agency.name) == 50
    assert queries_of(lambda: owner.get("/wallet/access-log/")) == one


def test_the_access_log_pages_by_50(world):
    _log(world, 51)
    owner = client_for(world.owner)
    first = html_of(owner.get("/wallet/access-log/"))
    assert "51 lượt truy cập" in first and "Trang 1 / 2" in first and "Xem hồ sơ số 50" in first
    assert "Xem hồ sơ số 0<" not in first and "09:50 23/11/2026" in first
    second = html_of(owner.get("/wallet/access-log/?page=2"))
    assert "Xem hồ sơ số 0<" in second and "Xem hồ sơ số 50" not in second
    assert "Cán bộ cơ quan nhà nước" in second and "Giải quyết hồ sơ" in second


def test_the_documents_and_shares_pages_cost_the_same_for_1_or_6(world, passport):
    owner = client_for(world.owner)
    share_of(world, passport)
    few = {path: queries_of(lambda path=path: owner.get(path)) for path in ("/wallet/", "/wallet/shares/")}
    for index in range(5):
        copy = services.add_uploaded_document(
            owner=world.owner, upload=pdf(f"ban-sao-{index}.pdf"), title=f"Bản sao {index}", document_type=None
        )
        _share, code = share_of(world, copy, passport)
        services.open_share(code=code)
    html = html_of(owner.get("/wallet/shares/"))
    assert html.count("/revoke/") == 6 and "Bản sao 4" in html
    for path, count in few.items():
        assert queries_of(lambda path=path: owner.get(path)) == count, path
