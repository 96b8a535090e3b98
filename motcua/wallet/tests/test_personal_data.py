"""The data subject's download of everything held on them, and erasure of what the law lets go (services level).

Nguyễn Thị Hoa and Trần Văn Bình both file birth registrations, keep papers in their warehouses, share them,
are looked at by officers, consent, ask things and get notified. Hoa's download holds every record of hers,
every file byte for byte, and nothing of Bình's; her deletion request removes her uploads, drafts and
notifications at once, keeps what the law keeps, and is all or nothing. The access log refuses every change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction

from motcua.accounts.models import User
from motcua.documents.models import StoredDocument
from motcua.documents.services import store_document
from motcua.dossiers.models import ActionKind, Dossier, DossierAction, DossierComponent, Draft
from motcua.dossiers.services import attach_to_draft, perform_action, record_view, save_draft, submit_dossier
from motcua.dossiers.tests.factories import PDF_BYTES, World, at, build_world
from motcua.notify.models import Notification
from motcua.payments import services as payments
from motcua.payments.models import Bill, Payment
from motcua.signing.queries import result_in_force
from motcua.wallet import services
from motcua.wallet.errors import ShareUnavailable
from motcua.wallet.models import (
    AccessRecord,
    AppendOnlyError,
    Consent,
    RightsRequest,
    RightsRequestKind,
    RightsRequestStatus,
    Share,
    WalletDocument,
    WalletDocumentKind,
)
from motcua.wallet.personal_data import export_archive
from motcua.wallet.signals import erasure_requested

REUSE = "tai-su-dung-du-lieu"
EMAIL = "thong-bao-dien-tu"


@pytest.fixture(autouse=True)
def pki_dir(settings, tmp_path):
    """The approval signs the result: keys and certificates of a test live in its own directory."""
    settings.MOTCUA_PKI_DIR = tmp_path / "pki"
    settings.MOTCUA_SIGNING_PKCS12 = ""
    settings.MOTCUA_SIGNING_TRUST_ROOTS = []


@pytest.fixture
def world(db, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_PAYMENT_GATEWAYS = ["sandbox"]
    settings.MOTCUA_SANDBOX_GATEWAY_SECRET = "sandbox-secret-for-tests"
    return build_world()


def tagged_pdf(name: str, tag: str) -> SimpleUploadedFile:
    """A valid PDF whose bytes (and so digest) are its own: `tag` is written in a comment line."""
    body = PDF_BYTES.replace(b"%PDF-1.4\n", b"%PDF-1.4\n% " + tag.encode() + b"\n", 1)
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def upload(user: User, tag: str) -> StoredDocument:
    return store_document(owner=user, upload=tagged_pdf(f"{tag}.pdf", tag), created_by=user)


def file_dossier(world: World, user: User, *, tag: str, day: int) -> Dossier:
    files = {
        requirement.pk: [upload(user, f"{tag}-{requirement.position}")]
        for requirement in world.version.components.all()
        if requirement.required
    }
    return submit_dossier(
        applicant=user, version=world.version, agency=world.agency, form_data=world.form, files=files,
        now=at(2026, 11, day, 8, 30),
    )  # fmt: skip


def hand_to_specialist(world: World, dossier: Dossier, *, day: int) -> None:
    perform_action(dossier_code=dossier.code, actor=world.reception, kind=ActionKind.RECEIVE, now=at(2026, 11, day, 9))
    perform_action(
        dossier_code=dossier.code, actor=world.reception, kind=ActionKind.HAND_OFF, assignee=world.specialist,
        now=at(2026, 11, day, 10),
    )  # fmt: skip


@dataclass
class Holdings:
    """Everything one citizen has on the platform after a fortnight of use."""

    user: User
    approved: Dossier  # its signed result is in the warehouse, verified
    paying: Dossier  # waits for its fee, with a payment started
    uploaded: WalletDocument  # a paper of their own
    share: Share
    share_code: str
    draft: Draft
    draft_document: StoredDocument
    bill: Bill
    payment: Payment
    tag: str  # in every file of theirs

    def documents(self) -> list[StoredDocument]:
        return list(StoredDocument.objects.filter(owner=self.user))


def everything_of(world: World, user: User, *, tag: str, day: int) -> Holdings:
    """`user` files two dossiers (one approved, one waiting for its fee), keeps and shares papers, is looked at by an
    officer and by the share's recipient, consents twice (withdrawing once), asks for a correction, and drafts."""
    approved = file_dossier(world, user, tag=f"{tag}-approved", day=day)
    hand_to_specialist(world, approved, day=day)
    perform_action(
        dossier_code=approved.code, actor=world.specialist, kind=ActionKind.HAND_OFF, assignee=world.leader,
        now=at(2026, 11, day + 1, 10),
    )  # fmt: skip
    perform_action(
        dossier_code=approved.code, actor=world.leader, kind=ActionKind.APPROVE, now=at(2026, 11, day + 2, 9)
    )
    record_view(dossier=approved, officer=world.reception, now=at(2026, 11, day + 2, 11))

    paying = file_dossier(world, user, tag=f"{tag}-paying", day=day)
    hand_to_specialist(world, paying, day=day)
    bill = payments.request_payment(dossier_code=paying.code, officer=world.specialist, now=at(2026, 11, day, 11))
    payment, _url = payments.start_payment(bill=bill, gateway_code="sandbox", now=at(2026, 11, day, 12))

    uploaded = services.add_uploaded_document(
        owner=user, upload=tagged_pdf("so-ho-khau.pdf", f"{tag}-own"), title="Sổ hộ khẩu (bản chụp)",
        document_type=None, now=at(2026, 11, day, 13),
    )  # fmt: skip
    issued = WalletDocument.objects.get(owner=user, kind=WalletDocumentKind.ISSUED)
    share, code = services.create_share(
        owner=user, document_ids=[issued.pk, uploaded.pk], recipient=f"Ngân hàng {tag}", purpose="Mở tài khoản",
        valid_days=7, max_views=3, now=at(2026, 11, day + 2, 14),
    )  # fmt: skip
    services.open_share(code=code, now=at(2026, 11, day + 2, 15))

    services.give_consent(subject=user, purpose_code=REUSE, now=at(2026, 11, day, 7))
    email = services.give_consent(subject=user, purpose_code=EMAIL, now=at(2026, 11, day, 7, 5))
    services.withdraw_consent(subject=user, consent_id=email.pk, now=at(2026, 11, day + 1, 7))
    services.submit_rights_request(
        subject=user, kind=RightsRequestKind.CORRECTION, details=f"Sửa số điện thoại ({tag})",
        now=at(2026, 11, day + 1, 8),
    )  # fmt: skip

    draft = save_draft(
        applicant=user, version=world.version, agency=world.agency, form_data={"child_name": f"Bé {tag}"}
    )
    draft_document = upload(user, f"{tag}-draft")
    requirement = world.version.components.order_by("position").first()
    draft = attach_to_draft(draft=draft, applicant=user, requirement_id=requirement.pk, document=draft_document)
    return Holdings(
        user=user, approved=approved, paying=paying, uploaded=uploaded, share=share, share_code=code, draft=draft,
        draft_document=draft_document, bill=bill, payment=payment, tag=tag,
    )  # fmt: skip


