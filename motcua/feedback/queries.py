"""Reads of ratings and feedback shared by the pages, the API and the metrics engine.

An officer's reads are scoped to the agencies where they hold an active role (dossiers.policy.officer_roles); a
sender's to the tracking code. Anything else is "not found", the same answer as something that does not exist.

For the metrics engine (group MDHL of the service index), per agency and period [start, end] (local days,
inclusive, as metrics.queries counts): `ratings_between` and `feedback_handling_between`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog.models import Agency
from motcua.dossiers import policy
from motcua.dossiers.models import Dossier
from motcua.feedback import codes
from motcua.feedback.errors import NotFound
from motcua.feedback.models import (
    OPEN_STATUSES,
    RATEABLE_STATES,
    SATISFIED_LEVELS,
    Feedback,
    FeedbackEvent,
    FeedbackRule,
    FeedbackStatus,
    Rating,
    RatingLevel,
)
from motcua.workdays.calendar import TIME_ZONE

# ----- ratings -------------------------------------------------------------------------------------------------


def rating_of(dossier: Dossier) -> Rating | None:
    """The dossier's satisfaction rating, or None when its applicant has not rated it."""
    return Rating.objects.filter(dossier_id=dossier.pk).first()


@dataclass(frozen=True)
class RatingPanel:
    """What the applicant's dossier page shows about rating: whether a rating may be given or changed now."""

    rateable: bool  # the dossier is finished (result returned or stopped) and `user` is its applicant
    rating: Rating | None
    can_rate: bool  # the form is offered: no rating yet, or its window is still open

    @property
    def frozen(self) -> bool:
        return self.rating is not None and not self.can_rate


def rating_panel(user, dossier: Dossier, *, now: dt.datetime | None = None) -> RatingPanel:
    now = now or timezone.now()
    rateable = dossier.state in RATEABLE_STATES and dossier.applicant_id == getattr(user, "pk", None)
    rating = rating_of(dossier) if rateable else None
    can_rate = rateable and (rating is None or now <= rating.changeable_until)
    return RatingPanel(rateable=rateable, rating=rating, can_rate=can_rate)


