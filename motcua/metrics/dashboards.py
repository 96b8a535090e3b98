"""Reads behind the dashboards: the index of a scope and period, its monthly trend, the ranking of the agencies
directly under a scope, the operations figures of an agency (open and overdue dossiers by step and by officer),
and the dossiers behind a figure; plus the period chooser both front ends share and the geometry of the charts.

Every read costs a fixed number of queries whatever the number of dossiers, months or agencies: figures come from
grouped sums of the roll-ups (`queries.grouped_sums` by agency, `queries.monthly_sums` by month, stock deltas
cumulated here in Python) and `queries.complete_measures`, so that each month's or agency's figures are the ones
the API gives for that period.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.catalog.models import Agency
from motcua.dossiers.models import Dossier, DossierState
from motcua.metrics import measures as m
from motcua.metrics import queries, report_rows, schemes, scoring
from motcua.metrics.models import DossierFact, IndexScheme, SchemeStatus

TREND_MONTHS = 12
FIRST_YEAR = 2000
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


# --- Periods ----------------------------------------------------------------------------------------------------


def current_day() -> dt.date:
    """Today in the site's time zone; the one clock of the dashboards (tests freeze it by replacing this)."""
    return timezone.localdate()


def current_time() -> dt.datetime:
    """Now; the one clock of the operations figures (tests freeze it by replacing this)."""
    return timezone.now()


