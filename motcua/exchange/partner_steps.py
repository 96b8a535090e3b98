"""Inter-agency procedures (thủ tục liên thông): a dossier handed to a step another agency performs travels there
as a signed exchange package (its form data and files), and comes back when that agency reports the package
processed (the dossier moves on to the next step) or returned (back to the step before)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch

from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import ActionKind, DossierAction, DossierComponent
from motcua.exchange import services
from motcua.exchange.models import ExchangePackage, PackageKind, PackageStatus

# Moves that can put a dossier at a step: a hand-off forward or a return to the step before.
MOVES = (ActionKind.HAND_OFF, ActionKind.RETURN_STEP)


def forward(*, action_id: int) -> ExchangePackage | None:
    """Send the dossier to the partner agency when `action` moved it to a partner step (in the caller's
    transaction: the outbox's, so the package is queued exactly once)."""
    action = (
        DossierAction.objects.select_related(
            "dossier__agency", "dossier__procedure_version__procedure", "step", "actor"
        )
        .prefetch_related(Prefetch("dossier__components", DossierComponent.objects.select_related("document")))
        .filter(pk=action_id, kind__in=MOVES)
        .first()
    )
    if action is None or action.step is None or not action.step.is_partner_step or action.actor is None:
        return None
    dossier, step = action.dossier, action.step
    version = dossier.procedure_version
    return services.send_package(
        sender_agency=dossier.agency, recipient_agency_identifier=step.partner_agency,
        recipient_instance=step.partner_instance or settings.MOTCUA_INSTANCE_CODE,
        kind=PackageKind.INTER_AGENCY_STEP, subject=f"{version.name} — {step.name} ({dossier.code})",
        documents=[component.document for component in dossier.components.all()], dossier_code=dossier.code,
        sent_by=action.actor,
        metadata={"procedure": version.procedure.code, "step": step.name, "step_position": step.position,
                  "applicant_name": dossier.applicant_name, "form_data": dossier.form_data},
    )  # fmt: skip


def settle(*, package_pk: int) -> None:
    """The partner's answer came back: move the dossier on (processed) or back (returned)."""
    package = ExchangePackage.objects.filter(pk=package_pk, kind=PackageKind.INTER_AGENCY_STEP).first()
    if package is None or package.status not in (PackageStatus.PROCESSED, PackageStatus.RETURNED):
        return
    processed = package.status == PackageStatus.PROCESSED
    dossier_services.complete_partner_step(
        dossier_code=package.dossier_code, package_id=str(package.package_id), processed=processed,
        note="" if processed else package.return_reason,
        now=package.processed_at if processed else package.returned_at,
    )  # fmt: skip
