"""Every write of the wallet: one function per use case, keyword-only arguments, one transaction each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.catalog.models import Agency, DocumentType
from motcua.core.locking import lock_one
from motcua.documents.models import DocumentSource, StoredDocument
from motcua.documents.services import store_document
from motcua.wallet import codes, queries
from motcua.wallet.errors import NotFound, ShareUnavailable, WalletInvalid, WalletNotAllowed
from motcua.wallet.models import (
    AccessorKind,
    AccessRecord,
    Consent,
    RightsRequest,
    RightsRequestKind,
    RightsRequestRule,
    RightsRequestStatus,
    Share,
    WalletDocument,
    WalletDocumentKind,
)
from motcua.wallet.personal_data import erase_what_may_go

MAX_TITLE = 500
MAX_SHARE_DAYS = 90
MAX_SHARE_VIEWS = 100
MAX_DETAILS = 5000


# ----- documents ---------------------------------------------------------------------------------------------------


def add_issued_document(
    *,
    owner,
    document: StoredDocument,
    title: str,
    data: dict,
    issuer: Agency,
    reference: str,
    issued_at: dt.datetime,
    document_type: DocumentType | None,
) -> WalletDocument:
    """An agency's signed result lands in its owner's warehouse: verified, immutable. Idempotent by reference."""
    existing = WalletDocument.objects.filter(issued_reference=reference).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        return WalletDocument.objects.create(
            owner=owner, document=document, kind=WalletDocumentKind.ISSUED, document_type=document_type,
            title=title[:MAX_TITLE], data=data, issuer=issuer, issued_reference=reference, issued_at=issued_at,
            added_at=issued_at,
        )  # fmt: skip


def revoke_issued_document(*, reference: str, at: dt.datetime) -> None:
    """The agency revoked (or replaced) the result: its copy in the warehouse is no longer verified."""
    with transaction.atomic():
        WalletDocument.objects.filter(issued_reference=reference, revoked_at__isnull=True).update(revoked_at=at)


def add_uploaded_document(
    *, owner, upload: UploadedFile, title: str, document_type: DocumentType | None, now: dt.datetime | None = None
) -> WalletDocument:
    """The owner keeps a copy of a paper in their warehouse (unverified). Raises WalletInvalid on bad input."""
    title = (title or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("Hãy nhập tên giấy tờ.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("Tên giấy tờ dài quá %(max)s ký tự.") % {"max": MAX_TITLE}
    if upload is None:
        errors["file"] = _("Hãy chọn tệp giấy tờ.")
    if errors:
        raise WalletInvalid(_("Giấy tờ chưa hợp lệ; hãy sửa các mục được đánh dấu."), errors=errors)
    now = now or timezone.now()
    with transaction.atomic():
        try:
            stored = store_document(owner=owner, upload=upload, created_by=owner, document_type=document_type)
        except ValidationError as invalid:
            raise WalletInvalid(invalid.messages[0], errors={"file": invalid.messages[0]}) from None
        return WalletDocument.objects.create(
            owner=owner, document=stored, kind=WalletDocumentKind.UPLOADED, document_type=document_type, title=title,
            added_at=now,
        )  # fmt: skip


def keep_submitted_documents(
    *, owner, documents: Iterable[tuple[StoredDocument, DocumentType | None, str]], now: dt.datetime
) -> None:
    """Papers uploaded for a dossier are kept in the warehouse (unverified) so they are never asked for again.

    `documents` holds (stored document, its requirement's type, its requirement's name). Only typed documents
    are kept (an untyped one cannot be offered for a later requirement); those already there stay as they are.
    Must run in the submitting transaction.
    """
    wanted = [
        (stored, document_type, title)
        for stored, document_type, title in documents
        if document_type is not None and stored.owner_id == owner.pk and stored.source == DocumentSource.UPLOAD
    ]
    if not wanted:
        return
    known = set(
        WalletDocument.objects.filter(document__in=[stored for stored, _t, _n in wanted]).values_list(
            "document_id", flat=True
        )
    )
    WalletDocument.objects.bulk_create(
        [
            WalletDocument(
                owner=owner,
                document=stored,
                kind=WalletDocumentKind.UPLOADED,
                document_type=document_type,
                title=title[:MAX_TITLE],
                added_at=now,
            )  # fmt: skip
            for stored, document_type, title in wanted
            if stored.pk not in known
        ],
        ignore_conflicts=True,
    )


def remove_uploaded_document(*, owner, document_id) -> None:
    """The owner removes an uploaded copy. Issued results stay: the law keeps them for their retention period."""
    with transaction.atomic():
        entry = queries.wallet_document(owner, document_id)
        if entry.kind == WalletDocumentKind.ISSUED:
            raise WalletNotAllowed(
                _("Giấy tờ do cơ quan nhà nước cấp được lưu theo thời hạn luật định, không xóa được.")
            )
        entry.shares.clear()
        entry.delete()


# ----- shares --------------------------------------------------------------------------------------------------------


SHARE_CODE_SALT = "motcua.wallet.share-code"


def create_share(
    *,
    owner,
    document_ids: Sequence,
    recipient: str,
    purpose: str,
    valid_days: int,
    max_views: int,
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
) -> tuple[Share, str]:
    """Chia sẻ giấy tờ: returns the share and its code, which is shown once and never kept in clear.

    With an `idempotency_key`, the code is drawn from it (wallet.codes.code_for_key): the same request sent again
    within SHARE_RETRY_MINUTES returns the same share and code instead of a second share; the key reused for a
    different share, or later, is refused (409).
    """
    now = now or timezone.now()
    recipient = (recipient or "").strip()
    purpose = (purpose or "").strip()
    errors: dict[str, str] = {}
    wanted = set(_uuids(document_ids))
    documents = list(queries.wallet_documents(owner).filter(pk__in=wanted))
    unreadable = len(_uuids(document_ids)) != len(list(document_ids or []))
    if not wanted or unreadable or len(documents) != len(wanted):
        errors["documents"] = _("Hãy chọn giấy tờ trong kho dữ liệu của bạn để chia sẻ.")
    if not recipient:
        errors["recipient"] = _("Hãy nhập tên bên nhận.")
    elif len(recipient) > 200:
        errors["recipient"] = _("Tên bên nhận dài quá %(max)s ký tự.") % {"max": 200}
    if not purpose:
        errors["purpose"] = _("Hãy nêu mục đích chia sẻ.")
    elif len(purpose) > 500:
        errors["purpose"] = _("Mục đích dài quá %(max)s ký tự.") % {"max": 500}
    if not isinstance(valid_days, int) or not 1 <= valid_days <= MAX_SHARE_DAYS:
        errors["valid_days"] = _("Thời hạn chia sẻ từ 1 đến %(max)s ngày.") % {"max": MAX_SHARE_DAYS}
    if not isinstance(max_views, int) or not 1 <= max_views <= MAX_SHARE_VIEWS:
        errors["max_views"] = _("Số lần xem từ 1 đến %(max)s.") % {"max": MAX_SHARE_VIEWS}
    if errors:
        raise WalletInvalid(_("Chưa chia sẻ được; hãy sửa các mục được đánh dấu."), errors=errors)
    if queries.restriction_in_force(owner):
        raise WalletNotAllowed(_("Bạn đang yêu cầu hạn chế xử lý dữ liệu nên không thể chia sẻ. Hãy bỏ hạn chế trước."))
    if idempotency_key:
        return _share_once(
            owner=owner, key=idempotency_key, documents=documents, recipient=recipient, purpose=purpose,
            expires_at=now + dt.timedelta(days=valid_days), max_views=max_views, now=now,
        )  # fmt: skip
    for _attempt in range(3):
        code = codes.new_code()
        try:
            with transaction.atomic():
                share = Share.objects.create(
                    owner=owner, digest=codes.digest(code), hint=codes.normalise(code)[-4:], recipient=recipient,
                    purpose=purpose, expires_at=now + dt.timedelta(days=valid_days), max_views=max_views,
                    created_at=now,
                )  # fmt: skip
                share.documents.set(documents)
            return share, code
        except IntegrityError:
            if not Share.objects.filter(digest=codes.digest(code)).exists():
                raise  # not a code drawn twice (60 random bits make that all but impossible): a real conflict
            continue
    raise RuntimeError("could not draw a unique share code")


SHARE_RETRY_MINUTES = 10  # how long a retried share request with the same key gets its first answer again


def _share_once(*, owner, key: str, documents, recipient, purpose, expires_at, max_views, now) -> tuple[Share, str]:
    code, key_digest = codes.code_for_key(f"{owner.pk}:{key}", salt=SHARE_CODE_SALT), codes.share_key_digest(owner, key)
    refused = WalletNotAllowed(
        _("Khóa Idempotency-Key này đã dùng cho một lượt chia sẻ khác; hãy dùng khóa mới cho lượt chia sẻ mới.")
    )
    with transaction.atomic():
        share, created = Share.objects.get_or_create(
            owner=owner, key_digest=key_digest,
            defaults={"digest": codes.digest(code), "hint": codes.normalise(code)[-4:], "recipient": recipient,
                      "purpose": purpose, "expires_at": expires_at, "max_views": max_views, "created_at": now},
        )  # fmt: skip
        if created:
            share.documents.set(documents)
            return share, code
    same = (
        share.digest == codes.digest(code)  # a changed secret key gives another code: the first one is lost
        and {doc.pk for doc in documents} == set(share.documents.values_list("pk", flat=True))
        and (share.recipient, share.purpose, share.max_views) == (recipient, purpose, max_views)
        and share.expires_at - share.created_at == expires_at - now
        and dt.timedelta(0) <= now - share.created_at <= dt.timedelta(minutes=SHARE_RETRY_MINUTES)
    )
    if not same:
        raise refused
    return share, code


def revoke_share(*, owner, share_id, now: dt.datetime | None = None) -> Share:
    """The owner ends a share at once; a revoked share reveals nothing."""
    with transaction.atomic():
        queries.share_of(owner, share_id)  # 404 unless it is the owner's
        share = lock_one(Share, pk=share_id)
        if share.revoked_at is None:
            share.revoked_at = now or timezone.now()
            share.save(update_fields=["revoked_at"])
    return share


def open_share(
    *, code: str, now: dt.datetime | None = None, channel: str = AccessorKind.SHARE
) -> tuple[Share, list[WalletDocument]]:
    """A recipient opens a share: counts one view and logs one access per document, or reveals nothing.

    `channel` is how it was opened, as the owner's access log shows it: the share page (SHARE) or the API (API).
    """
    if channel not in (AccessorKind.SHARE, AccessorKind.API):
        raise ValueError(f"a share is opened through its page or the API, not {channel!r}")
    now = now or timezone.now()
    digest = codes.digest(code)
    if digest is None:
        raise ShareUnavailable(_("Mã chia sẻ không đúng, đã hết hạn hoặc đã bị thu hồi."))
    with transaction.atomic():
        found = Share.objects.filter(digest=digest).values_list("pk", flat=True).first()
        if found is None:
            raise ShareUnavailable(_("Mã chia sẻ không đúng, đã hết hạn hoặc đã bị thu hồi."))
        share = lock_one(Share, pk=found)
        documents = list(share.documents.select_related("issuer", "document_type", "document").order_by("title"))
        # Empty when its owner removed every document from the warehouse since: nothing left to show.
        if not documents or not queries.share_is_open(share, now=now):
            raise ShareUnavailable(_("Mã chia sẻ không đúng, đã hết hạn hoặc đã bị thu hồi."))
        share.views += 1
        share.last_viewed_at = now
        share.save(update_fields=["views", "last_viewed_at"])
        _record_share_accesses(
            share, documents, now=now, what=gettext_lazy("Xem giấy tờ được chia sẻ"), accessor_kind=channel
        )
    return share, documents


def record_shared_download(*, code: str, document_id, now: dt.datetime | None = None) -> WalletDocument:
    """A recipient downloads one file of an open share (not counted as a view, but logged)."""
    now = now or timezone.now()
    share = queries.open_share_by_code(code, now=now)
    document = next((d for d in share.documents.select_related("document") if str(d.pk) == str(document_id)), None)
    if document is None:
        raise ShareUnavailable(_("Mã chia sẻ không đúng, đã hết hạn hoặc đã bị thu hồi."))
    with transaction.atomic():
        _record_share_accesses(share, [document], now=now, what=gettext_lazy("Tải tệp giấy tờ được chia sẻ"))
    return document


def _record_share_accesses(
    share: Share,
    documents: list[WalletDocument],
    *,
    now: dt.datetime,
    what: Promise,
    accessor_kind: str = AccessorKind.SHARE,
) -> None:
    # The log is a record, kept in the site's language whatever language the recipient's request was in.
    with translation.override(settings.LANGUAGE_CODE):
        what = str(what)
    AccessRecord.objects.bulk_create(
        AccessRecord(
            subject_id=share.owner_id,
            at=now,
            accessor_kind=accessor_kind,
            accessor_name=share.recipient,
            share=share,
            what=f"{what}: {document.title}"[:300],
            reference=str(document.pk),
            purpose=share.purpose,
        )  # fmt: skip
        for document in documents
    )


# ----- the access log --------------------------------------------------------------------------------------------


def record_access(
    *,
    subject,
    accessor_kind: str,
    accessor_name: str,
    what: str,
    reference: str,
    purpose: str,
    accessor=None,
    accessor_agency: Agency | None = None,
    at: dt.datetime | None = None,
) -> AccessRecord:
    """Log one read of the subject's data by someone else (an officer, an API client). Append-only."""
    with transaction.atomic():
        return AccessRecord.objects.create(
            subject=subject, at=at or timezone.now(), accessor_kind=accessor_kind, accessor=accessor,
            accessor_name=accessor_name[:300], accessor_agency=accessor_agency, what=what[:300],
            reference=reference[:100], purpose=purpose[:500],
        )  # fmt: skip