@dataclass(frozen=True)
class Period:
    """Kỳ: days [start, end] inclusive (the end never after today), how it was chosen, and its GET parameters."""

    start: dt.date
    end: dt.date
    kind: str  # month, quarter, year, range
    label: str
    params: Mapping[str, str]  # what to put in a link to the same period

    @property
    def clipped(self) -> bool:
        """The chosen period runs past today: its figures stop today."""
        return self.kind != "range" and self.end < _natural_end(self)

    @property
    def api_params(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def _natural_end(period: Period) -> dt.date:
    if period.kind == "month":
        return _month_end(period.start)
    if period.kind == "quarter":
        return _month_end(period.start.replace(month=period.start.month + 2))
    if period.kind == "year":
        return period.start.replace(month=12, day=31)
    return period.end


def _month_end(day: dt.date) -> dt.date:
    return report_rows.month_bounds(day.year, day.month)[1]


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


class PeriodForm(forms.Form):
    """Chọn kỳ, from GET: month=YYYY-MM, or year=YYYY (with quarter=1..4 for a quarter), or from/to (days).

    Nothing chosen: this month so far. Both front ends use it; what was typed stays in the bound form on errors.
    """

    month = forms.CharField(
        label=gettext_lazy("Tháng"), required=False, max_length=20,
        help_text=gettext_lazy("Năm-tháng, ví dụ 2026-11."),
        # Text, not type="month": a browser blanks a month it cannot parse, and what was typed must stay on errors.
        widget=forms.TextInput(attrs={"placeholder": "2026-11", "inputmode": "numeric", "size": 8}),
    )  # fmt: skip
    year = forms.CharField(
        label=gettext_lazy("Năm"), required=False, max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "2026", "size": 6}),
    )  # fmt: skip
    quarter = forms.ChoiceField(
        label=gettext_lazy("Quý"), required=False,
        choices=[("", gettext_lazy("Cả năm")), ("1", gettext_lazy("Quý I")), ("2", gettext_lazy("Quý II")),
                 ("3", gettext_lazy("Quý III")), ("4", gettext_lazy("Quý IV"))],
        error_messages={"invalid_choice": gettext_lazy("Quý là I, II, III hoặc IV.")},
    )  # fmt: skip

    def __init__(self, data=None, *, today: dt.date | None = None, **kwargs):
        super().__init__(data, **kwargs)
        self.today = today or current_day()
        # "from" and "to" are the API's names (and Python keywords): declared here, not in the class body.
        date_errors = {"invalid": _("Ngày không hợp lệ, ví dụ 2026-11-30.")}
        for name, label in (("from", _("Từ ngày")), ("to", _("Đến ngày"))):
            self.fields[name] = forms.DateField(
                label=label, required=False, error_messages=date_errors,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )  # fmt: skip
        self.period: Period | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        month, year, quarter = (data.get("month") or "").strip(), (data.get("year") or "").strip(), data.get("quarter")
        start, end = data.get("from"), data.get("to")
        chosen = [
            kind for kind, given in (("month", month), ("year", year or quarter), ("range", start or end)) if given
        ]
        if len(chosen) > 1:
            raise forms.ValidationError(
                _("Chỉ chọn một kỳ: một tháng, một năm (hoặc một quý của năm), hoặc một khoảng ngày."), code="many"
            )
        kind = chosen[0] if chosen else "month"
        if kind == "month":
            self.period = self._month(month)
        elif kind == "year":
            self.period = self._year(year, quarter)
        else:
            self.period = self._range(start, end)
        if self.period is not None and self.period.start > self.today:
            self.period = None
            raise forms.ValidationError(_("Kỳ đã chọn chưa bắt đầu: hãy chọn một kỳ đến hôm nay."), code="future")
        return data

    def _finish(self, start: dt.date, end: dt.date, kind: str, label: str, params: dict[str, str]) -> Period:
        return Period(start=start, end=min(end, self.today), kind=kind, label=label, params=params)

    def _month(self, text: str) -> Period | None:
        if not text:
            first = self.today.replace(day=1)
            return self._finish(first, self.today, "month", _month_label(first), {})
        found = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
        if not found or not (1 <= int(found[2]) <= 12) or int(found[1]) < FIRST_YEAR:
            self.add_error("month", _("Tháng không hợp lệ: hãy nhập năm-tháng, ví dụ 2026-11."))
            return None
        first = dt.date(int(found[1]), int(found[2]), 1)
        return self._finish(first, _month_end(first), "month", _month_label(first), {"month": first.strftime("%Y-%m")})

    def _year(self, text: str, quarter: str) -> Period | None:
        if not text:
            self.add_error("year", _("Hãy nhập năm của quý, ví dụ 2026."))
            return None
        if not re.fullmatch(r"\d{4}", text) or not (FIRST_YEAR <= int(text) <= self.today.year):
            self.add_error(
                "year", _("Năm không hợp lệ: hãy nhập 4 chữ số, từ %(first)s đến %(last)s.")
                % {"first": FIRST_YEAR, "last": self.today.year},
            )  # fmt: skip
            return None
        year = int(text)
        if quarter:
            number = int(quarter)
            first, last = report_rows.quarter_bounds(year, number)
            label = _("Quý %(quarter)s/%(year)s") % {"quarter": ROMAN[number], "year": year}
            return self._finish(first, last, "quarter", label, {"year": text, "quarter": quarter})
        return self._finish(
            dt.date(year, 1, 1), dt.date(year, 12, 31), "year", _("Năm %(year)s") % {"year": year}, {"year": text}
        )

    def _range(self, start: dt.date | None, end: dt.date | None) -> Period | None:
        if start is None or end is None:
            self.add_error("from" if start is None else "to", _("Hãy nhập cả “Từ ngày” và “Đến ngày”."))
            return None
        if start > end:
            self.add_error("to", _("“Đến ngày” phải bằng hoặc sau “Từ ngày”."))
            return None
        if (end - start).days > queries.MAX_PERIOD_DAYS or start.year < FIRST_YEAR:
            self.add_error("from", _("Khoảng ngày dài nhất là 5 năm, từ năm %(first)s.") % {"first": FIRST_YEAR})
            return None
        label = _("Từ %(start)s đến %(end)s") % {
            "start": start.strftime("%d/%m/%Y"), "end": min(end, self.today).strftime("%d/%m/%Y")
        }  # fmt: skip
        return self._finish(start, end, "range", label, {"from": start.isoformat(), "to": end.isoformat()})


def _month_label(first: dt.date) -> str:
    return _("Tháng %(month)s/%(year)s") % {"month": first.month, "year": first.year}


def parse_period(data: Mapping[str, Any], *, today: dt.date | None = None) -> tuple[PeriodForm, Period | None]:
    """The period chosen in `data` (request.GET): the bound form (errors and what was typed) and the period or None."""
    names = ("month", "year", "quarter", "from", "to")
    form = PeriodForm({name: data.get(name, "") for name in names}, today=today)
    form.is_valid()
    return form, form.period


