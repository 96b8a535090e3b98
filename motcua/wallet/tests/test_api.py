"""The wallet API for the owner, another citizen, an officer, an anonymous caller, and a share's recipient: who
sees what, one error format in both languages, shares that reveal nothing once they end, and list endpoints
whose query counts do not grow with their rows."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.accounts.tokens import issue_token
from motcua.catalog.models import DocumentType
from motcua.dossiers.tests.factories import PDF_BYTES, pdf
from motcua.portal.tests.conftest import client_for, world  # noqa: F401  (fixture)
from motcua.wallet import services
from motcua.wallet.models import (
    AccessorKind,
    AccessRecord,
    RightsRequest,
    RightsRequestKind,
    RightsRequestStatus,
    Share,
    WalletDocument,
)

OWNER_NAME = "Nguyễn Thị Hoa"


@pytest.fixture(autouse=True)
def empty_cache():
    # The share view shares the lookup's throttle, which lives in the cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def birth_type(db) -> DocumentType:
    return DocumentType.objects.update_or_create(
        code="giay-khai-sinh", defaults={"name": "Giấy khai sinh", "name_en": "Birth certificate"}
    )[0]


def issued(world, birth_type, owner=None, title: str = "Giấy khai sinh bản chính") -> WalletDocument:  # noqa: F811
    owner = owner or world.owner
    return services.add_issued_document(
        owner=owner, document=world.upload(owner), title=title, data={"so": "123/2026", "ho_ten": "Nguyễn Văn An"},
        issuer=world.agency, reference=str(uuid.uuid4()), issued_at=timezone.now(), document_type=birth_type,
    )  # fmt: skip


def uploaded(owner, title: str = "Bản sao hộ chiếu") -> WalletDocument:
    return services.add_uploaded_document(owner=owner, upload=pdf(), title=title, document_type=None)


def share_of(owner, documents, **overrides) -> tuple[Share, str]:
    arguments = {"recipient": "Ngân hàng ABC", "purpose": "Mở tài khoản", "valid_days": 7, "max_views": 3}
    return services.create_share(
        owner=owner, document_ids=[str(document.pk) for document in documents], **(arguments | overrides)
    )


def who(world, name):  # noqa: F811
    return getattr(world, name) if name else None


# ----- documents ---------------------------------------------------------------------------------------------


def test_the_owner_lists_reads_and_downloads_their_documents(world, birth_type):  # noqa: F811
    certificate = issued(world, birth_type)
    passport = uploaded(world.owner)
    uploaded(world.other_citizen, title="Giấy tờ của người khác")
    owner = client_for(world.owner)
    page = owner.get("/api/v1/wallet/documents").json()
    assert page["count"] == 2 and page["page"] == 1 and page["pages"] == 1 and page["page_size"] == 20
    first, second = page["items"]
    assert first["id"] == str(certificate.pk) and second["id"] == str(passport.pk)  # issued ones first
    assert first["kind"] == "issued" and first["verified"] is True and first["revoked_at"] is None
    assert first["document_type"] == {"code": "giay-khai-sinh", "name": "Giấy khai sinh"}
    assert first["issuer"] == {"identifier": "H17.20.194", "name": "Ủy ban nhân dân Phường Hải Châu"}
    assert first["data"]["so"] == "123/2026" and first["issued_at"] is not None
    assert second["kind"] == "uploaded" and second["verified"] is False and second["issuer"] is None
    assert second["file"]["content_type"] == "application/pdf" and second["file"]["size"] == len(PDF_BYTES)
    english = owner.get("/api/v1/wallet/documents", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["items"][0]["document_type"]["name"] == "Birth certificate"

    detail = owner.get(f"/api/v1/wallet/documents/{certificate.pk}")
    assert detail.status_code == 200 and detail.json() == first
    download = owner.get(first["file"]["url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF_BYTES
    assert download["Content-Type"] == "application/pdf" and download["Cache-Control"] == "private, no-store"


def test_documents_are_paginated_without_overlap(world):  # noqa: F811
    for n in range(5):
        uploaded(world.owner, title=f"Giấy tờ {n}")
    owner = client_for(world.owner)
    pages = [owner.get("/api/v1/wallet/documents", {"page": n, "page_size": 2}).json() for n in (1, 2, 3)]
    assert [page["pages"] for page in pages] == [3, 3, 3] and pages[0]["count"] == 5
    ids = [item["id"] for page in pages for item in page["items"]]
    assert len(ids) == 5 == len(set(ids))
    assert owner.get("/api/v1/wallet/documents", {"page_size": 1000}).status_code == 422


def test_uploading_a_document_through_the_api(world, birth_type):  # noqa: F811
    owner = client_for(world.owner)
    response = owner.post(
        "/api/v1/wallet/documents", {"title": " Giấy khai sinh (bản sao) ", "document_type": "giay-khai-sinh",
                                     "file": pdf("khai-sinh.pdf")},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "uploaded" and body["verified"] is False and body["title"] == "Giấy khai sinh (bản sao)"
    assert body["document_type"]["code"] == "giay-khai-sinh" and body["file"]["name"] == "khai-sinh.pdf"
    entry = WalletDocument.objects.get(pk=body["id"])
    assert entry.owner == world.owner and entry.document.owner == world.owner


@pytest.mark.parametrize(
    "language, top, type_message, title_message",
    [
        (
            "vi", "Giấy tờ chưa hợp lệ; hãy sửa các mục được đánh dấu.", "Không có loại giấy tờ mã khong-co.",
            "Hãy nhập tên giấy tờ.",
        ),
        (
            "en", "The document is not valid; correct the marked fields.", "There is no document type with code "
            "khong-co.", "Enter the document's name.",
        ),
    ],
)  # fmt: skip
def test_upload_errors_are_per_field_in_the_callers_language(world, language, top, type_message, title_message):  # noqa: F811
    owner = client_for(world.owner)
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    unknown = owner.post(
        "/api/v1/wallet/documents", {"title": "Giấy tờ", "document_type": "khong-co", "file": pdf()}, **headers
    )
    assert unknown.status_code == 422
    assert unknown.json() == {
        "error": {"code": "invalid", "message": top, "details": [{"field": "document_type", "message": type_message}]}
    }
    untitled = owner.post("/api/v1/wallet/documents", {"title": "  ", "file": pdf()}, **headers)
    assert untitled.status_code == 422
    assert untitled.json()["error"]["details"] == [{"field": "title", "message": title_message}]
    no_file = owner.post("/api/v1/wallet/documents", {"title": "Giấy tờ"}, **headers)
    assert no_file.status_code == 422 and no_file.json()["error"]["details"][0]["field"].endswith("file")
    assert not WalletDocument.objects.exists()


def test_an_upload_is_checked_by_its_content(world):  # noqa: F811
    response = client_for(world.owner).post(
        "/api/v1/wallet/documents", {"title": "Giấy tờ", "file": pdf("x.pdf", b"MZ\x90\x00 not a pdf")}
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "file"
    assert not WalletDocument.objects.exists()


@pytest.mark.parametrize(
    "name, status", [("owner", 200), ("other_citizen", 404), ("reception", 404), ("other_officer", 404), (None, 401)]
)
def test_wallet_document_api_checks_ownership(world, birth_type, name, status):  # noqa: F811
    document = issued(world, birth_type)
    client = client_for(who(world, name))
    for url in (f"/api/v1/wallet/documents/{document.pk}", f"/api/v1/wallet/documents/{document.pk}/file"):
        response = client.get(url)
        assert response.status_code == status, url
        if status != 200:
            assert "error" in response.json() and "Giấy khai sinh" not in response.content.decode()


def test_guessing_ids_reveals_nothing(world, birth_type):  # noqa: F811
    theirs = issued(world, birth_type, owner=world.other_citizen)
    their_share, _code = share_of(world.other_citizen, [theirs])
    client = client_for(world.owner)
    for suffix in ("", "/file"):
        bodies = {
            client.get(f"/api/v1/wallet/documents/{guess}{suffix}").content
            for guess in (theirs.pk, uuid.uuid4(), "khong-phai-uuid")
        }
        assert len(bodies) == 1, bodies  # another's, a random one and a malformed one answer alike
        assert b"not_found" in bodies.pop()
    revokes = {
        client.post(f"/api/v1/wallet/shares/{guess}/revoke").content
        for guess in (their_share.pk, uuid.uuid4(), "khong-phai-uuid")
    }
    assert len(revokes) == 1 and b"not_found" in revokes.pop()
    their_share.refresh_from_db()
    assert their_share.revoked_at is None


def test_officers_have_no_wallet(world, birth_type):  # noqa: F811
    issued(world, birth_type)
    officer = client_for(world.reception)
    for url in ("/api/v1/wallet/documents", "/api/v1/wallet/shares", "/api/v1/wallet/access-log"):
        response = officer.get(url)
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found", url
    assert officer.post("/api/v1/wallet/documents", {"title": "Giấy tờ", "file": pdf()}).status_code == 404
    assert not WalletDocument.objects.filter(owner=world.reception).exists()


def test_a_bearer_token_reaches_the_wallet(world, birth_type):  # noqa: F811
    issued(world, birth_type)
    _row, token = issue_token(user=world.owner, name="ứng dụng di động")
    client = Client(enforce_csrf_checks=True)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/v1/wallet/documents", **headers).json()["count"] == 1
    created = client.post("/api/v1/wallet/documents", {"title": "Hộ chiếu", "file": pdf()}, **headers)
    assert created.status_code == 201  # no CSRF for a bearer token
    assert client.get("/api/v1/wallet/documents").status_code == 401


# ----- shares ----------------------------------------------------------------------------------------------------


def test_a_share_made_and_opened_through_the_api(world, birth_type, settings):  # noqa: F811
    settings.MOTCUA_SITE_URL = "https://dichvucong.example.vn"
    certificate = issued(world, birth_type)
    passport = uploaded(world.owner)
    owner = client_for(world.owner)
    payload = {
        "documents": [str(certificate.pk), str(passport.pk)], "recipient": "Ngân hàng ABC",
        "purpose": "Mở tài khoản thanh toán", "valid_days": 7, "max_views": 2,
    }  # fmt: skip
    response = owner.post("/api/v1/wallet/shares", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    created = response.json()
    code = created["code"]
    assert created["url"] == f"https://dichvucong.example.vn/shares/{code}/" and created["max_views"] == 2

    listed = owner.get("/api/v1/wallet/shares").json()
    assert listed["count"] == 1 and code not in str(listed)
    item = listed["items"][0]
    assert item["id"] == created["id"] and item["status"] == "open" and item["status_label"] == "Đang hiệu lực"
    assert sorted(item["documents"]) == sorted([str(certificate.pk), str(passport.pk)])
    assert item["views"] == 0 and item["access_count"] == 0 and item["hint"] == code.replace("-", "")[-4:]

    opened = Client().get(f"/api/v1/shares/{code.lower()}")  # typed by hand: case does not matter
    assert opened.status_code == 200, opened.content
    assert opened["Cache-Control"] == "no-store"
    shared = opened.json()
    assert shared["owner_name"] == OWNER_NAME and shared["recipient"] == "Ngân hàng ABC"
    assert shared["views_left"] == 1 and len(shared["documents"]) == 2
    by_title = {document["title"]: document for document in shared["documents"]}
    verified = by_title["Giấy khai sinh bản chính"]
    assert verified["verified"] is True and verified["revoked"] is False
    assert verified["issuer"]["identifier"] == "H17.20.194" and verified["data"]["so"] == "123/2026"
    assert verified["verification_url"] == f"https://dichvucong.example.vn/verify/{certificate.issued_reference}/"
    own_copy = by_title["Bản sao hộ chiếu"]
    assert own_copy["verified"] is False and own_copy["verification_url"] is None
    assert "048190001234" not in opened.content.decode()  # the owner's citizen id is never shown

    log = owner.get("/api/v1/wallet/access-log").json()
    assert log["count"] == 2
    assert {record["accessor_kind"] for record in log["items"]} == {"api"}
    assert {record["reference"] for record in log["items"]} == {str(certificate.pk), str(passport.pk)}
    assert log["items"][0]["accessor_name"] == "Ngân hàng ABC" and log["items"][0]["purpose"] == payload["purpose"]
    item = owner.get("/api/v1/wallet/shares").json()["items"][0]
    assert item["views"] == 1 and item["access_count"] == 2


def test_the_access_log_is_newest_first(world, birth_type):  # noqa: F811
    document = issued(world, birth_type)
    start = timezone.now() - dt.timedelta(days=3)
    for day, what in enumerate(["cũ nhất", "giữa", "mới nhất"]):
        services.record_access(
            subject=world.owner, accessor_kind=AccessorKind.OFFICER, accessor_name="Cán bộ", what=what,
            reference=str(document.pk), purpose="Giải quyết hồ sơ", accessor=world.reception,
            accessor_agency=world.agency, at=start + dt.timedelta(days=day),
        )  # fmt: skip
    log = client_for(world.owner).get("/api/v1/wallet/access-log", {"page_size": 2}).json()
    assert [record["what"] for record in log["items"]] == ["mới nhất", "giữa"] and log["pages"] == 2
    assert log["items"][0]["agency"] == {"identifier": "H17.20.194", "name": "Ủy ban nhân dân Phường Hải Châu"}
    assert client_for(world.other_citizen).get("/api/v1/wallet/access-log").json()["count"] == 0


def unavailable_share(world, birth_type, how: str) -> str:  # noqa: F811
    """A share's code that no longer opens, for `how` it ended; or a code that never opened anything."""
    documents = [issued(world, birth_type), uploaded(world.owner)]
    if how == "unknown":
        return "ABCD-EFGH-JKMN"
    if how == "malformed":
        return "khong-phai-ma"
    if how == "expired":
        return share_of(world.owner, documents, valid_days=1, now=timezone.now() - dt.timedelta(days=2))[1]
    share, code = share_of(world.owner, documents, max_views=1)
    if how == "revoked":
        services.revoke_share(owner=world.owner, share_id=share.pk)
    elif how == "used_up":
        services.open_share(code=code)
    elif how == "restricted":  # the owner restricted processing (the share itself is still unrevoked)
        now = timezone.now()
        RightsRequest.objects.create(
            subject=world.owner, kind=RightsRequestKind.RESTRICTION, status=RightsRequestStatus.DONE,
            submitted_at=now, due_at=now + dt.timedelta(hours=72), closed_at=now,
        )  # fmt: skip
    return code


