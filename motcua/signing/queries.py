"""Reads of signed results for the public verification page and API."""

from __future__ import annotations

import uuid

from django.utils.translation import gettext_lazy as _

from motcua.signing.models import IssuedResult
from motcua.wallet.models import WalletDocumentKind

VALID, REVOKED, REPLACED = "valid", "revoked", "replaced"
STATUS_LABELS = {
    VALID: _("Kết quả đang có hiệu lực"),
    REVOKED: _("Kết quả đã bị thu hồi"),
    REPLACED: _("Kết quả đã được thay thế bằng kết quả mới"),
}


def get_result(result_id) -> IssuedResult | None:
    try:
        key = uuid.UUID(str(result_id))
    except ValueError:
        return None
    return IssuedResult.objects.select_related("agency", "document", "replaced_by").filter(pk=key).first()


def find_by_sha256(digest: str) -> IssuedResult | None:
    return (
        IssuedResult.objects.select_related("agency", "document", "replaced_by").filter(document__sha256=digest).first()
    )


def status_of(result: IssuedResult) -> str:
    if result.replaced_by_id:
        return REPLACED
    if result.revoked_at is not None:
        return REVOKED
    return VALID


def public_view(result: IssuedResult) -> dict:
    """What anyone holding the result may see (no e-form data: that stays with the applicant)."""
    data = result.data
    status = status_of(result)
    return {
        "id": str(result.pk),
        "status": status,
        "status_label": str(STATUS_LABELS[status]),
        "result_name": data.get("result_name", ""),
        "procedure_code": data.get("procedure_code", ""),
        "procedure_name": data.get("procedure_name", ""),
        "dossier_code": data.get("dossier_code", ""),
        "applicant_name": data.get("applicant_name", ""),
        "agency": {"identifier": result.agency.identifier, "name": result.agency.name},
        "issued_at": result.issued_at.isoformat(),
        "revoked_at": result.revoked_at.isoformat() if result.revoked_at else None,
        "revocation_reason": result.revocation_reason if result.revoked_at else "",
        "replaced_by": str(result.replaced_by_id) if result.replaced_by_id else None,
        "document_sha256": result.document.sha256,
    }


def result_in_force(dossier) -> IssuedResult | None:
    """The dossier's electronic result in force (not revoked), with its stored file."""
    return IssuedResult.objects.select_related("document").filter(dossier=dossier, revoked_at__isnull=True).first()


def results_of(dossier) -> list[IssuedResult]:
    """Every result issued for the dossier, newest first, each with `status` (valid/revoked/replaced), one query."""
    results = list(
        IssuedResult.objects.filter(dossier=dossier)
        .select_related("document", "issued_by", "revoked_by")
        .order_by("-issued_at", "-pk")
    )
    for result in results:
        result.status = status_of(result)
        result.status_label = STATUS_LABELS[result.status]
    return results


def result_of_dossier(dossier, result_id) -> IssuedResult | None:
    """The result `result_id` if it belongs to `dossier` (which the caller may already see), else None."""
    try:
        key = uuid.UUID(str(result_id))
    except ValueError:
        return None
    return IssuedResult.objects.select_related("document", "dossier").filter(pk=key, dossier=dossier).first()


def last_result(dossier) -> IssuedResult | None:
    """The dossier's latest result, in force or not (to tell the applicant theirs was revoked, and why)."""
    return IssuedResult.objects.filter(dossier=dossier).order_by("-issued_at", "-pk").first()


def form_schemas_of(documents) -> dict[str, dict]:
    """Wallet documents' issued reference → the e-form schema their `data["form_data"]` was declared on (labels).

    One query for any number of documents; uploaded ones, and results not issued here, have none.
    """
    by_reference = {
        str(found): document
        for document in documents
        if document.kind == WalletDocumentKind.ISSUED and (found := _uuid_or_none(document.issued_reference))
    }
    if not by_reference:
        return {}
    results = IssuedResult.objects.filter(pk__in=list(by_reference)).select_related("dossier__procedure_version")
    return {
        str(result.pk): result.dossier.procedure_version.form_schema
        for result in results
        if result.dossier.applicant_id == by_reference[str(result.pk)].owner_id  # only the owner's own dossier
    }


def _uuid_or_none(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
