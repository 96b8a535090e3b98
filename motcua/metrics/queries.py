"""Reads of the roll-ups: the measures of some agencies over a period, and report II.06a.

Every figure is a sum of deltas — flow measures over the period, stock measures over everything up to its end —
read from `MonthlyCount` for the whole months and from `DailyCount` for the days of partial months (one UNION
query per sum), so it costs O(agencies × months + agencies × days of partial months), whatever the number of
dossiers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from motcua.catalog.models import Agency
from motcua.dossiers.models import ChannelCode
from motcua.metrics import measures as m
from motcua.metrics.models import DailyCount, DossierFact, MonthlyCount, Outcome, ProcedureDailyCount
from motcua.workdays.calendar import TIME_ZONE

# The longest period any page or the API reports on (five years).
MAX_PERIOD_DAYS = 366 * 5


def _spans(start: dt.date | None, end: dt.date) -> tuple[tuple[dt.date, dt.date] | None, list[tuple[dt.date, dt.date]]]:
    """[start, end] (start None: from the beginning) as its whole months (first days of the first and last) and the
    day spans of its partial months."""
    after_end = end + dt.timedelta(days=1)
    last_whole = after_end.replace(day=1)  # months before this one end within the period
    if start is None:
        return (dt.date.min, last_whole - dt.timedelta(days=1)), [(last_whole, end)] if last_whole <= end else []
    first_whole = start if start.day == 1 else (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    if first_whole >= last_whole:  # no whole month inside
        return None, [(start, end)]
    days = [(start, first_whole - dt.timedelta(days=1))] if start < first_whole else []
    if last_whole <= end:
        days.append((last_whole, end))
    return (first_whole, last_whole - dt.timedelta(days=1)), days


def grouped_sums(
    agency_ids: Iterable[int], measures: Iterable[str], start: dt.date | None, end: dt.date, *, by_agency: bool = False
) -> dict[int | None, dict[str, int]]:
    """Σ deltas of `measures` over [start, end] (start None: everything up to `end`), in one query: {None: sums}, or
    {agency id: sums} with `by_agency`."""
    agency_ids, measures = list(agency_ids), list(measures)
    months, days = _spans(start, end)
    columns = ["agency_id", "measure"] if by_agency else ["measure"]
    parts = []
    if days:
        within = Q()
        for first, last in days:
            within |= Q(day__gte=first, day__lte=last)
        parts.append(
            DailyCount.objects.filter(within, agency_id__in=agency_ids, measure__in=measures)
            .values(*columns).annotate(total=Sum("value")).order_by()
        )  # fmt: skip
    if months:
        parts.append(
            MonthlyCount.objects.filter(
                agency_id__in=agency_ids, measure__in=measures, month__gte=months[0], month__lte=months[1]
            ).values(*columns).annotate(total=Sum("value")).order_by()
        )  # fmt: skip
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    found: dict[int | None, dict[str, int]] = {}
    for row in rows:
        sums = found.setdefault(row["agency_id"] if by_agency else None, {})
        sums[row["measure"]] = sums.get(row["measure"], 0) + int(row["total"] or 0)
    return found


def monthly_sums(
    agency_ids: Iterable[int], measures: Iterable[str], months: Iterable[tuple[dt.date, dt.date]]
) -> dict[dt.date, dict[str, int]]:
    """Σ deltas of `measures` in each of `months` ((start, end) within one month each, whole or partial), in one
    query: {first day of the month: sums}."""
    agency_ids, measures = list(agency_ids), list(measures)
    whole, partial = [], Q()
    for start, end in months:
        if start.day == 1 and (end + dt.timedelta(days=1)).day == 1:
            whole.append(start)
        else:
            partial |= Q(day__gte=start, day__lte=end)
    parts = []
    if partial:
        parts.append(
            DailyCount.objects.filter(partial, agency_id__in=agency_ids, measure__in=measures)
            .annotate(month_of=TruncMonth("day")).values("month_of", "measure").annotate(total=Sum("value")).order_by()
        )  # fmt: skip
    if whole:
        parts.append(
            MonthlyCount.objects.filter(agency_id__in=agency_ids, measure__in=measures, month__in=whole)
            .annotate(month_of=F("month")).values("month_of", "measure").annotate(total=Sum("value")).order_by()
        )  # fmt: skip
    if not parts:
        return {}
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    found: dict[dt.date, dict[str, int]] = {}
    for row in rows:
        month = row["month_of"]
        month = month.date() if isinstance(month, dt.datetime) else month
        sums = found.setdefault(month, {})
        sums[row["measure"]] = sums.get(row["measure"], 0) + int(row["total"] or 0)
    return found


def stock_at(agency_ids: Iterable[int], day: dt.date) -> dict[str, int]:
    """What stood at the end of `day`: open dossiers, and those of them overdue (and open feedback)."""
    found = grouped_sums(agency_ids, m.STOCK, None, day).get(None, {})
    return {measure: found.get(measure, 0) for measure in m.STOCK}


def complete_measures(flow: dict[str, int], stock_end: dict[str, int], stock_before: dict[str, int]) -> dict[str, int]:
    """Every measure from the flow sums of a period and the stocks at its end and on the day before it (the one rule
    of computed and derived measures, for any grouping of the day counts: by agency, procedure or month)."""
    values = {measure: flow.get(measure, 0) for measure in m.FLOW}
    values.update({measure: stock_end.get(measure, 0) for measure in m.STOCK})
    values[m.OPEN_IN_TIME] = values[m.OPEN] - values[m.OPEN_OVERDUE]
    values[m.FEEDBACK_OPEN_IN_TIME] = values[m.FEEDBACK_OPEN] - values[m.FEEDBACK_OPEN_OVERDUE]
    values[m.CARRIED_OVER] = stock_before.get(m.OPEN, 0)
    for name, parts in m.DERIVED.items():
        values[name] = sum(values[part] for part in parts)
    return values


def measures_for(agency_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[str, int]:
    """Every measure of these agencies for the period [start, end] (days, inclusive), derived ones included."""
    agency_ids = list(agency_ids)
    flow = grouped_sums(agency_ids, m.FLOW, start, end).get(None, {})
    before = grouped_sums(agency_ids, (m.OPEN,), None, start - dt.timedelta(days=1)).get(None, {})
    return complete_measures(flow, stock_at(agency_ids, end), before)


def procedure_measures(agency_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[int, dict[str, int]]:
    """measures_for by procedure: procedure id → every dossier measure of these agencies' dossiers of it, for the
    procedures that have any count up to the period's end (three queries, whatever the number of procedures).
    Feedback measures are 0 here: feedback is counted per agency only."""
    agency_ids = list(agency_ids)

    def sums(condition: Q) -> dict[int, dict[str, int]]:
        rows = (
            ProcedureDailyCount.objects.filter(condition, agency_id__in=agency_ids)
            .values("procedure_id", "measure")
            .annotate(total=Sum("value"))
        )
        found: dict[int, dict[str, int]] = {}
        for row in rows:
            found.setdefault(row["procedure_id"], {})[row["measure"]] = int(row["total"] or 0)
        return found

    flow = sums(Q(measure__in=m.FLOW, day__gte=start, day__lte=end))
    stock = sums(Q(measure__in=m.STOCK, day__lte=end))
    before = sums(Q(measure=m.OPEN, day__lt=start))
    procedures = set(flow) | set(stock)
    return {pk: complete_measures(flow.get(pk, {}), stock.get(pk, {}), before.get(pk, {})) for pk in sorted(procedures)}


# The form's base columns (the identities add them up): measure → ReportII06a attribute.
II06A_COLUMNS = {
    m.CARRIED_OVER: "carried_over",
    m.RECEIVED_ONLINE: "received_online",
    m.RECEIVED_DIRECT: "received_direct",
    m.RESOLVED_EARLY: "resolved_early",
    m.RESOLVED_ON_TIME: "resolved_on_time",
    m.RESOLVED_LATE: "resolved_late",
    m.OPEN_IN_TIME: "in_progress_in_time",
    m.OPEN_OVERDUE: "in_progress_overdue",
}


@dataclass(frozen=True)
class ReportII06a:
    """Biểu II.06a/VPCP/KSTT: dossiers received, resolved and in progress in a period."""

    carried_over: int
    received_online: int
    received_direct: int
    resolved_early: int
    resolved_on_time: int
    resolved_late: int
    in_progress_in_time: int
    in_progress_overdue: int

    @classmethod
    def from_measures(cls, values: dict[str, int]) -> ReportII06a:
        """The form's figures out of a measures dict (as measures_for or one of procedure_measures gives)."""
        return cls(**{attribute: int(values.get(measure, 0)) for measure, attribute in II06A_COLUMNS.items()})

    @property
    def received(self) -> int:
        return self.carried_over + self.received_online + self.received_direct

    @property
    def resolved(self) -> int:
        return self.resolved_early + self.resolved_on_time + self.resolved_late

    @property
    def in_progress(self) -> int:
        return self.in_progress_in_time + self.in_progress_overdue

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, attribute) for attribute in II06A_COLUMNS.values())