# ----- consent ---------------------------------------------------------------------------------------------------


def give_consent(*, subject, purpose_code: str, now: dt.datetime | None = None) -> Consent:
    """Explicit consent to one purpose, with the text as it read; giving it twice keeps the first."""
    purpose = queries.active_purposes().filter(code=purpose_code).first()
    if purpose is None:
        raise NotFound(_("Không tìm thấy mục đích xử lý dữ liệu này."))
    existing = Consent.objects.filter(subject=subject, purpose=purpose, withdrawn_at__isnull=True).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Consent.objects.create(
                subject=subject, purpose=purpose, purpose_version=purpose.version, statement=purpose.statement,
                given_at=now or timezone.now(),
            )  # fmt: skip
    except IntegrityError:  # a concurrent click: one consent in force
        return Consent.objects.get(subject=subject, purpose=purpose, withdrawn_at__isnull=True)


def withdraw_consent(*, subject, consent_id, now: dt.datetime | None = None) -> Consent:
    """Rút lại sự đồng ý: as easy as giving it; the record stays, marked withdrawn."""
    with transaction.atomic():
        consent = Consent.objects.select_for_update().filter(subject=subject, pk=_int(consent_id)).first()
        if consent is None:
            raise NotFound(_("Không tìm thấy sự đồng ý này."))
        if consent.withdrawn_at is None:
            consent.withdrawn_at = max(now or timezone.now(), consent.given_at)
            consent.save(update_fields=["withdrawn_at"])
    return consent