@pytest.mark.parametrize("how", ["unknown", "malformed", "expired", "revoked", "used_up", "restricted"])
def test_a_share_that_ended_reveals_nothing(world, birth_type, how):  # noqa: F811
    code = unavailable_share(world, birth_type, how)
    accesses = AccessRecord.objects.count()
    response = Client().get(f"/api/v1/shares/{code}")
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": "not_found", "message": "Mã chia sẻ không đúng, đã hết hạn hoặc đã bị thu hồi.", "details": []
        }
    }  # fmt: skip
    text = response.content.decode()
    assert OWNER_NAME not in text and "Giấy khai sinh" not in text and "hộ chiếu" not in text
    assert response["Cache-Control"] == "no-store"
    assert AccessRecord.objects.count() == accesses  # nothing was read, so nothing is logged
    english = Client().get(f"/api/v1/shares/{code}", HTTP_ACCEPT_LANGUAGE="en").json()["error"]["message"]
    assert english == "The share code is wrong, has expired or was revoked."


def test_the_owner_sees_why_a_share_no_longer_opens(world, birth_type):  # noqa: F811
    for how in ("expired", "revoked", "used_up"):
        unavailable_share(world, birth_type, how)
    statuses = {item["status"] for item in client_for(world.owner).get("/api/v1/wallet/shares").json()["items"]}
    assert statuses == {"expired", "revoked", "used_up"}


