"""The data subject's rights over everything the platform holds on them: a full download, and erasure.

The wallet answers for its own tables and the account's profile; the other parts answer through the signals
in `wallet.signals`, so this module needs no knowledge of them.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import zipfile
from typing import Any, BinaryIO

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from motcua.documents.models import StoredDocument
from motcua.wallet.models import (
    AccessRecord,
    Consent,
    RightsRequest,
    Share,
    WalletDocument,
    WalletDocumentKind,
)
from motcua.wallet.signals import ErasureOutcome, ExportSection, erasure_requested, personal_data_requested

COPY_CHUNK = 1024 * 1024  # bytes of a stored file copied into the archive at a time


def document_record(document: StoredDocument | None) -> dict | None:
    """How a stored document is listed in an export: its metadata and where its file is in the archive."""
    if document is None:
        return None
    return {
        "id": str(document.pk),
        "name": document.original_name,
        "content_type": document.content_type,
        "size": document.size,
        "sha256": document.sha256,
        "archive_path": archive_path(document),
    }


def archive_path(document: StoredDocument) -> str:
    return f"files/{document.pk}.{document.extension}"


def _profile(subject) -> dict:
    return {
        "username": subject.get_username(),
        "kind": subject.kind,
        "full_name": subject.full_name,
        "citizen_id": subject.citizen_id,
        "tax_code": subject.tax_code,
        "email": subject.email,
        "phone": subject.phone,
        "date_joined": subject.date_joined,
        "last_login": subject.last_login,
        # Keys and codes are never given out (only digests are kept): their names and dates are the subject's data.
        "api_tokens": list(
            subject.api_tokens.order_by("created_at").values(
                "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"
            )
        ),
        "account_claims": list(
            subject.account_claims.order_by("issued_at").values("issued_at", "expires_at", "used_at")
        ),
    }


def wallet_section(subject) -> list[ExportSection]:
    documents = list(WalletDocument.objects.filter(owner=subject).select_related("document", "document_type", "issuer"))
    shares = list(Share.objects.filter(owner=subject).prefetch_related("documents"))
    return [
        ExportSection("profile", [_profile(subject)]),
        ExportSection(
            "wallet_documents",
            [
                {
                    "id": str(d.pk),
                    "kind": d.kind,
                    "title": d.title,
                    "document_type": d.document_type.code if d.document_type else None,
                    "data": d.data,
                    "issuer": d.issuer.identifier if d.issuer else None,
                    "issued_reference": d.issued_reference,
                    "issued_at": d.issued_at,
                    "revoked_at": d.revoked_at,
                    "added_at": d.added_at,
                    "file": document_record(d.document),
                }  # fmt: skip
                for d in documents
            ],
            [d.document for d in documents],
        ),
        ExportSection(
            "shares",
            [
                {
                    "id": str(s.pk),
                    "recipient": s.recipient,
                    "purpose": s.purpose,
                    "created_at": s.created_at,
                    "expires_at": s.expires_at,
                    "max_views": s.max_views,
                    "views": s.views,
                    "revoked_at": s.revoked_at,
                    "documents": sorted(str(d.pk) for d in s.documents.all()),
                }  # fmt: skip
                for s in shares
            ],
        ),
        ExportSection(
            "access_log",
            list(
                AccessRecord.objects.filter(subject=subject)
                .order_by("at", "id")
                .values(
                    "at",
                    "accessor_kind",
                    "accessor_name",
                    "accessor_agency__identifier",
                    "accessor_agency__name",
                    "share_id",
                    "what",
                    "reference",
                    "purpose",
                )  # fmt: skip
            ),
        ),
        ExportSection(
            "consents",
            [
                {
                    "id": c.pk,
                    "purpose": c.purpose.code,
                    "purpose_version": c.purpose_version,
                    "statement": c.statement,
                    "given_at": c.given_at,
                    "withdrawn_at": c.withdrawn_at,
                }  # fmt: skip
                for c in Consent.objects.filter(subject=subject).select_related("purpose").order_by("given_at")
            ],
        ),
        ExportSection(
            "rights_requests",
            list(
                RightsRequest.objects.filter(subject=subject)
                .order_by("submitted_at")
                .values(
                    "id",
                    "kind",
                    "details",
                    "status",
                    "submitted_at",
                    "due_at",
                    "closed_at",
                    "answer",
                    "lifted_at",
                    "outcome",
                )  # fmt: skip
            ),
        ),
    ]


def export_archive(*, subject, now: dt.datetime | None = None) -> bytes:
    """The archive of `write_archive` in memory (small subjects, tests)."""
    buffer = io.BytesIO()
    write_archive(subject=subject, into=buffer, now=now)
    return buffer.getvalue()


def write_archive(*, subject, into: BinaryIO, now: dt.datetime | None = None) -> None:
    """Write into `into` a ZIP of every record about `subject` (one JSON file per kind) and every file of theirs,
    nothing else. Files are copied in chunks, so a warehouse of large scans never sits in memory whole."""
    now = now or timezone.now()
    sections = wallet_section(subject)
    for _receiver, answer in personal_data_requested.send(sender=None, subject=subject):
        sections.extend(answer if isinstance(answer, list) else [answer])
    files: dict[str, StoredDocument] = {}
    with zipfile.ZipFile(into, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        contents: dict[str, Any] = {"subject": subject.get_username(), "exported_at": now, "sections": []}
        for section in sections:
            archive.writestr(f"{section.name}.json", _json(section.records))
            contents["sections"].append({"name": section.name, "records": len(section.records)})
            for document in section.documents:
                if document is not None and document.owner_id == subject.pk:
                    files[archive_path(document)] = document
        missing = []
        for path, document in sorted(files.items()):
            try:
                with default_storage.open(document.file.name, "rb") as stored, archive.open(path, "w") as member:
                    shutil.copyfileobj(stored, member, COPY_CHUNK)
            except FileNotFoundError:  # a lost file must not withhold everything else; the index says which
                missing.append(path)
        contents["files"] = len(files) - len(missing)
        contents["missing_files"] = missing
        archive.writestr("README.json", _json(contents))


def _json(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2, sort_keys=True)


def erase_what_may_go(*, subject, now: dt.datetime) -> dict:
    """Delete what the law does not require to be kept; say what stays and why. Runs in the caller's transaction.

    The reasons are kept in the site's language (as every stored text is) and translated when shown.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return _erase(subject=subject, now=now)