def trend_months(period: Period, *, count: int = TREND_MONTHS) -> list[tuple[dt.date, dt.date]]:
    """The months a trend shows: those of the period when it spans several (the last `count`), else the `count`
    months up to the period's; the first and last clipped to the period, so each bar is a month of figures."""
    last_first = period.end.replace(day=1)
    if period.start.replace(day=1) < last_first:
        first = max(period.start.replace(day=1), _add_months(last_first, 1 - count))
        first_day = max(first, period.start)
    else:
        first = _add_months(last_first, 1 - count)
        first_day = first
    months = []
    month = first
    while month <= last_first:
        months.append((max(month, first_day), min(_month_end(month), period.end)))
        month = _add_months(month, 1)
    return months


# --- Figures ------------------------------------------------------------------------------------------------------


def _values(flow: Mapping[str, int], stock_end: Mapping[str, int], stock_before: Mapping[str, int]) -> dict[str, int]:
    """Every measure from the three sums `queries.measures_for` makes (flows of the period, stock at its end and on
    the day before it), by its own rule, here for sums grouped by month or by agency."""
    return queries.complete_measures(dict(flow), dict(stock_end), dict(stock_before))


def published_schemes(until: dt.date) -> list[IndexScheme]:
    """Published versions that apply on or before `until`, parts prefetched, in `scheme_in_force`'s order: load them
    once (3 queries) and pass them to the reads of one page."""
    found = IndexScheme.objects.filter(status=SchemeStatus.PUBLISHED, valid_from__lte=until)
    return list(schemes.with_parts(found.order_by("-valid_from", "-version", "-published_at")))


def _in_force(published: Sequence[IndexScheme] | None, day: dt.date) -> IndexScheme | None:
    if published is None:
        return schemes.scheme_in_force(day)
    return next((scheme for scheme in published if scheme.valid_from <= day), None)


@dataclass(frozen=True)
class ScopeIndex:
    """The index of a scope and period: the scheme in force at its end, its notes, the measures and the score."""

    scheme: IndexScheme
    notes: tuple[str, ...]  # the scheme's rules["notes"]: what N/A groups and bands mean, for the pages
    values: Mapping[str, int]
    score: scoring.IndexScore


def index_for(
    agency_ids: Iterable[int], period: Period, *, published: Sequence[IndexScheme] | None = None
) -> ScopeIndex | None:
    """The index of these agencies for the period under the scheme in force at its end; None without a scheme.
    The measures (3 queries), and the scheme with its parts (3) unless `published` (published_schemes) is given."""
    scheme = _in_force(published, period.end)
    if scheme is None:
        return None
    values = queries.measures_for(agency_ids, period.start, period.end)
    notes = tuple(str(note) for note in (scheme.rules or {}).get("notes", ()))
    return ScopeIndex(scheme=scheme, notes=notes, values=values, score=scoring.score(scheme, values))


def _percent(value: Decimal | None) -> Decimal | None:
    return None if value is None else (value * 100).normalize()


def index_rows(score: scoring.IndexScore) -> list[dict[str, Any]]:
    """Groups and their indicators as the pages list them: measure labels and ratios and targets in percent."""
    return [
        {
            "group": group,
            "indicators": [
                {
                    "item": item,
                    "numerator_label": m.LABELS.get(item.numerator_measure, item.numerator_measure),
                    "denominator_label": m.LABELS.get(item.denominator_measure, item.denominator_measure),
                    # Only dossier measures have a list of dossiers behind them (feedback is counted per agency).
                    "numerator_listed": is_drillable(item.numerator_measure),
                    "denominator_listed": is_drillable(item.denominator_measure),
                    "ratio_percent": _percent(item.ratio),
                    "target_percent": _percent(item.target),
                }
                for item in group.indicators
            ],
        }
        for group in score.groups
    ]


@dataclass(frozen=True)
class TrendMonth:
    start: dt.date
    end: dt.date
    values: Mapping[str, int]
    score: scoring.IndexScore | None  # None: no scheme applied then

    @property
    def total(self) -> Decimal | None:
        return self.score.total if self.score is not None else None

    def points(self, code: str) -> Decimal | None:
        if self.score is None:
            return None
        return next((group.points for group in self.score.groups if group.code == code), None)


