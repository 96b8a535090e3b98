"""Reads of the wallet that the pages, the API and other parts share.

Every read is scoped to its owner: another person's document, share, consent or request is "not found", the
same answer as one that does not exist, so identifiers cannot be guessed.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet, TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.catalog.models import DocumentType
from motcua.wallet import codes
from motcua.wallet.errors import NotFound, ShareUnavailable
from motcua.wallet.models import (
    AccessRecord,
    Consent,
    ConsentPurpose,
    RightsRequest,
    RightsRequestKind,
    RightsRequestStatus,
    Share,
    WalletDocument,
    WalletDocumentKind,
)


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def wallet_documents(owner) -> QuerySet[WalletDocument]:
    """The owner's documents, issued first, newest first (the id last, so that pages never overlap)."""
    return (
        WalletDocument.objects.filter(owner=owner)
        .select_related("document", "document_type", "issuer")
        .order_by("kind", "-added_at", "-pk")
    )


def wallet_document(owner, document_id) -> WalletDocument:
    found = _uuid(document_id)
    document = wallet_documents(owner).filter(pk=found).first() if found else None
    if document is None:
        raise NotFound(_("Không tìm thấy giấy tờ này trong kho dữ liệu của bạn."))
    return document


def offers_for(owner, requirements) -> dict[int, list[WalletDocument]]:
    """Requirement id → the owner's documents of its type, verified ones first (what a filing may reuse)."""
    types = {requirement.document_type_id for requirement in requirements if requirement.document_type_id}
    if not types:
        return {}
    by_type: dict[int, list[WalletDocument]] = {}
    candidates = (
        wallet_documents(owner)
        .filter(document_type_id__in=types)
        .exclude(kind=WalletDocumentKind.ISSUED, revoked_at__isnull=False)
        .order_by("kind", "-added_at")
    )
    for document in candidates:
        by_type.setdefault(document.document_type_id, []).append(document)
    return {
        requirement.pk: by_type[requirement.document_type_id]
        for requirement in requirements
        if requirement.document_type_id in by_type
    }


def documents_in_wallet(document_ids) -> list:
    """Which of these stored documents are in their owner's warehouse (so a dossier reuses, not re-uploads, them)."""
    return list(WalletDocument.objects.filter(document_id__in=list(document_ids)).values_list("document_id", flat=True))


def verified_documents_by_type(owner, type_codes: set[str]) -> dict[str, WalletDocument]:
    """Document type code → the owner's latest issued, unrevoked document of that type."""
    if not type_codes:
        return {}
    latest: dict[str, WalletDocument] = {}
    documents = (
        WalletDocument.objects.filter(
            owner=owner, kind=WalletDocumentKind.ISSUED, revoked_at__isnull=True, document_type__code__in=type_codes
        )
        .select_related("document_type", "issuer")
        .order_by("-issued_at")
    )
    for document in documents:
        latest.setdefault(document.document_type.code, document)
    return latest


def share_made_with_key(owner, key: str) -> bool:
    """Whether the owner already made a share with this Idempotency-Key (a retry)."""
    return Share.objects.filter(owner=owner, key_digest=codes.share_key_digest(owner, key)).exists()


def shares_of(owner) -> QuerySet[Share]:
    return (
        Share.objects.filter(owner=owner)
        .annotate(access_count=Count("accesses"))
        .prefetch_related(Prefetch("documents", queryset=WalletDocument.objects.order_by("title")))
        .order_by("-created_at", "-pk")
    )


def share_of(owner, share_id) -> Share:
    found = _uuid(share_id)
    share = shares_of(owner).filter(pk=found).first() if found else None
    if share is None:
        raise NotFound(_("Không tìm thấy lượt chia sẻ này."))
    return share


def share_is_open(share: Share, *, now: dt.datetime | None = None) -> bool:
    """Not revoked, not expired, views left, and its owner has not restricted processing."""
    now = now or timezone.now()
    return (
        share.revoked_at is None
        and share.expires_at > now
        and share.views < share.max_views
        and restriction_in_force(share.owner_id) is None
    )


class ShareStatus(TextChoices):
    OPEN = "open", gettext_lazy("Đang hiệu lực")
    REVOKED = "revoked", gettext_lazy("Đã thu hồi")
    EXPIRED = "expired", gettext_lazy("Đã hết hạn")
    USED_UP = "used_up", gettext_lazy("Đã hết lượt xem")
    RESTRICTED = "restricted", gettext_lazy("Tạm dừng vì bạn đang hạn chế xử lý dữ liệu")


