"""Writes of signed results: issue (render, sign, store — one transaction), revoke and reissue.

The layout of a result is its procedure's template: see `motcua.signing.result_rendering`.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from motcua.catalog.models import OfficerRole
from motcua.documents.models import DocumentSource
from motcua.documents.services import store_document
from motcua.dossiers import policy
from motcua.dossiers.models import ActionKind, Dossier, DossierState
from motcua.dossiers.services import perform_action
from motcua.notify.services import notify
from motcua.signing.models import IssuedResult
from motcua.signing.pades import sign_pdf
from motcua.signing.result_rendering import render_result
from motcua.wallet import services as wallet

logger = logging.getLogger(__name__)
ISSUABLE_STATES = (DossierState.RESULT_READY, DossierState.RESULT_RETURNED)


class ResultNotAllowed(Exception):
    """The result cannot be issued or revoked (message in Vietnamese)."""


def verification_url(result_id: uuid.UUID | str) -> str:
    return f"{settings.MOTCUA_SITE_URL}/verify/{result_id}/"


def result_data(*, dossier: Dossier, result_id: uuid.UUID, issued_at: dt.datetime) -> dict:
    """The machine-readable copy of a result (kept beside the PDF and served by the verification API)."""
    version = dossier.procedure_version
    return {
        "id": str(result_id),
        "dossier_code": dossier.code,
        "procedure_code": version.procedure.code,
        "procedure_name": version.name,
        "result_name": version.result_name,
        "applicant_name": dossier.applicant_name,
        "form_data": dossier.form_data,
        "agency_identifier": dossier.agency.identifier,
        "agency_name": dossier.agency.name,
        "issued_at": issued_at.isoformat(),
        "verification_url": verification_url(result_id),
    }


def issue_result(
    *,
    dossier: Dossier,
    leader,
    now: dt.datetime | None = None,
    replaces: IssuedResult | None = None,
    reason: str = "",
) -> IssuedResult:
    """Render, sign and store the result of an approved `dossier`, signed for its agency by `leader`.

    The dossier must be in state 9 (result ready) or 10 (returned) and `leader` must hold the leader role at
    its agency. A dossier has at most one result in force: issuing again needs `replaces` (the result in
    force), which is then revoked (for `reason`) and pointed at the new one. Everything happens in one transaction (a
    failure leaves no row; a stray file is swept like other orphaned uploads).
    """
    now = now or timezone.now()
    dossier = Dossier.objects.select_related("procedure_version__procedure", "agency__unit", "agency__parent").get(
        pk=dossier.pk
    )
    if dossier.state not in ISSUABLE_STATES:
        raise ResultNotAllowed(_("Hồ sơ chưa được phê duyệt nên chưa thể cấp kết quả."))
    if OfficerRole.LEADER not in policy.officer_roles(leader).get(dossier.agency_id, set()):
        raise PermissionDenied(_("Chỉ lãnh đạo cơ quan giải quyết hồ sơ mới được ký kết quả."))
    with transaction.atomic():
        in_force = IssuedResult.objects.select_for_update().filter(dossier=dossier, revoked_at__isnull=True)
        current = list(in_force)
        if current and (replaces is None or replaces.pk not in {r.pk for r in current}):
            raise ResultNotAllowed(_("Hồ sơ đã có kết quả điện tử đang có hiệu lực; hãy cấp thay thế kết quả đó."))
        result_id = uuid.uuid4()
        data = result_data(dossier=dossier, result_id=result_id, issued_at=now)
        unsigned = render_result(dossier=dossier, data=data, issued_at=now)
        signed = sign_pdf(
            unsigned,
            agency=dossier.agency,
            reason=f"Ký kết quả giải quyết hồ sơ {dossier.code}",
            location=dossier.agency.name,
            signed_at=now,
        )
        document = store_document(
            owner=dossier.applicant,
            upload=SimpleUploadedFile(f"{dossier.code}-ket-qua.pdf", signed, content_type="application/pdf"),
            created_by=leader,
            source=DocumentSource.ISSUED,
            document_type=dossier.procedure_version.result_document_type,
        )
        result = IssuedResult.objects.create(
            id=result_id, dossier=dossier, document=document, data=data, agency=dossier.agency, issued_at=now,
            issued_by=leader,
        )  # fmt: skip
        for old in current:
            old.revoked_at = now
            old.revoked_by = leader
            old.revocation_reason = reason or old.revocation_reason or "Được thay thế bằng kết quả mới."
            old.replaced_by = result
            old.save(update_fields=["revoked_at", "revoked_by", "revocation_reason", "replaced_by"])
            wallet.revoke_issued_document(reference=str(old.pk), at=now)
        # The result lands in the applicant's warehouse, verified, in the same transaction.
        wallet.add_issued_document(
            owner=dossier.applicant, document=document, title=dossier.procedure_version.result_name, data=data,
            issuer=dossier.agency, reference=str(result.pk), issued_at=now,
            document_type=dossier.procedure_version.result_document_type,
        )  # fmt: skip
    logger.info("result issued", extra={"result": str(result.pk), "dossier": dossier.code})
    return result


def approve_and_issue(
    *,
    dossier_code: str,
    leader,
    comment: str = "",
    expected_revision: int | None = None,
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
) -> IssuedResult:
    """Phê duyệt và ký kết quả: the leader's approval (→ state 9) and the signed result, in one transaction.

    If signing fails the approval is rolled back too, so a dossier never shows "result ready" without its
    result. A retried request (same idempotency key) returns the result already issued.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # The approval issues the result itself (receivers.py); a retried one returns the result in force.
        perform_action(
            dossier_code=dossier_code, actor=leader, kind=ActionKind.APPROVE, comment=comment,
            expected_revision=expected_revision, idempotency_key=idempotency_key, now=now,
        )  # fmt: skip
        return IssuedResult.objects.get(dossier__code=dossier_code, revoked_at__isnull=True)