# ----- data-subject requests ---------------------------------------------------------------------------------------


def submit_rights_request(*, subject, kind: str, details: str, now: dt.datetime | None = None) -> RightsRequest:
    """Yêu cầu của chủ thể dữ liệu, due by the rule for its kind.

    A deletion is carried out at once for what the law does not require to be kept (and the answer says what
    stays and why); a restriction takes effect at once (shares stop opening) until the subject lifts it.
    Corrections and objections wait for an operator, against their deadline.
    """
    now = now or timezone.now()
    details = (details or "").strip()
    errors = {}
    if kind not in RightsRequestKind.values:
        errors["kind"] = _("Hãy chọn loại yêu cầu.")
    if kind in (RightsRequestKind.CORRECTION, RightsRequestKind.OBJECTION) and not details:
        errors["details"] = _("Hãy nêu rõ dữ liệu nào và yêu cầu gì.")
    if len(details) > MAX_DETAILS:
        errors["details"] = _("Nội dung dài quá %(max)s ký tự.") % {"max": MAX_DETAILS}
    if errors:
        raise WalletInvalid(_("Yêu cầu chưa hợp lệ; hãy sửa các mục được đánh dấu."), errors=errors)
    rule = RightsRequestRule.objects.filter(kind=kind).first()
    if rule is None:
        raise WalletNotAllowed(_("Chưa cấu hình thời hạn xử lý cho loại yêu cầu này; hãy báo quản trị hệ thống."))
    in_force = _("Việc hạn chế xử lý dữ liệu của bạn đang có hiệu lực.")
    if kind == RightsRequestKind.RESTRICTION and queries.restriction_in_force(subject):
        raise WalletNotAllowed(in_force)
    try:
        with transaction.atomic():
            request = RightsRequest.objects.create(
                subject=subject, kind=kind, details=details, submitted_at=now,
                due_at=now + dt.timedelta(hours=rule.response_hours),
            )  # fmt: skip
            if kind == RightsRequestKind.DELETION:
                outcome = erase_what_may_go(subject=subject, now=now)
                _close(request, RightsRequestStatus.DONE, outcome=outcome, now=now)
            elif kind == RightsRequestKind.RESTRICTION:
                revoked = Share.objects.filter(owner=subject, revoked_at__isnull=True).update(revoked_at=now)
                _close(request, RightsRequestStatus.DONE, outcome={"shares_revoked": revoked}, now=now)
    except IntegrityError:
        # Two restriction requests at once: the database keeps one in force (rights_one_restriction_in_force).
        if kind == RightsRequestKind.RESTRICTION and queries.restriction_in_force(subject):
            raise WalletNotAllowed(in_force) from None
        raise
    return request


