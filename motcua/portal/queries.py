"""Reads the citizen pages need beyond `motcua.dossiers.queries`: drafts and notifications.

Each list has a fixed number of queries whatever its length. (Draft and notification reads could move to
`motcua.dossiers.queries` and a `motcua.notify.queries` when the back office needs them too.)
"""

from __future__ import annotations

from django.db.models import QuerySet

from motcua.catalog.models import ProcedureVersion
from motcua.dossiers import queries as dossier_queries
from motcua.dossiers.models import Dossier, Draft
from motcua.notify.models import Notification


def applicant_drafts(user) -> QuerySet[Draft]:
    """Hồ sơ nháp: the applicant's drafts, most recently changed first."""
    return (
        Draft.objects.filter(applicant=user)
        .select_related("procedure_version", "procedure_version__procedure", "agency")
        .order_by("-updated_at", "-pk")
    )


def draft_for(user, version: ProcedureVersion) -> Draft | None:
    """The applicant's draft for this procedure version (the latest, if there are several)."""
    return applicant_drafts(user).filter(procedure_version=version).first()


def earlier_draft_for(user, version: ProcedureVersion) -> Draft | None:
    """The applicant's latest draft for an earlier version of the same procedure, to carry its data over."""
    return (
        applicant_drafts(user)
        .filter(procedure_version__procedure_id=version.procedure_id)
        .exclude(procedure_version=version)
        .first()
    )


def submitted_with_key(user, key: str) -> Dossier | None:
    """The applicant's dossier already submitted with this idempotency key (a double click, a retry)."""
    return dossier_queries.applicant_dossiers(user).filter(submission_key=key).first()


def notifications_for(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