def share_status(share: Share, *, restricted: bool, now: dt.datetime | None = None) -> str:
    """Why a share does or does not open, for its owner; `restricted` is `restriction_in_force(owner)` asked
    once for a whole list (share_is_open asks it per share)."""
    now = now or timezone.now()
    if share.revoked_at is not None:
        return ShareStatus.REVOKED
    if share.expires_at <= now:
        return ShareStatus.EXPIRED
    if share.views >= share.max_views:
        return ShareStatus.USED_UP
    return ShareStatus.RESTRICTED if restricted else ShareStatus.OPEN


def document_type_by_code(code: str) -> DocumentType | None:
    """The document type with this code, or None (what an owner names when filing a paper of their own)."""
    return DocumentType.objects.filter(code=code).first() if code else None


def share_by_code(code: str, *, now: dt.datetime | None = None) -> Share:
    """The share a code opens if it may still be viewed (nothing counted, nothing logged); else ShareUnavailable.

    What the recipient's page asks before offering "view": an unknown, expired, revoked or used-up code, an owner
    who restricted processing, or a share whose documents were all removed since, all answer alike.
    """
    digest = codes.digest(code)
    share = Share.objects.filter(digest=digest).first() if digest else None
    if share is None or not share_is_open(share, now=now) or not share.documents.exists():
        raise ShareUnavailable(_("Mã chia sẻ không đúng, đã hết hạn hoặc đã bị thu hồi."))
    return share


def open_share_by_code(code: str, *, now: dt.datetime | None = None) -> Share:
    """The share a code opens, if it is open (without counting a view); else ShareUnavailable."""
    digest = codes.digest(code)
    share = Share.objects.filter(digest=digest).first() if digest else None
    now = now or timezone.now()
    # A file is downloaded from a page a view opened: within a while of the last view (so the view that used up
    # the last one can still download), never after, and never before any view.
    if share is None or share.revoked_at is not None or share.expires_at <= now or share.last_viewed_at is None:
        raise ShareUnavailable(_("Mã chia sẻ không đúng, đã hết hạn hoặc đã bị thu hồi."))
    window = dt.timedelta(minutes=settings.MOTCUA_SHARE_DOWNLOAD_MINUTES)
    if now - share.last_viewed_at > window or restriction_in_force(share.owner_id) is not None:
        raise ShareUnavailable(_("Mã chia sẻ không đúng, đã hết hạn hoặc đã bị thu hồi."))
    return share


def access_log(subject) -> QuerySet[AccessRecord]:
    return AccessRecord.objects.filter(subject=subject).select_related("accessor_agency").order_by("-at", "-id")


def active_purposes() -> QuerySet[ConsentPurpose]:
    return ConsentPurpose.objects.filter(is_active=True).order_by("code")


def consents_of(subject) -> QuerySet[Consent]:
    return Consent.objects.filter(subject=subject).select_related("purpose").order_by("-given_at")


def consent_of(subject, consent_id) -> Consent:
    try:
        pk = int(consent_id)
    except (TypeError, ValueError):
        pk = None
    consent = consents_of(subject).filter(pk=pk).first() if pk else None
    if consent is None:
        raise NotFound(_("Không tìm thấy sự đồng ý này."))
    return consent


def rights_requests_of(subject) -> QuerySet[RightsRequest]:
    return RightsRequest.objects.filter(subject=subject).order_by("-submitted_at")


def restriction_in_force(subject) -> RightsRequest | None:
    """The subject's restriction of processing in force, if any (shares do not open while it is)."""
    subject_id = getattr(subject, "pk", subject)
    return (
        RightsRequest.objects.filter(
            subject_id=subject_id,
            kind=RightsRequestKind.RESTRICTION,
            status=RightsRequestStatus.DONE,
            lifted_at__isnull=True,
        )
        .only("pk", "submitted_at")
        .first()
    )


def overdue_rights_requests(*, now: dt.datetime | None = None) -> QuerySet[RightsRequest]:
    """Requests still waiting after their deadline: what an operator must answer first."""
    return RightsRequest.objects.filter(
        Q(status=RightsRequestStatus.RECEIVED) & Q(due_at__lt=now or timezone.now())
    ).order_by("due_at")