def _period(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, the day after end 00:00) in Việt Nam's time: the period's local days, inclusive."""
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=TIME_ZONE),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=TIME_ZONE),
    )


def ratings_between(agency_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[str, int]:
    """Ratings of these agencies' dossiers first given in [start, end], by their current level (one query).

    Returns {"very_satisfied": n, "satisfied": n, "not_satisfied": n, "rated": all of them, "rated_satisfied":
    very_satisfied + satisfied} — the index's satisfaction with dossiers is rated_satisfied / rated (N/A when
    rated is 0). A rating counts in the period it was first given; a change within its window changes its level.
    """
    since, until = _period(start, end)
    rows = (
        Rating.objects.filter(agency_id__in=list(agency_ids), rated_at__gte=since, rated_at__lt=until)
        .values("level")
        .annotate(count=Count("pk"))
    )
    counts = {level: 0 for level in RatingLevel.values}
    counts.update({row["level"]: row["count"] for row in rows})
    counts["rated"] = sum(counts[level] for level in RatingLevel.values)
    counts["rated_satisfied"] = sum(counts[level] for level in SATISFIED_LEVELS)
    return counts


# ----- feedback: the metrics engine ---------------------------------------------------------------------------------


def feedback_handling_between(agency_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[str, int]:
    """How these agencies handled feedback in [start, end], each step counted on the day it happened (one query).

    - received: feedback received in the period (routed to these agencies);
    - refused / refused_on_time: refused in the period / of those, within the refusal deadline of receipt;
    - info_requested / info_requested_on_time: asked for more information / within that deadline of receipt;
    - answered / answered_on_time: answered in the period / at or before the answer deadline — counted in
      working days from receipt, the working days spent waiting for the sender's information not counted;
    - published / published_on_time: answers published in the period / within the publication deadline of the
      answer;
    - rated / rated_satisfied: senders' ratings of the answers first given in the period / very satisfied or
      satisfied (the index's satisfaction with feedback handling);
    - open_at_end / overdue_at_end: received by the period's end and neither answered nor refused by then / of
      those, past their answer deadline at the end (waiting for the sender's information is never overdue).

    Deadlines are each feedback's own, from the rules in force at its receipt (FeedbackRule, pinned on it).
    """
    since, until = _period(start, end)
    moments = ("received_at", "refused_at", "info_requested_at", "answered_at", "published_at", "sender_rated_at")
    in_period = {name: Q(**{f"{name}__gte": since, f"{name}__lt": until}) for name in moments}
    open_at_end = (
        Q(received_at__lt=until)
        & (Q(answered_at__isnull=True) | Q(answered_at__gte=until))
        & (Q(refused_at__isnull=True) | Q(refused_at__gte=until))
    )
    return Feedback.objects.filter(agency_id__in=list(agency_ids)).aggregate(
        received=Count("pk", filter=in_period["received_at"]),
        refused=Count("pk", filter=in_period["refused_at"]),
        refused_on_time=Count("pk", filter=in_period["refused_at"] & Q(refused_on_time=True)),
        info_requested=Count("pk", filter=in_period["info_requested_at"]),
        info_requested_on_time=Count("pk", filter=in_period["info_requested_at"] & Q(info_requested_on_time=True)),
        answered=Count("pk", filter=in_period["answered_at"]),
        answered_on_time=Count("pk", filter=in_period["answered_at"] & Q(answered_on_time=True)),
        published=Count("pk", filter=in_period["published_at"]),
        published_on_time=Count("pk", filter=in_period["published_at"] & Q(published_on_time=True)),
        rated=Count("pk", filter=in_period["sender_rated_at"]),
        rated_satisfied=Count("pk", filter=in_period["sender_rated_at"] & Q(sender_rating__in=SATISFIED_LEVELS)),
        open_at_end=Count("pk", filter=open_at_end),
        overdue_at_end=Count("pk", filter=open_at_end & Q(answer_due__lt=until)),
    )


# ----- feedback: the sender ---------------------------------------------------------------------------------------


def feedback_by_code(code: str) -> Feedback:
    """The feedback this tracking code opens; NotFound for any code that is wrong."""
    digest = codes.digest(code)
    feedback = Feedback.objects.select_related("agency", "procedure").filter(digest=digest).first() if digest else None
    if feedback is None:
        raise NotFound(_("Mã theo dõi không đúng. Hãy kiểm tra lại mã đã nhận khi gửi phản ánh, kiến nghị."))
    return feedback


def events_of(feedback: Feedback) -> QuerySet[FeedbackEvent]:
    """The feedback's log in order (officers' names are for the back office; the sender's page shows the agency)."""
    return feedback.events.select_related("actor", "actor_agency").order_by("seq")


def rules() -> dict[str, FeedbackRule]:
    return {rule.kind: rule for rule in FeedbackRule.objects.all()}


def agency_choices() -> list[tuple[str, str]]:
    """(identifier, name) of every active agency, by name: whom a sender may address."""
    return list(Agency.objects.filter(is_active=True).order_by("name", "identifier").values_list("identifier", "name"))


# ----- feedback: the officers -------------------------------------------------------------------------------------

WORKLISTS = ("open", "to_publish", "all")


def officer_feedback(officer) -> QuerySet[Feedback]:
    """Feedback of the agencies where the officer holds an active role (none for anyone else)."""
    agencies = list(policy.officer_roles(officer))
    return Feedback.objects.filter(agency_id__in=agencies).select_related("agency", "procedure")


def officer_feedback_item(officer, feedback_id) -> Feedback:
    import uuid

    try:
        pk = uuid.UUID(str(feedback_id))
    except ValueError:
        pk = None
    feedback = officer_feedback(officer).select_related("dossier", "named_agency").filter(pk=pk).first() if pk else None
    if feedback is None:
        raise NotFound(_("Không tìm thấy phản ánh, kiến nghị này."))
    return feedback


def _worklist_filter(name: str) -> Q:
    if name == "open":
        return Q(status__in=OPEN_STATUSES)
    if name == "to_publish":
        return Q(status=FeedbackStatus.ANSWERED)
    return Q()


def worklist(officer, name: str) -> QuerySet[Feedback]:
    """One list of the officer's feedback: nearest deadline first (so overdue first), waiting ones last."""
    return (
        officer_feedback(officer)
        .filter(_worklist_filter(name))
        .order_by(F("due_at").asc(nulls_last=True), "received_at", "pk")
    )


def worklist_counts(officer) -> dict[str, int]:
    counts = officer_feedback(officer).aggregate(
        **{name: Count("pk", filter=_worklist_filter(name)) for name in WORKLISTS}
    )
    return {name: counts[name] or 0 for name in WORKLISTS}


# ----- the public answers -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicAnswer:
    """A published answer as anyone reads it: never the sender's name, contact or dossier code."""

    id: str
    question: str
    answer: str
    agency_name: str
    procedure_code: str
    procedure_name: str
    received_at: dt.datetime
    answered_at: dt.datetime
    published_at: dt.datetime


PUBLIC_FIELDS = ("pk", "public_question", "public_answer", "agency__name", "procedure__code", "received_at",
                 "answered_at", "published_at")  # fmt: skip


def published_answers(*, agency_identifier: str = "") -> QuerySet:
    """Published answers, newest first, as rows of the public fields only (see PublicAnswer)."""
    found = Feedback.objects.filter(status=FeedbackStatus.PUBLISHED)
    if agency_identifier:
        found = found.filter(agency__identifier=agency_identifier)
    return found.order_by("-published_at", "pk").values(*PUBLIC_FIELDS)


def public_answers(rows) -> list[PublicAnswer]:
    """Rows of `published_answers` (one page) as PublicAnswer, with the procedures' current names (one query)."""
    from motcua.catalog.models import ProcedureVersion

    rows = list(rows)
    codes_wanted = {row["procedure__code"] for row in rows if row["procedure__code"]}
    names = dict(
        ProcedureVersion.objects.filter(is_current=True, procedure__code__in=codes_wanted).values_list(
            "procedure__code", "name"
        )
    )
    return [
        PublicAnswer(
            id=str(row["pk"]),
            question=row["public_question"],
            answer=row["public_answer"],
            agency_name=row["agency__name"],
            procedure_code=row["procedure__code"] or "",
            procedure_name=names.get(row["procedure__code"], ""),
            received_at=row["received_at"],
            answered_at=row["answered_at"],
            published_at=row["published_at"],
        )  # fmt: skip
        for row in rows
    ]