def revoke_result(*, result: IssuedResult, reason: str, by, now: dt.datetime | None = None) -> IssuedResult:
    """Mark `result` revoked (the signed PDF is kept); `by` must lead its agency; the reason is required."""
    reason = (reason or "").strip()[:2000]
    if not reason:
        raise ResultNotAllowed(_("Cần nêu lý do thu hồi kết quả."))
    if OfficerRole.LEADER not in policy.officer_roles(by).get(result.agency_id, set()):
        raise PermissionDenied(_("Chỉ lãnh đạo cơ quan đã ký mới được thu hồi kết quả."))
    with transaction.atomic():
        result = IssuedResult.objects.select_for_update().get(pk=result.pk)
        if result.revoked_at is None:
            result.revoked_at = now or timezone.now()
            result.revoked_by = by
            result.revocation_reason = reason
            result.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
            wallet.revoke_issued_document(reference=str(result.pk), at=result.revoked_at)
            _tell_applicant(result, revoked=True, reason=reason, now=result.revoked_at)
    return result


def reissue_result(*, result: IssuedResult, reason: str, by, now: dt.datetime | None = None) -> IssuedResult:
    """Cấp lại kết quả: a new signed result replaces `result` (kept, marked replaced); the reason is required."""
    reason = (reason or "").strip()[:2000]
    if not reason:
        raise ResultNotAllowed(_("Cần nêu lý do cấp lại kết quả."))
    now = now or timezone.now()
    with transaction.atomic():
        new = issue_result(dossier=result.dossier, leader=by, now=now, replaces=result, reason=reason)
        _tell_applicant(new, revoked=False, reason=reason, now=now)
    return new


def _tell_applicant(result: IssuedResult, *, revoked: bool, reason: str, now: dt.datetime) -> None:
    """The applicant learns of a revoked or replaced result in the same transaction (their copy may be invalid)."""
    dossier = result.dossier
    with translation.override(settings.LANGUAGE_CODE):
        if revoked:
            title = _("Kết quả điện tử của hồ sơ %(code)s đã bị thu hồi.") % {"code": dossier.code}
        else:
            title = _("Kết quả điện tử của hồ sơ %(code)s đã được cấp lại.") % {"code": dossier.code}
        body = _("Lý do: %(reason)s") % {"reason": reason}
    notify(user=dossier.applicant, title=title, body=body, link=f"/dossiers/{dossier.code}/", now=now)