def test_revoking_a_share_through_the_api(world, birth_type):  # noqa: F811
    share, code = share_of(world.owner, [issued(world, birth_type)])
    owner = client_for(world.owner)
    response = owner.post(f"/api/v1/wallet/shares/{share.pk}/revoke")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "revoked" and body["revoked_at"] is not None and body["documents"]
    again = owner.post(f"/api/v1/wallet/shares/{share.pk}/revoke")
    assert again.status_code == 200 and again.json()["revoked_at"] == body["revoked_at"]
    assert Client().get(f"/api/v1/shares/{code}").status_code == 404


@pytest.mark.parametrize(
    "name, status", [("owner", 200), ("other_citizen", 404), ("reception", 404), ("other_officer", 404), (None, 401)]
)
def test_share_revoke_checks_ownership(world, birth_type, name, status):  # noqa: F811
    share, _code = share_of(world.owner, [issued(world, birth_type)])
    response = client_for(who(world, name)).post(f"/api/v1/wallet/shares/{share.pk}/revoke")
    assert response.status_code == status
    share.refresh_from_db()
    assert (share.revoked_at is not None) == (status == 200)
    if status != 200:
        assert "Ngân hàng ABC" not in response.content.decode()


@pytest.mark.parametrize("name, status", [("other_citizen", 200), ("reception", 404), (None, 401)])
def test_only_applicants_list_their_own_shares(world, birth_type, name, status):  # noqa: F811
    share_of(world.owner, [issued(world, birth_type)])
    response = client_for(who(world, name)).get("/api/v1/wallet/shares")
    assert response.status_code == status
    if status == 200:
        assert response.json()["count"] == 0