def _erase(*, subject, now: dt.datetime) -> dict:
    outcome = ErasureOutcome()
    uploaded = WalletDocument.objects.filter(owner=subject, kind=WalletDocumentKind.UPLOADED)
    outcome.deleted["wallet_uploaded_documents"] = uploaded.count()
    for entry in uploaded:
        entry.shares.clear()
    uploaded.delete()
    outcome.deleted["shares_revoked"] = Share.objects.filter(owner=subject, revoked_at__isnull=True).update(
        revoked_at=now
    )
    outcome.kept["wallet_issued_documents"] = _(
        "Kết quả điện tử do cơ quan nhà nước cấp có giá trị pháp lý và được lưu theo thời hạn lưu trữ "
        "(Nghị định 45/2020/NĐ-CP)."
    )
    outcome.kept["access_log"] = _("Nhật ký truy cập là bằng chứng xử lý dữ liệu; không ai được sửa hay xóa.")
    outcome.kept["consents"] = _("Bản ghi sự đồng ý (và việc rút lại) là bằng chứng theo Luật 91/2025/QH15.")
    outcome.kept["rights_requests"] = _(
        "Yêu cầu của bạn và kết quả thực hiện là bằng chứng đã thực hiện quyền của chủ thể dữ liệu."
    )
    outcome.kept["account"] = _(
        "Thông tin tài khoản được giữ để bạn tiếp tục đăng nhập, theo dõi và nhận kết quả các hồ sơ đã nộp."
    )
    for _receiver, answer in erasure_requested.send(sender=None, subject=subject, now=now):
        outcome.deleted.update(answer.deleted)
        outcome.kept.update(answer.kept)
    # Files no longer referred to by anything: their rows go now, their files with the nightly sweep.
    orphans = StoredDocument.objects.filter(
        owner=subject, wallet_entry__isnull=True, dossier_uses__isnull=True, issued_result__isnull=True
    )
    outcome.deleted["stored_files"] = _delete_unreferenced(orphans)
    return {"deleted": outcome.deleted, "kept": outcome.kept}


def _delete_unreferenced(documents) -> int:
    from django.db.models import ProtectedError

    deleted = 0
    for document in documents:
        try:
            document.delete()
        except ProtectedError:  # still referred to by something this query did not know of
            continue
        deleted += 1
    return deleted
