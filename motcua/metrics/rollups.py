"""Writes of the roll-ups: one dossier's or feedback's fact refreshed (and its deltas applied), or all rebuilt.

A dossier's deltas go to DailyCount and MonthlyCount (per agency) and to ProcedureDailyCount (per agency and
procedure); a feedback's only to the first two (feedback need not concern a procedure).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.db.models import F, Prefetch

from motcua.dossiers.models import Dossier
from motcua.feedback.models import Feedback, Rating
from motcua.metrics import facts, feedback_facts
from motcua.metrics.models import (
    DailyCount,
    DossierFact,
    FeedbackFact,
    IndexScheme,
    MonthlyCount,
    ProcedureDailyCount,
    SchemeStatus,
)
from motcua.sync.models import SyncRecord

REBUILD_BATCH = 1000
_FACT_FIELDS = [
    f.name for f in dataclasses.fields(facts.Fact) if f.name not in ("second_pending_request_at", "sync_changes")
]


# What the facts read of the sync records (not their payloads).
_SYNC_RECORDS = Prefetch("sync_records", queryset=SyncRecord.objects.only("pk", "dossier_id", "changed_at", "status"))


def counting_rules() -> dict:
    """The counting rules of the scheme in force (how extensions count); they shape the facts themselves."""
    scheme = IndexScheme.objects.filter(status=SchemeStatus.PUBLISHED).order_by("-valid_from", "-version").first()
    return dict(scheme.rules) if scheme is not None else {}


def _rating(dossier: Dossier) -> Rating | None:
    try:
        return dossier.satisfaction_rating
    except Rating.DoesNotExist:
        return None


def _derive(dossier: Dossier, rules: Mapping) -> facts.Fact:
    return facts.derive(
        dossier, dossier.actions.all(), dossier.components.all(), rating=_rating(dossier), rules=rules,
        sync_records=dossier.sync_records.all(),
    )  # fmt: skip


def _dossiers():
    return Dossier.objects.select_related("procedure_version", "satisfaction_rating").only(
        "pk", "agency_id", "channel", "is_full_process", "procedure_version__procedure_id",
        "satisfaction_rating__rated_at", "satisfaction_rating__level",
    )  # fmt: skip


def refresh_fact(*, dossier_id: int, rules: Mapping | None = None) -> DossierFact | None:
    """Derive the dossier's fact again and move the roll-ups by the difference. Idempotent: a second run with no
    new action changes nothing. Runs in the outbox handler's transaction (or its own)."""
    dossier = _dossiers().filter(pk=dossier_id).prefetch_related(_SYNC_RECORDS).first()
    if dossier is None:
        return None
    with transaction.atomic():
        # Create-then-lock, so two workers refreshing one dossier take turns instead of racing the insert.
        DossierFact.objects.bulk_create(
            [DossierFact(dossier_id=dossier.pk, agency_id=dossier.agency_id,
                         procedure_id=dossier.procedure_version.procedure_id, channel=dossier.channel)],
            ignore_conflicts=True,
        )  # fmt: skip
        row = DossierFact.objects.select_for_update().get(pk=dossier.pk)
        fact = _derive(dossier, counting_rules() if rules is None else rules)
        new = facts.contributions(fact)
        _apply(dossier.agency_id, _difference(row.contributions or {}, new), procedure_id=row.procedure_id)
        for name in _FACT_FIELDS:
            setattr(row, name, getattr(fact, name))
        row.contributions = new
        row.save()
    return row


def refresh_feedback_fact(*, feedback_id) -> FeedbackFact | None:
    """The same for one feedback: its deltas again, the roll-ups moved by the difference. Idempotent."""
    feedback = Feedback.objects.filter(pk=feedback_id).first()
    if feedback is None:
        return None
    with transaction.atomic():
        FeedbackFact.objects.bulk_create(
            [FeedbackFact(feedback_id=feedback.pk, agency_id=feedback.agency_id)], ignore_conflicts=True
        )
        row = FeedbackFact.objects.select_for_update().get(pk=feedback.pk)
        new = feedback_facts.contributions(feedback)
        _apply(row.agency_id, _difference(row.contributions or {}, new))
        row.contributions = new
        row.save(update_fields=["contributions"])
    return row


def _difference(old: Mapping[str, int], new: Mapping[str, int]) -> dict[str, int]:
    keys = set(old) | set(new)
    return {key: new.get(key, 0) - old.get(key, 0) for key in keys if new.get(key, 0) != old.get(key, 0)}


def by_month(deltas: Mapping[tuple[str, object], int]) -> dict[tuple[str, object], int]:
    """(measure, day) → delta summed into (measure, first day of the month) → delta, zeros dropped."""
    months: dict[tuple[str, object], int] = defaultdict(int)
    for (measure, day), delta in deltas.items():
        months[(measure, day.replace(day=1))] += delta
    return {key: value for key, value in months.items() if value}


def _add(model, where: Mapping, column: str, deltas: Mapping[tuple[str, object], int]) -> None:
    keys = sorted(deltas)
    model.objects.bulk_create(
        [model(**where, measure=measure, **{column: when}, value=0) for measure, when in keys], ignore_conflicts=True
    )
    for measure, when in keys:
        model.objects.filter(**where, measure=measure, **{column: when}).update(
            value=F("value") + deltas[measure, when]
        )


