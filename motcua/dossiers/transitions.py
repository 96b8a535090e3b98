"""The dossier state machine: which action may happen in which state, by whom. The one place that says so."""

from __future__ import annotations

from dataclasses import dataclass

from motcua.catalog.models import OfficerRole
from motcua.dossiers.models import ActionKind, DossierState

APPLICANT = "applicant"
# NĐ 118/2025: the agency asks for a supplement once, listing everything missing; a second request
# is allowed for what the first could not foresee, not more.
MAX_SUPPLEMENT_REQUESTS = 2
# The target state of a supplement is the state the dossier was in when the supplement was requested.
RESUME = -1

S = DossierState
R = OfficerRole


@dataclass(frozen=True)
class Transition:
    kind: str
    from_states: frozenset[int]
    to_state: int | None  # None: the state does not change
    roles: frozenset[str]
    # Step actions must be taken by someone holding the current step's role (or its assignee).
    step_bound: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.kind: t
    for t in (
        Transition(ActionKind.RECEIVE, frozenset({S.SUBMITTED}), S.RECEIVED, frozenset({R.RECEPTION})),
        Transition(
            ActionKind.REQUEST_SUPPLEMENT,
            frozenset({S.SUBMITTED, S.RECEIVED, S.PROCESSING}),
            S.SUPPLEMENT_REQUESTED,
            frozenset({R.RECEPTION, R.SPECIALIST}),
        ),
        Transition(ActionKind.SUPPLEMENT, frozenset({S.SUPPLEMENT_REQUESTED}), RESUME, frozenset({APPLICANT})),
        Transition(
            ActionKind.REFUSE, frozenset({S.SUBMITTED, S.SUPPLEMENT_REQUESTED}), S.REFUSED, frozenset({R.RECEPTION})
        ),
        Transition(
            ActionKind.ASSIGN,
            frozenset({S.RECEIVED, S.PROCESSING, S.RESULT_READY}),
            None,
            frozenset({R.LEADER, R.ADMINISTRATOR, R.RECEPTION, R.SPECIALIST}),
        ),
        Transition(
            ActionKind.HAND_OFF,
            frozenset({S.RECEIVED, S.PROCESSING}),
            S.PROCESSING,
            frozenset({R.RECEPTION, R.SPECIALIST, R.LEADER}),
            step_bound=True,
        ),
        Transition(
            ActionKind.RETURN_STEP,
            frozenset({S.PROCESSING}),
            S.PROCESSING,
            frozenset({R.SPECIALIST, R.LEADER}),
            step_bound=True,
        ),
        Transition(
            ActionKind.REQUEST_PAYMENT,
            frozenset({S.PROCESSING}),
            S.PAYMENT_REQUESTED,
            frozenset({R.RECEPTION, R.SPECIALIST, R.LEADER}),
        ),
        Transition(
            ActionKind.CONFIRM_PAYMENT,
            frozenset({S.PAYMENT_REQUESTED}),
            S.PROCESSING,
            frozenset({R.RECEPTION, R.SPECIALIST}),
        ),
        Transition(
            ActionKind.APPROVE,
            frozenset({S.RECEIVED, S.PROCESSING}),
            S.RESULT_READY,
            frozenset({R.LEADER}),
            step_bound=True,
        ),
        Transition(ActionKind.RETURN_RESULT, frozenset({S.RESULT_READY}), S.RESULT_RETURNED, frozenset({R.RECEPTION})),
        Transition(
            ActionKind.WITHDRAW,
            frozenset({S.SUBMITTED, S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED}),
            S.WITHDRAWN,
            frozenset({APPLICANT}),
        ),
        Transition(
            ActionKind.EXTEND,
            frozenset({S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED}),
            None,
            frozenset({R.LEADER, R.RECEPTION}),
        ),
        Transition(
            ActionKind.STOP,
            frozenset({S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.PAYMENT_REQUESTED}),
            S.STOPPED,
            frozenset({R.LEADER}),
        ),
    )
}

# Actions only an officer may take on a dossier of their agency (everything but the applicant's own).
OFFICER_ACTIONS = frozenset(kind for kind, t in TRANSITIONS.items() if APPLICANT not in t.roles)
APPLICANT_ACTIONS = frozenset(kind for kind, t in TRANSITIONS.items() if APPLICANT in t.roles)

# What the applicant and the public see of the log, and what the applicant is notified of: the steps that
# concern them, not the agency's internal moves.
PUBLIC_ACTION_KINDS = (
    ActionKind.SUBMIT,
    ActionKind.REGISTER_DIRECT,
    ActionKind.RECEIVE,
    ActionKind.REQUEST_SUPPLEMENT,
    ActionKind.SUPPLEMENT,
    ActionKind.REFUSE,
    ActionKind.REQUEST_PAYMENT,
    ActionKind.CONFIRM_PAYMENT,
    ActionKind.APPROVE,
    ActionKind.RETURN_RESULT,
    ActionKind.WITHDRAW,
    ActionKind.EXTEND,
    ActionKind.STOP,
)
