"""Reads of dossiers shared by the portal, the back office and the API. Every list here has a fixed
number of queries whatever its length (select_related for what each row shows)."""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from motcua.catalog.models import ProcedureVersion
from motcua.dossiers import policy
from motcua.dossiers.models import (
    FINAL_STATES,
    ActionKind,
    Dossier,
    DossierAction,
    DossierComponent,
    DossierState,
    Draft,
)
from motcua.dossiers.transitions import PUBLIC_ACTION_KINDS
from motcua.wallet import queries as wallet_queries

# States in which the legal clock runs (not final, not waiting for the applicant, received).
CLOCK_RUNNING = (DossierState.RECEIVED, DossierState.PROCESSING, DossierState.PAYMENT_REQUESTED)
ACTIVE = [state for state in DossierState if state not in FINAL_STATES]

WORKLISTS = ("mine", "queue", "due_soon", "overdue", "all")


def list_columns(queryset: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """What a row of a dossier list shows."""
    return queryset.select_related(
        "procedure_version", "procedure_version__procedure", "agency", "current_step", "assignee"
    )


def get_visible_dossier(user, code: str) -> Dossier:
    """The dossier with this code if `user` may see it; Dossier.DoesNotExist otherwise (a 404 either way)."""
    return (
        list_columns(policy.visible_dossiers(user))
        .select_related("applicant", "procedure_version__field")
        .prefetch_related(
            Prefetch(
                "components",
                queryset=DossierComponent.objects.select_related("document", "requirement").order_by(
                    "requirement__position", "added_at"
                ),
            )
        )
        .get(code=code)
    )


def applicant_dossiers(user) -> QuerySet[Dossier]:
    """Hồ sơ của tôi: the applicant's own dossiers, newest first."""
    return list_columns(policy.visible_dossiers(user).filter(applicant=user)).order_by("-submitted_at", "-pk")


def actions_for(dossier: Dossier, *, public: bool) -> QuerySet[DossierAction]:
    """The dossier's log in order; `public` keeps only what the applicant and the public see."""
    actions = dossier.actions.select_related("actor", "actor_agency", "step", "assignee").order_by("seq")
    if public:
        actions = actions.filter(kind__in=PUBLIC_ACTION_KINDS)
    return actions


def lookup_dossier(*, code: str, id_last4: str) -> Dossier | None:
    """Tra cứu hồ sơ: the dossier whose code matches and whose applicant's ID ends with these 4 digits."""
    code, id_last4 = (code or "").strip().upper(), (id_last4 or "").strip()
    if not code or len(id_last4) != 4 or not id_last4.isdigit():
        return None
    dossier = Dossier.objects.select_related("procedure_version", "agency").filter(code=code).first()
    if dossier is None or not hmac.compare_digest(dossier.applicant_identifier[-4:], id_last4):
        return None
    return dossier


@dataclass(frozen=True)
class WorklistFilters:
    state: int | None = None
    procedure: str = ""
    search: str = ""
    channel: int | None = None


def _due_soon_limit(now: dt.datetime, calendar=None) -> dt.datetime:
    """Deadlines before this moment are "due soon": by the end of the next working day, as due_status says."""
    from motcua.workdays.calendar import TIME_ZONE
    from motcua.workdays.queries import load_calendar

    day = (calendar or load_calendar()).add_working_days(timezone.localtime(now, TIME_ZONE).date(), 1)
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=TIME_ZONE)


def worklist_filters(user, now: dt.datetime, calendar=None, *, names=WORKLISTS) -> dict[str, Q]:
    """The officer's worklists (those in `names`) as filters over the dossiers they may see.

    Each filter names the columns of an index: `dossier_worklist_idx` covers every count in one index-only
    scan, `dossier_agency_order_idx` and `dossier_active_order_idx` give each list's first page in order."""
    roles = policy.officer_roles(user)
    filters = {}
    if "mine" in names:
        filters["mine"] = Q(assignee=user, state__in=ACTIVE)
    if "queue" in names:
        queue = Q(pk__in=[])
        for agency_id, agency_roles in roles.items():
            queue |= Q(agency_id=agency_id, current_step__role__in=agency_roles, assignee__isnull=True)
        receiving = [agency_id for agency_id, agency_roles in roles.items() if "reception" in agency_roles]
        # My step's unassigned dossiers; for reception, also everything filed online and not yet received.
        # "Active" stands outside the OR (both arms imply it): the planner then matches the partial index on
        # active dossiers at once, instead of spending milliseconds proving it through each arm.
        filters["queue"] = Q(state__in=ACTIVE) & (queue | Q(agency_id__in=receiving, state=DossierState.SUBMITTED))
    running = Q(state__in=CLOCK_RUNNING)
    if "due_soon" in names:
        limit = _due_soon_limit(now, calendar)  # the calendar is read only for this list
        filters["due_soon"] = running & Q(appointment_at__gte=now, appointment_at__lt=limit)
    if "overdue" in names:
        filters["overdue"] = running & Q(appointment_at__lt=now)
    if "all" in names:
        filters["all"] = Q()
    return filters