@dataclass(frozen=True)
class Trend:
    months: tuple[TrendMonth, ...]
    groups: tuple[tuple[str, str, Decimal], ...]  # (code, name, max points) of every group seen, in order

    def rows(self) -> list[dict[str, Any]]:
        """The table under the chart: one row per month, the total and each group's points (None: N/A)."""
        return [
            {"month": month, "total": month.total, "groups": [month.points(code) for code, _name, _max in self.groups]}
            for month in self.months
        ]


def trend(
    agency_ids: Iterable[int],
    months: Sequence[tuple[dt.date, dt.date]],
    *,
    published: Sequence[IndexScheme] | None = None,
) -> Trend:
    """The index of each month (contiguous, as `trend_months` gives): flows by month, the stock before the first
    month and its deltas by month (cumulated here), one query each (queries.monthly_sums reads whole months from
    MonthlyCount), and the schemes once unless given — 6 queries whatever the months."""
    ids = list(agency_ids)
    if not months:
        return Trend(months=(), groups=())
    first, last = months[0][0], months[-1][1]
    flows = queries.monthly_sums(ids, m.FLOW, months)
    # Stock: what stood before the first day, then each month's deltas; cumulated below.
    before = queries.grouped_sums(ids, m.STOCK, None, first - dt.timedelta(days=1)).get(None, {})
    deltas = queries.monthly_sums(ids, m.STOCK, months)
    if published is None:
        published = published_schemes(last)
    result, seen = [], {}
    stock = dict(before)
    for start, end in months:
        opening = dict(stock)
        for measure, delta in deltas.get(start.replace(day=1), {}).items():
            stock[measure] = stock.get(measure, 0) + delta
        values = _values(flows.get(start.replace(day=1), {}), stock, opening)
        scheme = _in_force(published, end)
        score = scoring.score(scheme, values) if scheme is not None else None
        if score is not None:
            for group in score.groups:
                seen.setdefault(group.code, (group.code, group.name, group.max_points))
        result.append(TrendMonth(start=start, end=end, values=values, score=score))
    return Trend(months=tuple(result), groups=tuple(seen.values()))


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


@dataclass(frozen=True)
class RankRow:
    rank: int | None  # None: N/A (nothing to score)
    agency: Agency
    agencies: int  # how many agencies its figures add up (it and those under it)
    score: scoring.IndexScore

    @property
    def total(self) -> Decimal | None:
        return self.score.total


def children_of(top: Agency | None) -> list[Agency]:
    """The agencies directly under a scope: the nation's are those without a parent."""
    found = Agency.objects.filter(parent=top) if top is not None else Agency.objects.filter(parent__isnull=True)
    return list(found.filter(is_active=True).order_by("name", "identifier"))


def ranking(top: Agency | None, period: Period, *, published: Sequence[IndexScheme] | None = None) -> list[RankRow]:
    """The agencies directly under `top` (None: the nation), each with everything under it, by total points.

    One query for the children, one for the agency tree, grouped sums by agency of the flows, the stocks at the end
    and before the start, and the scheme (3, unless `published` is given): 8 queries whatever the number of
    agencies. N/A totals come last, by name.
    """
    children = children_of(top)
    if not children:
        return []
    scheme = _in_force(published, period.end)
    if scheme is None:
        return []
    tree: dict[int | None, list[int]] = {}
    for pk, parent_id in Agency.objects.values_list("pk", "parent_id"):
        tree.setdefault(parent_id, []).append(pk)
    owner: dict[int, int] = {}  # agency → the child whose subtree holds it
    sizes: dict[int, int] = {}
    for child in children:
        found, frontier = {child.pk}, [child.pk]
        while frontier:
            frontier = [below for pk in frontier for below in tree.get(pk, []) if below not in found]
            found.update(frontier)
        sizes[child.pk] = len(found)
        owner.update(dict.fromkeys(found, child.pk))
    ids = list(owner)

    def by_child(sums: dict) -> dict[int, dict[str, int]]:
        found: dict[int, dict[str, int]] = {}
        for agency_id, values in sums.items():
            child = found.setdefault(owner[agency_id], {})
            for measure, value in values.items():
                child[measure] = child.get(measure, 0) + value
        return found

    flow = by_child(queries.grouped_sums(ids, m.FLOW, period.start, period.end, by_agency=True))
    at_end = by_child(queries.grouped_sums(ids, m.STOCK, None, period.end, by_agency=True))
    before = by_child(queries.grouped_sums(ids, (m.OPEN,), None, period.start - dt.timedelta(days=1), by_agency=True))
    scored = [
        (child, scoring.score(scheme, _values(flow.get(child.pk, {}), at_end.get(child.pk, {}),
                                              before.get(child.pk, {}))))
        for child in children
    ]  # fmt: skip
    scored.sort(key=lambda pair: (pair[1].total is None, -(pair[1].total or 0), pair[0].name))
    result, rank, previous = [], 0, None
    for position, (child, score) in enumerate(scored, start=1):
        if score.total is None:
            result.append(RankRow(rank=None, agency=child, agencies=sizes[child.pk], score=score))
            continue
        if score.total != previous:  # equal totals share a rank (1, 2, 2, 4)
            rank, previous = position, score.total
        result.append(RankRow(rank=rank, agency=child, agencies=sizes[child.pk], score=score))
    return result


