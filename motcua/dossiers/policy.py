"""The permission layer for dossiers: who may see a dossier and who may take which action on it.

Every dossier page and endpoint goes through these functions; nothing else decides access.
An applicant sees their own dossiers; an officer sees the dossiers of the agencies where they hold an
active role; nobody else sees any. A dossier one may not see is "not found" (404), never "forbidden".
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from motcua.accounts.models import Membership, UserKind
from motcua.catalog.models import OfficerRole
from motcua.dossiers.models import ActionKind, Dossier, DossierState
from motcua.dossiers.steps import approval_step, next_step, previous_step
from motcua.dossiers.transitions import APPLICANT, MAX_SUPPLEMENT_REQUESTS, TRANSITIONS, Transition


def officer_roles(user) -> dict[int, set[str]]:
    """Agency id → the roles the officer holds there (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False) or user.kind != UserKind.OFFICER:
        return {}
    cached = getattr(user, "_motcua_roles", None)
    if cached is None:
        cached = {}
        for agency_id, role in Membership.objects.filter(user=user, is_active=True).values_list("agency_id", "role"):
            cached.setdefault(agency_id, set()).add(role)
        user._motcua_roles = cached
    return cached


def visibility_filter(user) -> Q:
    """The dossiers a user may see, as a filter (for lists and for single lookups alike)."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if user.kind == UserKind.OFFICER:
        return Q(agency_id__in=list(officer_roles(user)))
    if user.kind in (UserKind.CITIZEN, UserKind.ORGANISATION):
        return Q(applicant=user)
    return Q(pk__in=[])


def visible_dossiers(user) -> QuerySet[Dossier]:
    return Dossier.objects.filter(visibility_filter(user))


def acting_roles(user, dossier: Dossier) -> set[str]:
    """The capacities in which this user can act on this dossier: APPLICANT and/or officer roles."""
    roles: set[str] = set()
    if getattr(user, "is_authenticated", False) and dossier.applicant_id == user.pk:
        roles.add(APPLICANT)
    roles |= officer_roles(user).get(dossier.agency_id, set())
    return roles


# Đối soát thanh toán: the agency's head and its one-stop desk (which takes the fees) answer for the day's money.
PAYMENTS_REPORT_ROLES = frozenset({OfficerRole.LEADER, OfficerRole.RECEPTION})


def is_operator(user) -> bool:
    """A system operator (quản trị hệ thống): sees payment receipts and reports of every agency."""
    return getattr(user, "is_authenticated", False) and user.kind == UserKind.OPERATOR


def can_view_receipt(user, dossier: Dossier) -> bool:
    """Biên lai điện tử of a dossier's payments: its applicant, any officer of its agency, and operators."""
    return is_operator(user) or bool(acting_roles(user, dossier))


def payments_report_agency_ids(user) -> set[int]:
    """The agencies whose daily payment reconciliation an officer may open (operators: see below)."""
    return {agency_id for agency_id, roles in officer_roles(user).items() if roles & PAYMENTS_REPORT_ROLES}


def can_view_payments_report(user, agency) -> bool:
    """Báo cáo đối soát of `agency`: its leaders and one-stop desk officers, and operators."""
    return is_operator(user) or agency.pk in payments_report_agency_ids(user)


def figures_agency_ids(user) -> set[int]:
    """Agencies whose figures an officer opens in the back office — the operations dashboard (bảng điều hành) and
    the statistical report (Biểu II.06a, with everything under them): where they hold any active role. Operators
    (is_operator) open every agency's (see can_view_figures)."""
    return set(officer_roles(user))


def can_view_figures(user, agency) -> bool:
    return is_operator(user) or agency.pk in figures_agency_ids(user)


def can_issue_account_claim(user, dossier: Dossier) -> bool:
    """Mã kích hoạt tài khoản for the applicant of a dossier: the desk of its agency, for a walk-in's account."""
    return OfficerRole.RECEPTION in officer_roles(user).get(dossier.agency_id, set()) and dossier.applicant.awaits_claim


def can_manage_results(user, dossier: Dossier) -> bool:
    """Thu hồi, cấp lại kết quả: only a leader of the dossier's agency (who may sign for it)."""
    return OfficerRole.LEADER in officer_roles(user).get(dossier.agency_id, set())


def _step_allows(user, dossier: Dossier, transition: Transition, role: str) -> bool:
    """Step actions: the step's role is needed, and once assigned, only the assignee (or a leader) acts."""
    if not transition.step_bound or dossier.current_step_id is None:
        return True
    if dossier.current_step.is_partner_step:  # another agency has it (liên thông): its answer moves it on
        return False
    if role != dossier.current_step.role:
        return False
    return dossier.assignee_id in (None, user.pk) or role == "leader"


def _state_allows(dossier: Dossier, kind: str) -> bool:
    """Conditions beyond the state itself."""
    if kind == ActionKind.ASSIGN and dossier.current_step_id is not None and dossier.current_step.is_partner_step:
        return False  # nobody here holds a step another agency performs
    if kind == ActionKind.REFUSE and dossier.state == DossierState.SUPPLEMENT_REQUESTED:
        return dossier.resume_state == DossierState.SUBMITTED  # refusal belongs to reception only
    if kind == ActionKind.REQUEST_SUPPLEMENT and dossier.supplement_count >= MAX_SUPPLEMENT_REQUESTS:
        return False
    approval = approval_step(dossier)
    if kind == ActionKind.HAND_OFF:
        # Hand-offs lead up to the approval step; only approving moves a dossier past it.
        following = next_step(dossier)
        return following is not None and (approval is None or following.position <= approval.position)
    if kind == ActionKind.RETURN_STEP:
        return previous_step(dossier) is not None
    if kind == ActionKind.APPROVE:
        if has_unpaid_bill(dossier):
            return False  # no result before the fees are paid
        if dossier.current_step_id is not None:
            return approval is not None and dossier.current_step_id == approval.pk
    return True


def has_unpaid_bill(dossier: Dossier) -> bool:
    """Whether the dossier has a fee bill still open (the payments app's bills, read through their relation)."""
    return dossier.bills.filter(status="open").exists()


def role_for_action(user, dossier: Dossier, kind: str) -> str | None:
    """The role in which `user` may take action `kind` on `dossier` now, or None if they may not."""
    transition = TRANSITIONS.get(kind)
    if transition is None or dossier.state not in transition.from_states or not _state_allows(dossier, kind):
        return None
    for role in sorted(acting_roles(user, dossier) & transition.roles):
        if _step_allows(user, dossier, transition, role):
            return role
    return None


def allowed_actions(user, dossier: Dossier) -> list[str]:
    """Every action `user` may take on `dossier` in its current state, in the state machine's order."""
    return [kind for kind in TRANSITIONS if role_for_action(user, dossier, kind) is not None]