def report_ii06a(agency_ids: Iterable[int], start: dt.date, end: dt.date) -> ReportII06a:
    return ReportII06a.from_measures(measures_for(agency_ids, start, end))


def agency_scope(identifier: str | None) -> tuple[list[int], object | None]:
    """The agencies whose figures roll up to `identifier` (it and every agency under it), or the nation's (None).

    Returns (agency ids, the agency or None). An unknown identifier gives ([], None): the caller says not found.
    """
    if not identifier:
        return list(Agency.objects.values_list("pk", flat=True)), None
    top = Agency.objects.filter(identifier=identifier).first()
    if top is None:
        return [], None
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Agency.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, frontier = [top.pk], [top.pk]
    while frontier:  # one query for the whole tree, walked here: agencies are thousands, not millions
        frontier = [child for pk in frontier for child in children.get(pk, []) if child not in found]
        found.extend(frontier)
    return found, top


# ----- drill-down: the dossiers behind a figure -------------------------------------------------------------------


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=TIME_ZONE)


def _behind(measure: str, start: dt.date, end: dt.date) -> Q:
    """The condition on DossierFact of the dossiers counted in `measure` for [start, end] (see metrics.facts)."""
    since, until = _midnight(start), _midnight(end + dt.timedelta(days=1))

    def during(field: str) -> Q:
        return Q(**{f"{field}__gte": since, f"{field}__lt": until})

    def open_at(moment: dt.datetime) -> Q:  # open at the end of the day before `moment` (a midnight)
        return Q(received_at__lt=moment) & (Q(ended_at__isnull=True) | Q(ended_at__gte=moment))

    received = Q(received_at__isnull=False)
    online = Q(channel=ChannelCode.ONLINE)
    overdue_at_end = open_at(until) & Q(overdue_on__lte=end)
    conditions = {
        m.RECEIVED_ONLINE: during("received_at") & online,
        m.RECEIVED_DIRECT: during("received_at") & ~online,
        m.RECEIVED_FULL_ONLINE: during("received_at") & online & Q(full_process=True),
        m.RESOLVED_EARLY: received & during("ended_at") & Q(outcome=Outcome.EARLY),
        m.RESOLVED_ON_TIME: received & during("ended_at") & Q(outcome=Outcome.ON_TIME),
        m.RESOLVED_LATE: received & during("ended_at") & Q(outcome=Outcome.LATE),
        m.FEES_PAID: received & during("fees_paid_at"),
        m.FEES_PAID_ONLINE: received & during("fees_paid_at") & Q(fees_paid_online=True),
        m.RESULTS_ISSUED: received & during("result_issued_at"),
        # Component measures count components: these are the dossiers that have them.
        m.COMPONENTS: during("received_at") & Q(components__gt=0),
        m.COMPONENTS_DIGITISED: during("received_at") & Q(components_digitised__gt=0),
        m.COMPONENTS_REUSED: during("received_at") & Q(components_reused__gt=0),
        m.DOSSIERS_RATED: during("rated_at"),
        m.DOSSIERS_RATED_SATISFIED: during("rated_at") & Q(rated_satisfied=True),
        m.OPEN: open_at(until),
        m.OPEN_OVERDUE: overdue_at_end,
        m.OPEN_IN_TIME: open_at(until) & ~Q(overdue_on__lte=end),
        m.CARRIED_OVER: open_at(since),
    }
    for name, parts in m.DERIVED.items():
        if all(part in conditions for part in parts):
            combined = Q()
            for part in parts:
                combined |= conditions[part]
            conditions[name] = combined
    return conditions[measure]


DOSSIER_MEASURES = frozenset(
    name for name in (*m.ALL, *m.DERIVED) if not name.startswith(("feedback_", "sync_"))
)  # the measures whose dossiers `facts_behind` can list (the sync measures count changes, not dossiers)


def facts_behind(measure: str, agency_ids: Iterable[int], start: dt.date, end: dt.date) -> QuerySet[DossierFact]:
    """The facts of exactly the dossiers counted in `measure`'s figure for these agencies and [start, end]: their
    number equals measures_for's value (for the component measures: the dossiers whose components are counted).
    Withdrawn dossiers count nowhere. ValueError for a measure that does not count dossiers (feedback's)."""
    if measure not in DOSSIER_MEASURES:
        raise ValueError(f"{measure!r} does not count dossiers")
    return DossierFact.objects.filter(_behind(measure, start, end), agency_id__in=list(agency_ids), withdrawn=False)