# --- Operations (back office) -------------------------------------------------------------------------------------

# Received and processing not ended: what the officers still have to do (the index's "open").
OPEN_STATES = (
    DossierState.RECEIVED, DossierState.PROCESSING, DossierState.SUPPLEMENT_REQUESTED, DossierState.PAYMENT_REQUESTED
)  # fmt: skip
# Overdue as the worklists say it: the legal clock runs and the appointment has passed.
CLOCK_RUNNING = (DossierState.RECEIVED, DossierState.PROCESSING, DossierState.PAYMENT_REQUESTED)


def _open_counts(agency_ids: Iterable[int], now: dt.datetime, *columns: str) -> list[dict[str, Any]]:
    overdue = Q(state__in=CLOCK_RUNNING, appointment_at__lt=now)
    return list(
        Dossier.objects.filter(agency_id__in=list(agency_ids), state__in=OPEN_STATES)
        .values(*columns)
        .annotate(open=Count("pk"), overdue=Count("pk", filter=overdue))
        .order_by("-overdue", "-open", *columns)
    )


def open_by_step(agency_ids: Iterable[int], *, now: dt.datetime) -> list[dict[str, Any]]:
    """Open dossiers now, and those overdue, by current processing step (by the step's name: each procedure
    version has its own steps). One grouped query. Rows: step (name or None), role, open, overdue."""
    rows = _open_counts(agency_ids, now, "current_step__name", "current_step__role")
    return [{"step": row["current_step__name"], "role": row["current_step__role"], "open": row["open"],
             "overdue": row["overdue"]} for row in rows]  # fmt: skip


def open_by_assignee(agency_ids: Iterable[int], *, now: dt.datetime) -> list[dict[str, Any]]:
    """Open dossiers now, and those overdue, by the officer handling them (None: not assigned). One query."""
    rows = (
        Dossier.objects.filter(agency_id__in=list(agency_ids), state__in=OPEN_STATES)
        .values("assignee_id")
        .annotate(
            name=F("assignee__full_name"), username=F("assignee__username"), open=Count("pk"),
            overdue=Count("pk", filter=Q(state__in=CLOCK_RUNNING, appointment_at__lt=now)),
        )
        .order_by("-overdue", "-open", "name")
    )  # fmt: skip
    return [{"assignee_id": row["assignee_id"], "name": row["name"] or row["username"], "open": row["open"],
             "overdue": row["overdue"]} for row in rows]  # fmt: skip


def is_drillable(measure: str) -> bool:
    """A measure whose dossiers can be listed (the engine's dossier measures; feedback is counted per agency)."""
    return measure in queries.DOSSIER_MEASURES


# Component measures count components, not dossiers: the field of a fact that holds its share of the figure.
COMPONENT_FIELDS = {
    m.COMPONENTS: "components", m.COMPONENTS_DIGITISED: "components_digitised",
    m.COMPONENTS_REUSED: "components_reused",
}  # fmt: skip


def components_behind(measure: str, facts: QuerySet[DossierFact]) -> int | None:
    """For a component measure, the components the listed dossiers add up to (the figure); None for the others,
    whose figure is the number of dossiers listed. One query."""
    field = COMPONENT_FIELDS.get(measure)
    if field is None:
        return None
    return int(facts.order_by().aggregate(total=Sum(field))["total"] or 0)