def _apply(agency_id: int, deltas: Mapping[str, int], *, procedure_id: int | None = None) -> None:
    """Add the deltas to the day and month counts (and the procedure's), in one fixed order — DailyCount,
    MonthlyCount, ProcedureDailyCount, each by key — so two workers never wait on each other in a cycle."""
    if not deltas:
        return
    days = {facts.split_key(key): delta for key, delta in deltas.items()}
    _add(DailyCount, {"agency_id": agency_id}, "day", days)
    _add(MonthlyCount, {"agency_id": agency_id}, "month", by_month(days))
    if procedure_id is not None:
        _add(ProcedureDailyCount, {"agency_id": agency_id, "procedure_id": procedure_id}, "day", days)


def months_from_days() -> int:
    """Sum MonthlyCount anew from DailyCount (for tables filled in bulk, e.g. by the benchmark). Returns its rows."""
    from django.db.models import Sum
    from django.db.models.functions import TruncMonth

    with transaction.atomic():
        MonthlyCount.objects.all().delete()
        rows = (
            DailyCount.objects.annotate(month=TruncMonth("day"))
            .values("agency_id", "month", "measure")
            .annotate(total=Sum("value"))
            .order_by()
        )
        made = MonthlyCount.objects.bulk_create(
            (
                MonthlyCount(agency_id=row["agency_id"], month=row["month"], measure=row["measure"], value=row["total"])
                for row in rows.iterator()
                if row["total"]
            ),
            batch_size=REBUILD_BATCH,
        )
    return len(made)


def rebuild(*, batch: int = REBUILD_BATCH, dossier_ids: Iterable[int] | None = None) -> int:
    """Derive every fact from the action logs (and the feedback rows) and sum the day counts from nothing, in one
    transaction.

    What `refresh_fact` and `refresh_feedback_fact` keep up change by change must equal this (the tests compare
    them). Returns the number of dossiers read. With `dossier_ids`, only those dossiers and no feedback (tests).
    """
    rules = counting_rules()
    totals: dict[tuple[int, str, object], int] = defaultdict(int)
    by_procedure: dict[tuple[int, int, str, object], int] = defaultdict(int)
    count = 0
    with transaction.atomic():
        ProcedureDailyCount.objects.all().delete()
        MonthlyCount.objects.all().delete()
        DailyCount.objects.all().delete()
        DossierFact.objects.all().delete()
        FeedbackFact.objects.all().delete()
        queryset = _dossiers().order_by("pk").prefetch_related("actions", "components", _SYNC_RECORDS)
        if dossier_ids is not None:
            queryset = queryset.filter(pk__in=list(dossier_ids))
        pending: list[DossierFact] = []
        for dossier in queryset.iterator(chunk_size=batch):
            fact = _derive(dossier, rules)
            contributed = facts.contributions(fact)
            for key, delta in contributed.items():
                measure, day = facts.split_key(key)
                totals[(dossier.agency_id, measure, day)] += delta
                by_procedure[(dossier.agency_id, fact.procedure_id, measure, day)] += delta
            row = DossierFact(dossier_id=dossier.pk, contributions=contributed)
            for name in _FACT_FIELDS:
                setattr(row, name, getattr(fact, name))
            pending.append(row)
            count += 1
            if len(pending) >= batch:
                DossierFact.objects.bulk_create(pending)
                pending = []
        DossierFact.objects.bulk_create(pending)
        if dossier_ids is None:
            feedback_rows = []
            for feedback in Feedback.objects.order_by("pk").iterator(chunk_size=batch):
                contributed = feedback_facts.contributions(feedback)
                for key, delta in contributed.items():
                    measure, day = facts.split_key(key)
                    totals[(feedback.agency_id, measure, day)] += delta
                feedback_rows.append(
                    FeedbackFact(feedback_id=feedback.pk, agency_id=feedback.agency_id, contributions=contributed)
                )
                if len(feedback_rows) >= batch:
                    FeedbackFact.objects.bulk_create(feedback_rows)
                    feedback_rows = []
            FeedbackFact.objects.bulk_create(feedback_rows)
        DailyCount.objects.bulk_create(
            [
                DailyCount(agency_id=a, measure=measure, day=day, value=v)
                for (a, measure, day), v in totals.items()
                if v
            ],
            batch_size=batch,
        )
        months: dict[tuple[int, str, object], int] = defaultdict(int)
        for (a, measure, day), v in totals.items():
            months[(a, measure, day.replace(day=1))] += v
        MonthlyCount.objects.bulk_create(
            [
                MonthlyCount(agency_id=a, measure=measure, month=month, value=v)
                for (a, measure, month), v in months.items()
                if v
            ],
            batch_size=batch,
        )
        ProcedureDailyCount.objects.bulk_create(
            [
                ProcedureDailyCount(agency_id=a, procedure_id=p, measure=measure, day=day, value=v)
                for (a, p, measure, day), v in by_procedure.items()
                if v
            ],
            batch_size=batch,
        )
    return count
