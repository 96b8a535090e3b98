"""The dossiers' part of a data subject's download and erasure (wallet.signals; connected in DossiersConfig)."""

from __future__ import annotations

import uuid

from django.dispatch import receiver
from django.utils.translation import gettext as _

from motcua.documents.models import StoredDocument
from motcua.dossiers.models import Dossier, DossierAction, Draft
from motcua.wallet.personal_data import document_record
from motcua.wallet.signals import ErasureOutcome, ExportSection, erasure_requested, personal_data_requested


@receiver(personal_data_requested, dispatch_uid="dossiers.personal_data")
def export_dossiers(sender, *, subject, **kwargs) -> list[ExportSection]:
    dossiers = list(
        Dossier.objects.filter(applicant=subject)
        .select_related("procedure_version__procedure", "agency")
        .prefetch_related("components__document", "components__requirement")
        .order_by("submitted_at")
    )
    actions: dict[int, list[dict]] = {}
    # The dossier's log, without the officers' own identities (theirs, not the subject's, to give away).
    log = DossierAction.objects.filter(dossier__applicant=subject).order_by("dossier_id", "seq")
    for action in log.values("dossier_id", "seq", "kind", "from_state", "to_state", "actor_role", "at", "comment"):
        actions.setdefault(action.pop("dossier_id"), []).append(action)
    documents = [component.document for dossier in dossiers for component in dossier.components.all()]
    records = [
        {
            "code": d.code,
            "procedure": d.procedure_version.procedure.code,
            "procedure_name": d.procedure_version.name,
            "agency": d.agency.identifier,
            "agency_name": d.agency.name,
            "state": d.state,
            "channel": d.channel,
            "applicant_name": d.applicant_name,
            "applicant_identifier": d.applicant_identifier,
            "form_data": d.form_data,
            "submitted_at": d.submitted_at,
            "received_at": d.received_at,
            "appointment_at": d.appointment_at,
            "finished_at": d.finished_at,
            "returned_at": d.returned_at,
            "components": [
                {
                    "requirement": c.requirement.name if c.requirement else None,
                    "source": c.source,
                    "supplement_round": c.supplement_round,
                    "added_at": c.added_at,
                    "file": document_record(c.document),
                }  # fmt: skip
                for c in d.components.all()
            ],
            "actions": actions.get(d.pk, []),
        }  # fmt: skip
        for d in dossiers
    ]
    drafts = list(
        Draft.objects.filter(applicant=subject)
        .select_related("procedure_version__procedure", "agency")
        .order_by("created_at", "pk")
    )
    # The files uploaded into drafts are the subject's too; only their own (a draft's JSON names documents by id).
    named = {document_id for draft in drafts for ids in draft.documents.values() for document_id in ids}
    draft_documents = {str(d.pk): d for d in StoredDocument.objects.filter(pk__in=_uuids(named), owner=subject)}
    draft_records = [
        {
            "procedure": draft.procedure_version.procedure.code,
            "procedure_name": draft.procedure_version.name,
            "agency": draft.agency.identifier if draft.agency else None,
            "form_data": draft.form_data,
            "documents": draft.documents,
            "files": [
                document_record(draft_documents[document_id])
                for ids in draft.documents.values()
                for document_id in ids
                if document_id in draft_documents
            ],
            "created_at": draft.created_at,
            "updated_at": draft.updated_at,
        }  # fmt: skip
        for draft in drafts
    ]
    return [
        ExportSection("dossiers", records, documents),
        ExportSection("drafts", draft_records, list(draft_documents.values())),
    ]


def _uuids(values) -> list[uuid.UUID]:
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return found


@receiver(erasure_requested, dispatch_uid="dossiers.erasure")
def erase_drafts(sender, *, subject, now, **kwargs) -> ErasureOutcome:
    deleted, _by_model = Draft.objects.filter(applicant=subject).delete()
    return ErasureOutcome(
        deleted={"drafts": deleted},
        kept={
            "dossiers": _(
                "Hồ sơ đã nộp và nhật ký xử lý được lưu theo thời hạn lưu trữ hồ sơ thủ tục hành chính "
                "(Nghị định 45/2020/NĐ-CP, Nghị định 118/2025/NĐ-CP)."
            )
        },
    )