def dossiers_behind(measure: str, agency_ids: Iterable[int], period: Period) -> QuerySet[DossierFact]:
    """The facts of exactly the dossiers counted in a measure's figure (their count is the figure), with what a row
    of the list shows, oldest reception first."""
    return (
        queries.facts_behind(measure, list(agency_ids), period.start, period.end)
        .select_related("dossier", "dossier__procedure_version")
        .order_by("received_at", "dossier_id")
    )


# --- Charts (server-rendered SVG geometry; numbers as strings with a dot, whatever the language) -----------------


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    label_x: str
    label_y: str
    value: Decimal | None
    tick: str
    tick2: str  # a second line under the tick (the year, at its first month)


def trend_chart(trend_data: Trend, *, width: int = 360, height: int = 220) -> dict[str, Any]:
    """Bars of the total (out of 100) per month, sized for a phone (the SVG scales up with its viewBox)."""
    top, bottom, left = 20, 40, 28
    plot = height - top - bottom
    count = max(len(trend_data.months), 1)
    slot = (width - left - 4) / count
    bars = []
    for index, month in enumerate(trend_data.months):
        total = month.total
        share = float(total) / 100 if total is not None else 0
        bar_height = plot * share
        x = left + index * slot + slot * 0.15
        # The year under its first month and each January (not under a first December: January's would touch it).
        next_is_january = index + 1 < len(trend_data.months) and trend_data.months[index + 1].start.month == 1
        first_of_year = month.start.month == 1 or (index == 0 and not next_is_january)
        bars.append(Bar(
            x=_num(x), y=_num(top + plot - bar_height), width=_num(slot * 0.7), height=_num(bar_height),
            label_x=_num(x + slot * 0.35), label_y=_num(top + plot - bar_height - 4), value=total,
            tick=str(month.start.month), tick2=str(month.start.year) if first_of_year else "",
        ))  # fmt: skip
    grid = [{"y": _num(top + plot - plot * level / 100), "label": str(level)} for level in (0, 50, 100)]
    return {"width": width, "height": height, "bars": bars, "grid": grid, "left": left, "right": width - 4,
            "tick_y": height - bottom + 16, "tick2_y": height - bottom + 30}  # fmt: skip


def groups_chart(score: scoring.IndexScore, *, width: int = 360, row: int = 34) -> dict[str, Any]:
    """One horizontal bar per group: the points earned over a track as long as its maximum."""
    label_width, right = 56, 64
    track = width - label_width - right
    widest = max((group.max_points for group in score.groups), default=Decimal(1)) or Decimal(1)
    rows = []
    for index, group in enumerate(score.groups):
        full = track * float(group.max_points / widest)
        earned = full * float(group.points / group.max_points) if group.points is not None else 0
        y = 8 + index * row
        rows.append({
            "code": group.code, "name": group.name, "points": group.points, "max": group.max_points,
            "y": _num(y), "text_y": _num(y + 15), "x": label_width, "track": _num(full), "earned": _num(earned),
            "value_x": _num(label_width + full + 6),
        })  # fmt: skip
    return {"width": width, "height": 8 + len(rows) * row, "rows": rows}


@dataclass(frozen=True)
class SyncRate:
    """One agency's status sync in a period (CKMB.4's figures): changes owed, changes accepted, their ratio."""

    agency: object
    changes: int
    accepted: int

    @property
    def ratio(self) -> float | None:
        return self.accepted / self.changes if self.changes else None


def sync_rates(agencies: Sequence, period: Period) -> list[SyncRate]:
    """Each agency's sync figures for the period, from the day counts: one query whatever the number of agencies."""
    sums = queries.grouped_sums(
        [agency.pk for agency in agencies], (m.SYNC_CHANGES, m.SYNC_CHANGES_ACCEPTED), period.start, period.end,
        by_agency=True,
    )  # fmt: skip
    return [
        SyncRate(agency=agency, changes=sums.get(agency.pk, {}).get(m.SYNC_CHANGES, 0),
                 accepted=sums.get(agency.pk, {}).get(m.SYNC_CHANGES_ACCEPTED, 0))
        for agency in agencies
    ]  # fmt: skip