@pytest.mark.parametrize(
    "language, top, messages",
    [
        ("vi", "Chưa chia sẻ được; hãy sửa các mục được đánh dấu.", {
            "documents": "Hãy chọn giấy tờ trong kho dữ liệu của bạn để chia sẻ.",
            "recipient": "Hãy nhập tên bên nhận.",
            "valid_days": "Thời hạn chia sẻ từ 1 đến 90 ngày.",
            "max_views": "Số lần xem từ 1 đến 100.",
        }),
        ("en", "Nothing was shared; correct the marked fields.", {
            "documents": "Choose documents from your data warehouse to share.",
            "recipient": "Enter the recipient's name.",
            "valid_days": "A share lasts from 1 to 90 days.",
            "max_views": "The number of views is from 1 to 100.",
        }),
    ],
)  # fmt: skip
def test_share_errors_are_per_field_in_the_callers_language(world, birth_type, language, top, messages):  # noqa: F811
    theirs = issued(world, birth_type, owner=world.other_citizen)
    payload = {"documents": [str(theirs.pk)], "recipient": " ", "purpose": "Mở tài khoản", "valid_days": 0,
               "max_views": 101}  # fmt: skip
    response = client_for(world.owner).post(
        "/api/v1/wallet/shares", payload, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid" and error["message"] == top
    assert {detail["field"]: detail["message"] for detail in error["details"]} == messages
    assert not Share.objects.exists()
    malformed = client_for(world.owner).post(
        "/api/v1/wallet/shares", {"documents": "x", "valid_days": "many"}, content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )  # fmt: skip
    assert malformed.status_code == 422
    # The shared handler names a body field by its path ("payload.documents"): that part is core/api_errors.py's.
    fields = {detail["field"].rsplit(".", 1)[-1] for detail in malformed.json()["error"]["details"]}
    assert {"documents", "recipient", "valid_days"} <= fields


def test_the_share_view_shares_the_lookups_throttle(world, birth_type, settings):  # noqa: F811
    settings.MOTCUA_LOOKUP_FAILURES_PER_IP = 3
    _share, code = share_of(world.owner, [issued(world, birth_type)])
    visitor = Client(REMOTE_ADDR="203.0.113.7")
    for guess in ("AAAA-AAAA-AAAA", "BBBB-BBBB-BBBB"):
        assert visitor.get(f"/api/v1/shares/{guess}").status_code == 404
    locked = visitor.get("/api/v1/shares/CCCC-CCCC-CCCC")
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "too_many_attempts"
    # While locked, even the right code is refused, and no view is counted; another address is not locked.
    assert visitor.get(f"/api/v1/shares/{code}").status_code == 429
    assert Share.objects.get().views == 0
    assert Client(REMOTE_ADDR="203.0.113.8").get(f"/api/v1/shares/{code}").status_code == 200


# ----- query counts ------------------------------------------------------------------------------------------


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured)