def worklist(
    user, name: str, *, filters: WorklistFilters | None = None, now: dt.datetime | None = None, calendar=None
) -> QuerySet[Dossier]:
    """One worklist of an officer, filtered, ordered by urgency (nearest appointment first).

    Pass the request's `calendar` (workdays.queries.load_calendar()) to share it with worklist_counts."""
    now = now or timezone.now()
    queryset = policy.visible_dossiers(user).filter(worklist_filters(user, now, calendar, names=(name,))[name])
    filters = filters or WorklistFilters()
    if filters.state:
        queryset = queryset.filter(state=filters.state)
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.procedure:
        queryset = queryset.filter(procedure_version__procedure__code=filters.procedure)
    if filters.search:
        term = filters.search.strip()
        queryset = queryset.filter(Q(code__icontains=term) | Q(applicant_name__icontains=term))
    return list_columns(queryset).order_by("appointment_at", "submitted_at", "pk")


def worklist_counts(user, *, now: dt.datetime | None = None, calendar=None) -> dict[str, int]:
    """How many dossiers each worklist holds, in one query (an index-only scan of `dossier_worklist_idx`)."""
    now = now or timezone.now()
    conditions = worklist_filters(user, now, calendar)
    # COUNT(agency_id) (never null), not COUNT(id): every column the filters read is in the index, the id is not.
    return policy.visible_dossiers(user).aggregate(
        **{name: Count("agency_id", filter=condition) for name, condition in conditions.items()}
    )


def get_visible_component(user, code: str, component_id: int) -> DossierComponent:
    """A document of a dossier `user` may see; DossierComponent.DoesNotExist otherwise (a 404 either way)."""
    return DossierComponent.objects.select_related("document").get(
        pk=component_id, dossier__in=policy.visible_dossiers(user).filter(code=code)
    )


# ----- drafts (hồ sơ nháp) ---------------------------------------------------------------------------------------


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
    return applicant_dossiers(user).filter(submission_key=key).first()


def requested_components(dossier: Dossier) -> list[int]:
    """The components the latest supplement request names (empty: it names none, so any may be supplemented)."""
    request = dossier.actions.filter(kind=ActionKind.REQUEST_SUPPLEMENT).order_by("-seq").first()
    return list(request.data.get("requirements", [])) if request else []


def supplementable_components(dossier: Dossier) -> list:
    """The components the applicant is invited to upload again: those the request names, else all of them."""
    requested = requested_components(dossier)
    components = dossier.procedure_version.components.all()
    return list(components.filter(pk__in=requested) if requested else components)


def with_verified_documents(applicant, version: ProcedureVersion, files) -> dict:
    """The files given, plus for every component left empty the applicant's verified document of its type.

    What an agency issued is never asked for again (NĐ 45/2020/NĐ-CP): the components page and the review show
    it, and the submission attaches it.
    """
    files = {requirement_id: list(documents) for requirement_id, documents in files.items()}
    empty = [r for r in version.components.all() if r.document_type_id and not files.get(r.pk)]
    if not empty:
        return files
    for requirement_id, offers in wallet_queries.offers_for(applicant, empty).items():
        verified = next((offer for offer in offers if offer.is_verified), None)
        if verified is not None:
            files[requirement_id] = [verified.document]
    return files


def verified_fields(actions) -> set[str]:
    """The e-form keys whose values the submission took from verified documents (recorded on the submit action)."""
    submitted = next((action for action in actions if action.kind == ActionKind.SUBMIT), None)
    return set((submitted.data or {}).get("verified_fields", {})) if submitted is not None else set()
