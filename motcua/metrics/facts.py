"""What the index counts of one dossier, derived from its action log — and the day deltas that follow from it.

Pure functions: `derive(dossier, actions, components)` reads the log the way DOMAIN.md's rules say, and
`contributions(fact)` turns the result into (measure, day) → delta, the dossier's whole share of `DailyCount`.
The roll-up applies the difference between a dossier's old and new contributions, and the rebuild sums them
from scratch: both must give the same figures.

The rules, as the code applies them:
- Only received dossiers count (tiếp nhận: online ones received by the desk, or registered at the desk). One
  refused at reception was never received; a withdrawn one leaves the figures altogether (it was neither
  resolved nor is it in progress), and so does one whose agency stopped nothing yet.
- The appointment is the legal one: set at receipt, moved by each supplement (the clock stood still while the
  applicant supplemented). An apology and extension (form 04) does not move it unless the scheme says so
  (`rules["extension_moves_appointment"]`): the dossier was late, and the letter says so.
- Processing ends at the first of: result ready (approved), result returned, stopped. It is early when it ends
  on a day before the appointment's day, late when it ends after the appointment, on time otherwise.
- An unfinished dossier is judged at the period's end: overdue from the day after its appointment; while one
  supplement request is pending it is judged at the request (overdue only if the request came after the
  appointment); with more than one request pending it counts as overdue from the second request.
- A satisfaction rating counts on the day it was first given, at its current level (a change within its window
  changes the level, not the day) — feedback.queries.ratings_between counts the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from motcua.dossiers.models import ActionKind, ChannelCode, ComponentSource
from motcua.feedback.models import SATISFIED_LEVELS
from motcua.metrics import measures as m
from motcua.metrics.models import Outcome
from motcua.sync.models import RecordStatus

ENDING_KINDS = (ActionKind.APPROVE, ActionKind.RETURN_RESULT, ActionKind.STOP)
RECEIVING_KINDS = (ActionKind.RECEIVE, ActionKind.REGISTER_DIRECT)


@dataclass
class Fact:
    """The derived values of one dossier (DossierFact's fields, without the database)."""

    agency_id: int
    procedure_id: int
    channel: int
    full_process: bool
    received_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    outcome: str = ""
    overdue_on: dt.date | None = None
    withdrawn: bool = False
    supplement_requests: int = 0
    pending_supplement_since: dt.datetime | None = None
    second_pending_request_at: dt.datetime | None = None
    fees_paid_at: dt.datetime | None = None
    fees_paid_online: bool = False
    result_issued_at: dt.datetime | None = None
    components: int = 0
    components_digitised: int = 0
    components_reused: int = 0
    rated_at: dt.datetime | None = None
    rated_satisfied: bool = False
    last_seq: int = 0
    # (day of the change, accepted by the national portal) for each change recorded for it; not a column: it
    # lives in the fact's contributions.
    sync_changes: tuple[tuple[dt.date, bool], ...] = ()


def _moment(value) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    return parse_datetime(value) if isinstance(value, str) and value else None


def derive(
    dossier,
    actions: Iterable,
    components: Iterable,
    *,
    rating=None,
    rules: Mapping | None = None,
    sync_records: Iterable = (),
) -> Fact:
    """The fact of `dossier` from its actions (any order; read by `seq`), its components, its rating and its
    changes recorded for the national portal."""
    rules = rules or {}
    fact = Fact(
        agency_id=dossier.agency_id, procedure_id=dossier.procedure_version.procedure_id, channel=dossier.channel,
        full_process=dossier.is_full_process,
    )  # fmt: skip
    pending_requests: list[dt.datetime] = []
    for action in sorted(actions, key=lambda a: a.seq):
        fact.last_seq = max(fact.last_seq, action.seq)
        data = action.data or {}
        if action.kind in RECEIVING_KINDS:
            fact.received_at = action.at
            fact.due_at = _moment(data.get("appointment_at"))
        elif action.kind == ActionKind.REQUEST_SUPPLEMENT and fact.received_at is not None:
            fact.supplement_requests += 1
            pending_requests.append(action.at)
        elif action.kind == ActionKind.SUPPLEMENT:
            pending_requests.clear()
            if fact.received_at is not None and data.get("appointment_at"):
                fact.due_at = _moment(data["appointment_at"])
        elif action.kind == ActionKind.EXTEND and rules.get("extension_moves_appointment"):
            fact.due_at = _moment(data.get("appointment_at")) or fact.due_at
        elif action.kind in ENDING_KINDS and fact.received_at is not None and fact.ended_at is None:
            fact.ended_at = action.at
            if action.kind in (ActionKind.APPROVE,):
                fact.result_issued_at = action.at  # every approval issues its signed result (signing.receivers)
        elif action.kind == ActionKind.WITHDRAW:
            fact.withdrawn = True
        elif action.kind == ActionKind.CONFIRM_PAYMENT and fact.fees_paid_at is None:
            fact.fees_paid_at = action.at
            fact.fees_paid_online = data.get("channel") == "online"
    if pending_requests and fact.ended_at is None:
        fact.pending_supplement_since = pending_requests[0]
        fact.second_pending_request_at = pending_requests[1] if len(pending_requests) > 1 else None
    if fact.ended_at is not None:
        fact.outcome = outcome_of(ended_at=fact.ended_at, due_at=fact.due_at)
    fact.overdue_on = counted_overdue_on(fact)
    for component in components:
        fact.components += 1
        fact.components_digitised += component.source == ComponentSource.DIGITISED
        fact.components_reused += component.source == ComponentSource.REUSED
    if rating is not None:
        fact.rated_at = rating.rated_at
        fact.rated_satisfied = rating.level in SATISFIED_LEVELS
    fact.sync_changes = tuple(
        (_day(record.changed_at), record.status == RecordStatus.ACCEPTED) for record in sync_records
    )
    return fact


def _day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def outcome_of(*, ended_at: dt.datetime, due_at: dt.datetime | None) -> str:
    if due_at is None:
        return Outcome.ON_TIME  # no appointment (nothing to be late for)
    if ended_at > due_at:
        return Outcome.LATE
    return Outcome.EARLY if _day(ended_at) < _day(due_at) else Outcome.ON_TIME


def overdue_from(fact: Fact) -> dt.date | None:
    """The first day at whose end the dossier stands open and overdue (None: never, as far as the log goes)."""
    if fact.received_at is None or fact.due_at is None:
        return None
    after_due = _day(fact.due_at) + dt.timedelta(days=1)
    if fact.ended_at is not None:
        return after_due if fact.outcome == Outcome.LATE else None
    if fact.second_pending_request_at is not None:
        return min(after_due, _day(fact.second_pending_request_at))
    if fact.pending_supplement_since is not None:
        return after_due if fact.pending_supplement_since > fact.due_at else None
    return after_due


class Deltas(dict):
    """ "measure|YYYY-MM-DD" → delta (JSON-friendly, summable); a key whose delta sums to 0 disappears."""

    def add(self, measure: str, day: dt.date, delta: int = 1) -> None:
        if delta:
            key = f"{measure}|{day.isoformat()}"
            self[key] = self.get(key, 0) + delta
            if self[key] == 0:
                del self[key]


def counted_overdue_on(fact: Fact) -> dt.date | None:
    """The day from whose end the dossier counts as open and overdue, if it ever does before it ends."""
    if fact.withdrawn:
        return None  # it counts nowhere
    overdue = overdue_from(fact)
    if overdue is None or (fact.ended_at is not None and overdue >= _day(fact.ended_at)):
        return None
    return overdue


def contributions(fact: Fact) -> dict[str, int]:
    """The fact's share of DailyCount as "measure|YYYY-MM-DD" → delta (JSON-friendly, summable)."""
    found = Deltas()
    add = found.add
    for day, accepted in fact.sync_changes:  # the duty to sync holds for every dossier, withdrawn ones too
        add(m.SYNC_CHANGES, day)
        add(m.SYNC_CHANGES_ACCEPTED, day, int(accepted))
    if fact.withdrawn:
        return dict(found)
    if fact.rated_at is not None:  # only finished dossiers can be rated (feedback.models.RATEABLE_STATES)
        add(m.DOSSIERS_RATED, _day(fact.rated_at))
        add(m.DOSSIERS_RATED_SATISFIED, _day(fact.rated_at), int(fact.rated_satisfied))
    if fact.received_at is None:
        return dict(found)
    received = _day(fact.received_at)
    online = fact.channel == ChannelCode.ONLINE
    add(m.RECEIVED_ONLINE if online else m.RECEIVED_DIRECT, received)
    if online and fact.full_process:
        add(m.RECEIVED_FULL_ONLINE, received)
    add(m.COMPONENTS, received, fact.components)
    add(m.COMPONENTS_DIGITISED, received, fact.components_digitised)
    add(m.COMPONENTS_REUSED, received, fact.components_reused)
    add(m.OPEN, received)
    ended = _day(fact.ended_at) if fact.ended_at is not None else None
    if ended is not None:
        add(m.OPEN, ended, -1)
        add({Outcome.EARLY: m.RESOLVED_EARLY, Outcome.ON_TIME: m.RESOLVED_ON_TIME}.get(fact.outcome, m.RESOLVED_LATE),
            ended)  # fmt: skip
    overdue = counted_overdue_on(fact)
    if overdue is not None:
        add(m.OPEN_OVERDUE, overdue)
        if ended is not None:
            add(m.OPEN_OVERDUE, ended, -1)
    if fact.fees_paid_at is not None:
        add(m.FEES_PAID, _day(fact.fees_paid_at))
        if fact.fees_paid_online:
            add(m.FEES_PAID_ONLINE, _day(fact.fees_paid_at))
    if fact.result_issued_at is not None:
        add(m.RESULTS_ISSUED, _day(fact.result_issued_at))
    return dict(found)


def split_key(key: str) -> tuple[str, dt.date]:
    measure, day = key.split("|", 1)
    return measure, dt.date.fromisoformat(day)