def test_list_query_counts_do_not_grow_with_rows(world, birth_type):  # noqa: F811
    owner = client_for(world.owner)
    urls = ("/api/v1/wallet/documents", "/api/v1/wallet/shares", "/api/v1/wallet/access-log")

    def add_rows(count: int) -> None:
        for n in range(count):
            document = issued(world, birth_type) if n % 2 else uploaded(world.owner)
            _share, code = share_of(world.owner, [document])
            services.open_share(code=code)

    add_rows(1)
    counts_for_one = [queries_for(owner, url) for url in urls]
    add_rows(4)
    assert client_for(world.owner).get(urls[0]).json()["count"] == 5
    assert [queries_for(owner, url) for url in urls] == counts_for_one, counts_for_one


def test_a_share_retried_with_its_idempotency_key_is_made_once(world, birth_type):  # noqa: F811
    """A retry (the first answer lost) returns the same share and code; the key reused otherwise is refused."""
    certificate = issued(world, birth_type)
    owner = client_for(world.owner)
    payload = {"documents": [str(certificate.pk)], "recipient": "Ngân hàng ABC", "purpose": "Mở tài khoản",
               "valid_days": 7, "max_views": 2}  # fmt: skip
    headers = {"HTTP_IDEMPOTENCY_KEY": "share-2026-12-04-0001"}
    first = owner.post("/api/v1/wallet/shares", payload, content_type="application/json", **headers)
    again = owner.post("/api/v1/wallet/shares", payload, content_type="application/json", **headers)
    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert again.json()["id"] == first.json()["id"] and again.json()["code"] == first.json()["code"]
    assert Share.objects.filter(owner=world.owner).count() == 1
    assert Client().get(f"/api/v1/shares/{first.json()['code']}").status_code == 200  # the code opens it

    other = {**payload, "recipient": "Ngân hàng XYZ"}
    refused = owner.post("/api/v1/wallet/shares", other, content_type="application/json", **headers)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "not_allowed"
    # Keys are the owner's own: another citizen's same key makes her own share, with another code.
    theirs = issued(world, birth_type, owner=world.other_citizen)
    mine = client_for(world.other_citizen).post(
        "/api/v1/wallet/shares", {**payload, "documents": [str(theirs.pk)]}, content_type="application/json", **headers
    )
    assert mine.status_code == 201 and mine.json()["code"] != first.json()["code"]
    assert Share.objects.count() == 2
    malformed = owner.post("/api/v1/wallet/shares", payload, content_type="application/json",
                           HTTP_IDEMPOTENCY_KEY="no spaces allowed")  # fmt: skip
    assert malformed.status_code == 422 and Share.objects.count() == 2
