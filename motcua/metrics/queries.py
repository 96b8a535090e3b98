"""Reads of the roll-ups: the measures of some agencies over a period, and report II.06a.

Every figure is a sum over `DailyCount` rows — flow measures over the period's days, stock measures over every
day up to its end — so it costs O(agencies × days), whatever the number of dossiers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, Sum

from motcua.catalog.models import Agency
from motcua.metrics import measures as m
from motcua.metrics.models import DailyCount


def _sums(agency_ids: Iterable[int], condition: Q) -> dict[str, int]:
    rows = (
        DailyCount.objects.filter(condition, agency_id__in=list(agency_ids))
        .values("measure")
        .annotate(total=Sum("value"))
    )
    return {row["measure"]: int(row["total"] or 0) for row in rows}


def stock_at(agency_ids: Iterable[int], day: dt.date) -> dict[str, int]:
    """What stood at the end of `day`: open dossiers, and those of them overdue."""
    found = _sums(agency_ids, Q(measure__in=m.STOCK, day__lte=day))
    return {measure: found.get(measure, 0) for measure in m.STOCK}


def measures_for(agency_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[str, int]:
    """Every measure of these agencies for the period [start, end] (days, inclusive), derived ones included."""
    agency_ids = list(agency_ids)
    flow = _sums(agency_ids, Q(measure__in=m.FLOW, day__gte=start, day__lte=end))
    values = {measure: flow.get(measure, 0) for measure in m.FLOW}
    values.update(stock_at(agency_ids, end))
    values[m.OPEN_IN_TIME] = values[m.OPEN] - values[m.OPEN_OVERDUE]
    values[m.CARRIED_OVER] = stock_at(agency_ids, start - dt.timedelta(days=1))[m.OPEN]
    for name, parts in m.DERIVED.items():
        values[name] = sum(values[part] for part in parts)
    return values


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

    @property
    def received(self) -> int:
        return self.carried_over + self.received_online + self.received_direct

    @property
    def resolved(self) -> int:
        return self.resolved_early + self.resolved_on_time + self.resolved_late

    @property
    def in_progress(self) -> int:
        return self.in_progress_in_time + self.in_progress_overdue


def report_ii06a(agency_ids: Iterable[int], start: dt.date, end: dt.date) -> ReportII06a:
    values = measures_for(agency_ids, start, end)
    return ReportII06a(
        carried_over=values[m.CARRIED_OVER], received_online=values[m.RECEIVED_ONLINE],
        received_direct=values[m.RECEIVED_DIRECT], resolved_early=values[m.RESOLVED_EARLY],
        resolved_on_time=values[m.RESOLVED_ON_TIME], resolved_late=values[m.RESOLVED_LATE],
        in_progress_in_time=values[m.OPEN_IN_TIME], in_progress_overdue=values[m.OPEN_OVERDUE],
    )  # fmt: skip


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
