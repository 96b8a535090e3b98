"""Reads specific to the back office: the officer's agencies, procedures and colleagues, and due badges.

Dossier reads shared with the portal and the API live in `motcua.dossiers.queries`; these only add what the
officers' pages need around them. Each is one query (or none).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from motcua.accounts.models import User, UserKind
from motcua.catalog.models import Agency, ProcedureVersion, UnitLevel
from motcua.dossiers import policy
from motcua.dossiers.models import Dossier
from motcua.dossiers.queries import CLOCK_RUNNING
from motcua.workdays.calendar import CalendarRangeError, WorkCalendar


def officer_agencies(user, *, role: str | None = None) -> QuerySet[Agency]:
    """The agencies where the officer holds an active role (`role` only, if given)."""
    roles = policy.officer_roles(user)
    ids = [agency_id for agency_id, held in roles.items() if role is None or role in held]
    return Agency.objects.filter(pk__in=ids, is_active=True).select_related("unit", "unit__parent").order_by("name")


def figures_agencies(user) -> list[Agency]:
    """The agencies whose figures (operations dashboard, report II.06a) the user may open, by name: where an officer
    holds a role (policy.figures_agency_ids); operators every agency."""
    agencies = Agency.objects.order_by("name", "identifier")
    if not policy.is_operator(user):
        agencies = agencies.filter(pk__in=policy.figures_agency_ids(user))
    return list(agencies.only("pk", "identifier", "name"))


def procedure_choices(agency_ids: list[int]) -> list[tuple[str, str]]:
    """(code, name) of the current procedures these agencies carry out, for the worklist filter."""
    if not agency_ids:
        return []
    rows = (
        ProcedureVersion.objects.filter(is_current=True, procedure__agencies__in=agency_ids)
        .values_list("procedure__code", "name")
        .order_by("procedure__code")
        .distinct()
    )
    return [(code, f"{code} — {name}") for code, name in rows]


def direct_versions(agency: Agency) -> QuerySet[ProcedureVersion]:
    """Current procedure versions that this agency receives at its desk (channel direct)."""
    return (
        ProcedureVersion.objects.filter(is_current=True, channel_direct=True, procedure__agencies=agency)
        .select_related("procedure")
        .order_by("procedure__code")
    )


def direct_version(agency: Agency, procedure_code: str) -> ProcedureVersion | None:
    return (
        direct_versions(agency)
        .filter(procedure__code=procedure_code)
        .prefetch_related("components", "components__document_type")
        .first()
    )


def officers_with_role(agency_id: int, role: str | None) -> QuerySet[User]:
    """Active officers holding `role` (any role when None) at the agency, by name."""
    users = User.objects.filter(
        kind=UserKind.OFFICER, is_active=True, memberships__agency_id=agency_id, memberships__is_active=True
    )
    if role:
        users = users.filter(memberships__role=role)
    return users.distinct().order_by("full_name", "username")


def province_codes(agencies) -> list[str] | None:
    """The provinces of these agencies (an agency sits in a province or in a commune of one); None if unknown."""
    codes = set()
    for agency in agencies:
        unit = agency.unit
        if unit is None:
            continue
        if unit.level == UnitLevel.PROVINCE:
            codes.add(unit.code)
        elif unit.parent is not None:
            codes.add(unit.parent.code)
    return sorted(codes) or None


def due_status(dossier: Dossier, *, calendar: WorkCalendar, now: dt.datetime) -> str | None:
    """ "due_soon" / "overdue" / "on_time" while the legal clock runs; None otherwise (final, paused, not received)."""
    if dossier.state not in CLOCK_RUNNING or dossier.appointment_at is None:
        return None
    try:
        return calendar.due_status(deadline=dossier.appointment_at, now=now)
    except CalendarRangeError:
        return None


def dossier_by_submission_key(*, applicant: User, key: str) -> Dossier | None:
    return Dossier.objects.filter(applicant=applicant, submission_key=key).only("code").first()