@pytest.fixture
def hoa(world) -> Holdings:
    return everything_of(world, world.owner, tag="Hoa-7f3a", day=2)


@pytest.fixture
def binh(world, hoa) -> Holdings:
    return everything_of(world, world.other_citizen, tag="Binh-c91e", day=9)


def read_archive(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        assert opened.testzip() is None
        return {name: opened.read(name) for name in opened.namelist()}


def stored_bytes(document: StoredDocument) -> bytes:
    with document.file.open("rb") as stored:
        return stored.read()


# ----- the download ------------------------------------------------------------------------------------------------


def test_the_download_holds_every_record_of_the_subject(hoa, binh):
    members = read_archive(export_archive(subject=hoa.user, now=at(2026, 11, 20, 9)))
    data = {name.removesuffix(".json"): json.loads(body) for name, body in members.items() if name.endswith(".json")}
    assert set(data) == {
        "README", "profile", "wallet_documents", "shares", "access_log", "consents", "rights_requests", "dossiers",
        "drafts", "notifications", "bills", "payments", "payment_events",
    }  # fmt: skip

    (profile,) = data["profile"]
    assert profile["full_name"] == "Nguyễn Thị Hoa" and profile["citizen_id"] == "048190001234"

    # The warehouse: the signed result (verified) and her own paper; each file byte for byte, under its digest.
    wallet = {entry["kind"]: entry for entry in data["wallet_documents"] if entry["title"] != "Giấy chứng sinh"}
    issued = WalletDocument.objects.get(owner=hoa.user, kind=WalletDocumentKind.ISSUED)
    assert wallet["issued"]["issued_reference"] == str(result_in_force(hoa.approved).pk)
    assert wallet["uploaded"]["title"] == "Sổ hộ khẩu (bản chụp)"
    assert len(data["wallet_documents"]) == WalletDocument.objects.filter(owner=hoa.user).count() == 4
    for entry in data["wallet_documents"]:
        stored = StoredDocument.objects.get(pk=entry["file"]["id"])
        body = members[entry["file"]["archive_path"]]
        assert body == stored_bytes(stored)
        assert hashlib.sha256(body).hexdigest() == entry["file"]["sha256"] == stored.sha256
    assert members[f"files/{issued.document.pk}.pdf"].startswith(b"%PDF")

    (share,) = data["shares"]
    assert share["recipient"] == "Ngân hàng Hoa-7f3a" and share["views"] == 1
    assert sorted(share["documents"]) == sorted([str(issued.pk), str(hoa.uploaded.pk)])

    # Who looked: the share's recipient (once per document) and the reception officer.
    log = data["access_log"]
    assert len(log) == AccessRecord.objects.filter(subject=hoa.user).count() == 3
    assert {entry["accessor_kind"] for entry in log} == {"share", "officer"}
    officer_entry = next(entry for entry in log if entry["accessor_kind"] == "officer")
    assert officer_entry["reference"] == hoa.approved.code
    assert officer_entry["accessor_agency__identifier"] == "H17.20.194"

    consents = {entry["purpose"]: entry for entry in data["consents"]}
    assert consents[REUSE]["withdrawn_at"] is None
    assert dt.datetime.fromisoformat(consents[EMAIL]["withdrawn_at"]) == at(2026, 11, 3, 7)
    assert consents[REUSE]["statement"].startswith("Tôi đồng ý để hệ thống dùng thông tin tài khoản")
    (correction,) = data["rights_requests"]
    assert correction["kind"] == "correction" and correction["details"] == "Sửa số điện thoại (Hoa-7f3a)"

    # Her dossiers, with their log and every component file.
    dossiers = {entry["code"]: entry for entry in data["dossiers"]}
    assert set(dossiers) == {hoa.approved.code, hoa.paying.code}
    approved = dossiers[hoa.approved.code]
    assert approved["applicant_name"] == "Nguyễn Thị Hoa" and approved["form_data"] == {
        "child_name": "Nguyễn Văn An", "birth_date": "2026-11-20", "sex": "nam",
    }  # fmt: skip
    kinds = [action["kind"] for action in approved["actions"]]
    assert kinds == list(
        DossierAction.objects.filter(dossier=hoa.approved).order_by("seq").values_list("kind", flat=True)
    )
    assert {"submit", "receive", "approve", "view"} <= set(kinds)
    assert "actor" not in approved["actions"][0]  # the officers' identities are theirs
    for entry in data["dossiers"]:
        assert len(entry["components"]) == 2
        for component in entry["components"]:
            stored = StoredDocument.objects.get(pk=component["file"]["id"])
            assert members[component["file"]["archive_path"]] == stored_bytes(stored)

    (draft,) = data["drafts"]
    assert draft["form_data"] == {"child_name": "Bé Hoa-7f3a"}
    (draft_file,) = draft["files"]
    assert members[draft_file["archive_path"]] == stored_bytes(hoa.draft_document)

    assert len(data["notifications"]) == Notification.objects.filter(user=hoa.user).count() > 0
    (bill,) = data["bills"]
    assert bill["dossier__code"] == hoa.paying.code and bill["total"] == hoa.bill.total > 0
    assert [line["name"] for line in bill["lines"]] == list(hoa.bill.lines.values_list("name", flat=True))
    (payment,) = data["payments"]
    assert payment["txn_ref"] == hoa.payment.txn_ref and payment["gateway"] == "sandbox"
    assert {event["payment__txn_ref"] for event in data["payment_events"]} <= {hoa.payment.txn_ref}
    assert profile["api_tokens"] == [] and profile["account_claims"] == []  # names and dates only, never a key

    # Every file of hers, and only those: her dossiers', her warehouse's, her draft's.
    files = {name for name in members if name.startswith("files/")}
    assert files == {f"files/{document.pk}.pdf" for document in hoa.documents()}
    assert data["README"]["files"] == len(files) and data["README"]["missing_files"] == []
    assert data["README"]["subject"] == "048190001234"


def test_the_download_holds_nothing_of_another_citizen(hoa, binh):
    members = read_archive(export_archive(subject=hoa.user))
    binh_documents = binh.documents()
    assert len(binh_documents) >= 7  # his dossiers' papers, his signed result, his own paper and his draft's
    markers = [
        "Trần Văn Bình", "048085005678", binh.approved.code, binh.paying.code, binh.tag, binh.payment.txn_ref,
        *(str(document.pk) for document in binh_documents), *(document.sha256 for document in binh_documents),
    ]  # fmt: skip
    for name, body in members.items():
        for marker in markers:
            assert marker.encode() not in body, f"{marker!r} of Trần Văn Bình is in {name}"
        assert body not in {stored_bytes(document) for document in binh_documents}
    # And his download is his: Hoa is not in it either.
    for name, body in read_archive(export_archive(subject=binh.user)).items():
        assert b"048190001234" not in body and "Nguyễn Thị Hoa".encode() not in body, name


def test_a_lost_file_is_named_and_the_rest_still_downloads(hoa):
    hoa.uploaded.document.file.delete(save=False)
    members = read_archive(export_archive(subject=hoa.user))
    readme = json.loads(members["README.json"])
    assert readme["missing_files"] == [f"files/{hoa.uploaded.document.pk}.pdf"]
    assert f"files/{hoa.draft_document.pk}.pdf" in members


# ----- erasure -----------------------------------------------------------------------------------------------------


def counts(user: User) -> dict[str, int]:
    return {
        "uploaded": WalletDocument.objects.filter(owner=user, kind=WalletDocumentKind.UPLOADED).count(),
        "issued": WalletDocument.objects.filter(owner=user, kind=WalletDocumentKind.ISSUED).count(),
        "open shares": Share.objects.filter(owner=user, revoked_at__isnull=True).count(),
        "drafts": Draft.objects.filter(applicant=user).count(),
        "notifications": Notification.objects.filter(user=user).count(),
        "stored documents": StoredDocument.objects.filter(owner=user).count(),
        "dossiers": Dossier.objects.filter(applicant=user).count(),
        "components": DossierComponent.objects.filter(dossier__applicant=user).count(),
        "actions": DossierAction.objects.filter(dossier__applicant=user).count(),
        "accesses": AccessRecord.objects.filter(subject=user).count(),
        "consents": Consent.objects.filter(subject=user).count(),
        "bills": Bill.objects.filter(dossier__applicant=user).count(),
        "payments": Payment.objects.filter(bill__dossier__applicant=user).count(),
        "requests": RightsRequest.objects.filter(subject=user).count(),
    }


def test_a_deletion_request_erases_what_may_go_and_says_what_stays(hoa, binh):
    before, binh_before = counts(hoa.user), counts(binh.user)
    # Her own paper, and the birth certificates her two filings kept in the warehouse for reuse.
    assert before["uploaded"] == 3 and before["open shares"] == 1 and before["drafts"] == 1
    now = at(2026, 11, 20, 9)

    request = services.submit_rights_request(subject=hoa.user, kind=RightsRequestKind.DELETION, details="", now=now)

    after = counts(hoa.user)
    assert after["uploaded"] == after["drafts"] == after["notifications"] == after["open shares"] == 0
    # Her own paper's file and her draft's file were used nowhere else; the dossiers' papers stay with them.
    assert after["stored documents"] == before["stored documents"] - 2
    assert not StoredDocument.objects.filter(pk__in=[hoa.uploaded.document_id, hoa.draft_document.pk]).exists()
    kept = ("issued", "dossiers", "components", "actions", "accesses", "consents", "bills", "payments")
    assert {key: after[key] for key in kept} == {key: before[key] for key in kept}
    assert after["requests"] == before["requests"] + 1
    assert result_in_force(hoa.approved).document.wallet_entry.kind == WalletDocumentKind.ISSUED
    with pytest.raises(ShareUnavailable):
        services.open_share(code=hoa.share_code, now=now)
    hoa.share.refresh_from_db()
    assert hoa.share.revoked_at == now

    request.refresh_from_db()
    assert request.status == RightsRequestStatus.DONE and request.closed_at == now
    assert request.due_at == at(2026, 11, 23, 9)  # 72 hours (RightsRequestRule)
    assert request.outcome["deleted"] == {
        "wallet_uploaded_documents": 3, "shares_revoked": 1, "drafts": 1,
        "notifications": before["notifications"], "stored_files": 2,
    }  # fmt: skip
    assert set(request.outcome["kept"]) == {
        "wallet_issued_documents", "dossiers", "payments", "access_log", "consents", "rights_requests", "account",
    }  # fmt: skip
    assert "Nghị định 45/2020/NĐ-CP" in request.outcome["kept"]["wallet_issued_documents"]

    # Trần Văn Bình's data is untouched.
    assert counts(binh.user) == binh_before

    # What stays is still hers to download.
    members = read_archive(export_archive(subject=hoa.user))
    assert {entry["code"] for entry in json.loads(members["dossiers.json"])} == {hoa.approved.code, hoa.paying.code}
    assert [entry["kind"] for entry in json.loads(members["wallet_documents.json"])] == ["issued"]
    assert json.loads(members["drafts.json"]) == json.loads(members["notifications.json"]) == []


def test_the_outcome_is_stored_in_vietnamese_whatever_the_language_of_the_request(world, hoa):
    from django.utils import translation

    with translation.override("en"):
        request = services.submit_rights_request(subject=hoa.user, kind=RightsRequestKind.DELETION, details="")
    assert request.outcome["kept"]["access_log"] == (
        "Nhật ký truy cập là bằng chứng xử lý dữ liệu; không ai được sửa hay xóa."
    )
    with translation.override("en"):
        assert translation.gettext(request.outcome["kept"]["access_log"]).startswith("The access log")


def test_an_erasure_is_all_or_nothing(hoa):
    """A part fails after the others have deleted their share: nothing is deleted and no request is recorded."""
    before = counts(hoa.user)

    def payments_part_down(sender, **kwargs):
        raise RuntimeError("the payments part is down")

    erasure_requested.connect(payments_part_down, dispatch_uid="test.payments_part_down")
    try:
        with pytest.raises(RuntimeError, match="payments part is down"):
            services.submit_rights_request(subject=hoa.user, kind=RightsRequestKind.DELETION, details="")
    finally:
        erasure_requested.disconnect(dispatch_uid="test.payments_part_down")
    assert counts(hoa.user) == before
    hoa.uploaded.refresh_from_db()
    assert Draft.objects.filter(pk=hoa.draft.pk).exists()
    assert services.open_share(code=hoa.share_code, now=at(2026, 11, 5, 9))[0] == hoa.share


# ----- the access log is append-only ---------------------------------------------------------------------------------


@pytest.fixture
def access(world) -> AccessRecord:
    return services.record_access(
        subject=world.owner, accessor_kind="officer", accessor_name="Tiepnhan", accessor=world.reception,
        accessor_agency=world.agency, what="Hồ sơ H17.20.194-261102-0001", reference="H17.20.194-261102-0001",
        purpose="Giải quyết hồ sơ", at=at(2026, 11, 2, 9),
    )  # fmt: skip


def test_the_access_log_refuses_changes_through_the_orm(access):
    records = AccessRecord.objects.filter(pk=access.pk)
    with pytest.raises(AppendOnlyError):
        records.update(purpose="Không có gì")
    with pytest.raises(AppendOnlyError):
        records.delete()
    access.purpose = "Không có gì"
    with pytest.raises(AppendOnlyError):
        access.save()
    with pytest.raises(AppendOnlyError):
        access.delete()
    assert AccessRecord.objects.get(pk=access.pk).purpose == "Giải quyết hồ sơ"


def test_the_database_refuses_a_raw_update_of_the_access_log(access):
    # SQLite's trigger aborts (IntegrityError), PostgreSQL's raises (InternalError): both DatabaseErrors.
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE wallet_accessrecord SET purpose = %s WHERE id = %s", ["Không có gì", access.pk])
    assert AccessRecord.objects.get(pk=access.pk).purpose == "Giải quyết hồ sơ"


def test_the_database_refuses_a_raw_delete_of_the_access_log(access):
    if connection.vendor != "postgresql":
        # Migration 0002 leaves DELETE to the model on SQLite: the test database is emptied between tests with
        # DELETE (TransactionTestCase's flush, the live-server tests), which a trigger would refuse.
        pytest.skip("SQLite has no DELETE trigger on the access log (see migration 0002)")
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM wallet_accessrecord WHERE id = %s", [access.pk])
    assert AccessRecord.objects.filter(pk=access.pk).exists()