def lift_restriction(*, subject, now: dt.datetime | None = None) -> RightsRequest:
    """Bỏ hạn chế xử lý: the subject ends their restriction; shares can be made and opened again.

    Shares revoked when the restriction began stay revoked (their codes may have been passed on meanwhile).
    """
    with transaction.atomic():
        request = queries.restriction_in_force(subject)
        if request is None:
            raise NotFound(_("Không có yêu cầu hạn chế xử lý nào đang có hiệu lực."))
        request = lock_one(RightsRequest, pk=request.pk)
        request.lifted_at = now or timezone.now()
        request.save(update_fields=["lifted_at"])
    return request


def answer_rights_request(
    *, request_id: int, status: str, answer: str, now: dt.datetime | None = None
) -> RightsRequest:
    """An operator closes a correction or objection request: done or refused, with the answer the subject reads."""
    answer = (answer or "").strip()
    if status not in (RightsRequestStatus.DONE, RightsRequestStatus.REFUSED):
        raise WalletInvalid(_("Hãy chọn kết quả xử lý."), errors={"status": _("Hãy chọn kết quả xử lý.")})
    if not answer:
        raise WalletInvalid(_("Hãy nhập nội dung trả lời."), errors={"answer": _("Hãy nhập nội dung trả lời.")})
    with transaction.atomic():
        request = lock_one(RightsRequest, pk=request_id)
        if request.status != RightsRequestStatus.RECEIVED:
            raise WalletNotAllowed(_("Yêu cầu này đã được xử lý."))
        request.answer = answer
        _close(request, status, outcome=request.outcome, now=now or timezone.now())
    return request


def cancel_rights_request(*, subject, request_id, now: dt.datetime | None = None) -> RightsRequest:
    """Hủy yêu cầu: the subject withdraws a request still waiting for an answer; another's is "not found"."""
    with transaction.atomic():
        request = RightsRequest.objects.select_for_update().filter(subject=subject, pk=_int(request_id)).first()
        if request is None:
            raise NotFound(_("Không tìm thấy yêu cầu này."))
        if request.status != RightsRequestStatus.RECEIVED:
            raise WalletNotAllowed(_("Yêu cầu này đã được xử lý nên không hủy được."))
        _close(request, RightsRequestStatus.CANCELLED, outcome=request.outcome, now=now or timezone.now())
    return request


def _close(request: RightsRequest, status: str, *, outcome: dict, now: dt.datetime) -> None:
    request.status = status
    request.closed_at = max(now, request.submitted_at)
    request.outcome = outcome
    request.save(update_fields=["status", "closed_at", "outcome", "answer"])


# ----- helpers -----------------------------------------------------------------------------------------------------


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _uuids(values: Iterable) -> list[str]:
    import uuid

    found = []
    for value in values or []:
        try:
            found.append(str(uuid.UUID(str(value))))
        except ValueError:
            continue
    return found
