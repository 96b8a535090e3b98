"""Benchmark of the index dashboards over synthetic history (`manage.py bench_metrics`): not product code.

The dashboards read only the roll-ups (`DailyCount`, `ProcedureDailyCount`), so their cost depends on the
agencies, procedures and days those tables hold, not on the dossiers behind them. To measure that at 10 million
dossiers without writing 10 million dossiers and their logs, `Synthetic` makes dossier lifecycles directly as
`metrics.facts.Fact` values (what `facts.derive` would read from a log), sums `facts.contributions(fact)` — the
very function the outbox refresh and the rebuild apply — into the two roll-up tables, and bulk-loads them. The
roll-ups are then exactly what those dossiers would make; what is synthetic is the dossiers, never the counting.

Memory stays bounded at any N: dossiers are made day by day in the order they are received, every contribution
falls on or after its dossier's day of receipt, so once a day's dossiers are made that day's sums are final and
are written out (a window of future days is all that is kept).

`real_sample` measures, on real dossiers from `bench_fill` inside a transaction that is rolled back, what the
synthetic load cannot: the rebuild's throughput and the outbox refresh's cost per action.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import json
import math
import os
import platform
import random
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from motcua.catalog.models import (
    AdministrativeUnit,
    Agency,
    AgencyKind,
    ProcedureVersion,
    ServiceLevel,
    TimeUnit,
    UnitLevel,
)
from motcua.core.text import fold
from motcua.dossiers.bench_history import POPULARITY, BulkWriter, DroppedIndexes
from motcua.dossiers.models import ChannelCode, Dossier
from motcua.metrics import facts
from motcua.metrics.models import DailyCount, MonthlyCount, ProcedureDailyCount
from motcua.workdays.calendar import WorkCalendar
from motcua.workdays.queries import load_calendar

YEARS = 3
# Identifiers of the agencies the bench creates on an empty database: "B" + the province's code (B48, B48.S01...).
PREFIX = "B"
DEPARTMENTS = (
    "Sở Tư pháp", "Sở Nội vụ", "Sở Tài chính", "Sở Xây dựng", "Sở Nông nghiệp và Môi trường", "Sở Công Thương",
    "Sở Y tế", "Sở Giáo dục và Đào tạo",
)  # fmt: skip
# How many dossiers an agency of each kind receives, relative to a commune's committee.
KIND_WEIGHT = {
    AgencyKind.SERVICE_CENTRE: 25.0, AgencyKind.PROVINCIAL_DEPARTMENT: 4.0, AgencyKind.PROVINCIAL_POLICE: 6.0,
    AgencyKind.MINISTRY_UNIT: 3.0, AgencyKind.ONE_STOP_DESK: 2.0, AgencyKind.COMMUNE_PC: 1.0,
    AgencyKind.COMMUNE_POLICE: 1.0, AgencyKind.PROVINCIAL_PC: 0.5, AgencyKind.MINISTRY: 0.5,
}  # fmt: skip
LEVEL_OF_KIND = {
    AgencyKind.MINISTRY: "ministry",
    AgencyKind.MINISTRY_UNIT: "ministry",
    AgencyKind.COMMUNE_PC: "commune",
    AgencyKind.COMMUNE_POLICE: "commune",
}  # fmt: skip (the rest: provincial)


@dataclass
class ProcedurePick:
    procedure_id: int
    working_days: int
    full_process: bool
    online: bool


@dataclass
class AgencyPick:
    agency_id: int
    root_id: int  # the top of its tree (a province's committee, a ministry)
    weight: float
    procedures: list[ProcedurePick]
    cum_weights: list[float]


@dataclass
class Shape:
    """The mix of the synthetic history, as shares (documented in the README with the figures)."""

    refused_at_reception: float = 0.02
    withdrawn: float = 0.015
    online_first: float = 0.45  # online share at the start of the history, growing linearly to...
    online_last: float = 0.75  # ...this at its end
    postal_of_offline: float = 0.1
    supplement: float = 0.12
    supplement_unanswered: float = 0.15  # of those requested: never supplemented, stopped 30 days later
    second_request: float = 0.02  # of those supplemented: a second request, then stopped
    early: float = 0.62
    on_time: float = 0.28  # the rest are late
    stopped: float = 0.03  # of those ended: stopped (no result issued)
    fees: float = 0.3
    fees_online_if_online: float = 0.8
    fees_online_if_offline: float = 0.15
    reuse_if_online: float = 0.3
    digitised_if_offline: float = 0.9
    rated: float = 0.25  # of those with a result: rated by the applicant within three days
    rated_satisfied: float = 0.85
    growth: float = 0.6  # dossiers a day grow by this much (relative) from the first day to the last


@dataclass
class Generated:
    dossiers: int = 0
    received: int = 0
    open_at_end: int = 0
    daily_rows: int = 0
    monthly_rows: int = 0
    procedure_rows: int = 0
    per_agency: dict[int, int] = field(default_factory=dict)
    per_root: dict[int, int] = field(default_factory=dict)
    generate_seconds: float = 0.0
    index_seconds: float = 0.0


# ----- the agencies and procedures ---------------------------------------------------------------------------------


def ensure_catalogue(log: Callable[[str], None] = print) -> None:
    """On an empty database: the real provinces and communes, the demo's agencies and procedures, and an agency tree
    for every province the demo lacks (its committee, eight departments, the public service centre, the police),
    with a committee for every commune."""
    from motcua.catalog.services import import_agencies, import_catalog, load_administrative_units
    from motcua.demo.services import DEMO_DIR, commune_agency_identifier
    from motcua.metrics import qd766
    from motcua.regulations import defaults as compliance_cost_defaults

    # What the data migrations load and `make bench-metrics`'s flush took away: the index schemes, the unit costs.
    qd766.ensure()
    compliance_cost_defaults.ensure()
    if not AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE).exists():
        load_administrative_units()
        log("  administrative units loaded")
    if not ProcedureVersion.objects.filter(is_current=True).exists():
        import_agencies(data=json.loads((DEMO_DIR / "agencies.json").read_text(encoding="utf-8")))
        import_catalog(data=json.loads((DEMO_DIR / "catalog.json").read_text(encoding="utf-8")))
        log("  demo agencies and catalogue imported")
    if Agency.objects.filter(kind=AgencyKind.COMMUNE_PC).count() > 1000:
        return  # made by an earlier run
    provinces = AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, valid_to__isnull=True).order_by("code")
    committees = {a.unit_id: a for a in Agency.objects.filter(kind=AgencyKind.PROVINCIAL_PC, unit__isnull=False)}

    def agency(identifier: str, name: str, kind: str, unit, parent=None) -> Agency:
        return Agency(identifier=identifier, name=name, folded_name=fold(name), kind=kind, unit=unit, parent=parent)

    with transaction.atomic():
        missing = [p for p in provinces if p.pk not in committees]
        created = Agency.objects.bulk_create(
            [agency(f"{PREFIX}{u.code}", f"Ủy ban nhân dân {u.name}", AgencyKind.PROVINCIAL_PC, u) for u in missing]
        )
        children = []
        for unit, pc in zip(missing, created, strict=True):
            committees[unit.pk] = pc
            for n, name in enumerate(DEPARTMENTS, start=1):
                children.append(agency(f"{pc.identifier}.S{n:02d}", f"{name} {unit.name}",
                                       AgencyKind.PROVINCIAL_DEPARTMENT, unit, pc))  # fmt: skip
            children.append(agency(f"{pc.identifier}.TTC", f"Trung tâm Phục vụ hành chính công {unit.name}",
                                   AgencyKind.SERVICE_CENTRE, unit, pc))  # fmt: skip
            children.append(
                agency(f"{pc.identifier}.CA", f"Công an {unit.name}", AgencyKind.PROVINCIAL_POLICE, unit, pc)
            )
        served = set(Agency.objects.filter(unit__level=UnitLevel.COMMUNE).values_list("unit_id", flat=True))
        communes = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, valid_to__isnull=True).order_by("code")
        for commune in communes:
            pc = committees.get(commune.parent_id)
            if pc is None or commune.pk in served:
                continue
            name = f"Ủy ban nhân dân {commune.name}"
            identifier = commune_agency_identifier(pc.identifier, commune.code)
            children.append(agency(identifier, name, AgencyKind.COMMUNE_PC, commune, pc))
        Agency.objects.bulk_create(children, batch_size=2000)
    log(f"  {len(created) + len(children):,} agencies created ({len(created)} provinces' trees)")


def _working_days(version: ProcedureVersion) -> int:
    amount = float(version.processing_time)
    if version.processing_time_unit == TimeUnit.WORKING_HOUR:
        return max(1, math.ceil(amount / 8))
    return max(1, math.ceil(amount))


def plan_agencies(rng: random.Random) -> list[AgencyPick]:
    """Every active agency with a size (its kind's weight × a log-normal spread × its province's) and the procedures
    of its level, weighted by how popular they are."""
    by_level: dict[str, list[tuple[ProcedurePick, float]]] = {"ministry": [], "province": [], "commune": []}
    versions = ProcedureVersion.objects.filter(is_current=True).select_related("procedure").order_by("procedure__code")
    everything: list[tuple[ProcedurePick, float]] = []
    for version in versions:
        pick = ProcedurePick(
            procedure_id=version.procedure_id, working_days=_working_days(version),
            full_process=version.service_level == ServiceLevel.FULL, online=version.channel_online,
        )  # fmt: skip
        weight = float(POPULARITY.get(version.procedure.code, 1))
        everything.append((pick, weight))
        for level in ("ministry", "province", "commune"):
            if getattr(version, f"at_{level}"):
                by_level[level].append((pick, weight))
    if not everything:
        raise CommandError("No procedure in force: import a catalogue first.")
    agencies = list(Agency.objects.filter(is_active=True).order_by("pk").values_list("pk", "parent_id", "kind"))
    parent = {pk: parent_id for pk, parent_id, _kind in agencies}

    def root(pk: int) -> int:
        while parent.get(pk) is not None:
            pk = parent[pk]
        return pk

    root_factor: dict[int, float] = {}
    picks = []
    for pk, _parent_id, kind in agencies:
        top = root(pk)
        if top not in root_factor:
            root_factor[top] = rng.lognormvariate(0, 0.5)
        offered = by_level[LEVEL_OF_KIND.get(kind, "province")] or everything
        weight = KIND_WEIGHT.get(kind, 1.0) * rng.lognormvariate(0, 0.6) * root_factor[top]
        picks.append(AgencyPick(
            agency_id=pk, root_id=top, weight=weight, procedures=[p for p, _w in offered],
            cum_weights=list(itertools.accumulate(w for _p, w in offered)),
        ))  # fmt: skip
    return picks


# ----- the lifecycles ------------------------------------------------------------------------------------------


class Synthetic:
    """N dossier lifecycles as facts, received over `YEARS` years ending on `end` (deterministic for a seed)."""

    def __init__(self, dossiers: int, *, end: dt.date, seed: int = 766, shape: Shape | None = None):
        self.dossiers = dossiers
        self.end = end
        self.start = end - dt.timedelta(days=365 * YEARS - 1)
        self.seed = seed
        self.shape = shape or Shape()
        self.rng = random.Random(seed)
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.now = dt.datetime.combine(end, dt.time(23, 59, 59), self.tz)  # the history ends with this day
        self.calendar: WorkCalendar = load_calendar(range(self.start.year, end.year + 2))
        self._due_days: dict[tuple[dt.date, int], dt.date] = {}
        self.agencies = plan_agencies(self.rng)
        self.agency_cum = list(itertools.accumulate(a.weight for a in self.agencies))

    def days(self) -> list[tuple[dt.date, int]]:
        """(day, dossiers received that day): weekdays full, Saturdays and Sundays light, growing over time;
        exactly `dossiers` in all (largest remainders)."""
        total_days = (self.end - self.start).days + 1
        weights = []
        for n in range(total_days):
            day = self.start + dt.timedelta(days=n)
            base = 1.0 if self.calendar.is_working_day(day) else (0.12 if day.weekday() == 5 else 0.03)
            weights.append(base * (1 + self.shape.growth * n / max(1, total_days - 1)))
        scale = self.dossiers / sum(weights)
        exact = [w * scale for w in weights]
        counts = [int(x) for x in exact]
        short = self.dossiers - sum(counts)
        for n in sorted(range(total_days), key=lambda n: counts[n] - exact[n])[:short]:
            counts[n] += 1
        return [(self.start + dt.timedelta(days=n), counts[n]) for n in range(total_days)]

    def _due_day(self, day: dt.date, working_days: int) -> dt.date:
        key = (day, working_days)
        if key not in self._due_days:
            self._due_days[key] = self.calendar.add_working_days(day, working_days)
        return self._due_days[key]

    def _at(self, day: dt.date, minutes: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), self.tz)

    def facts(self) -> Iterator[tuple[dt.date, list[facts.Fact]]]:
        """Day by day, in order: (day, the facts of the dossiers received that day)."""
        for day, count in self.days():
            yield day, [self.fact(day) for _ in range(count)]

    def fact(self, day: dt.date) -> facts.Fact:
        r, s, now = self.rng, self.shape, self.now
        agency = self.agencies[bisect.bisect(self.agency_cum, r.random() * self.agency_cum[-1])]
        agency_index = min(
            len(agency.procedures) - 1, bisect.bisect(agency.cum_weights, r.random() * agency.cum_weights[-1])
        )
        procedure = agency.procedures[agency_index]
        progress = (day - self.start).days / max(1, (self.end - self.start).days)
        online = procedure.online and r.random() < s.online_first + (s.online_last - s.online_first) * progress
        channel = ChannelCode.ONLINE if online else (ChannelCode.POSTAL if r.random() < s.postal_of_offline
                                                     else ChannelCode.DIRECT)  # fmt: skip
        fact = facts.Fact(
            agency_id=agency.agency_id, procedure_id=procedure.procedure_id, channel=channel,
            full_process=online and procedure.full_process,
        )  # fmt: skip
        components = r.randint(1, 5)
        fact.components = components
        if r.random() < s.refused_at_reception:
            return fact  # never received: counts nothing
        received_at = self._at(day, r.randint(7 * 60 + 30, 16 * 60 + 45))
        fact.received_at = received_at
        fact.due_at = self._at(self._due_day(day, procedure.working_days), 17 * 60)
        if not online and r.random() < s.digitised_if_offline:
            fact.components_digitised = components
        if online and r.random() < s.reuse_if_online:
            fact.components_reused = r.randint(1, components)
        if r.random() < s.withdrawn:
            fact.withdrawn = True
            return fact
        ended_at: dt.datetime | None
        if r.random() < s.supplement:
            requested = received_at + dt.timedelta(days=r.randint(0, max(1, procedure.working_days)), hours=1)
            if requested > now:
                requested = None
            if requested is not None:
                fact.supplement_requests = 1
                if r.random() < s.supplement_unanswered:
                    ended_at = requested + dt.timedelta(days=30)  # stopped: the applicant never supplemented
                    if ended_at > now:
                        fact.pending_supplement_since, ended_at = requested, None
                    return self._end(fact, ended_at, stopped=True)
                supplied = requested + dt.timedelta(days=r.randint(1, 10))
                if supplied > now:
                    fact.pending_supplement_since = requested
                    return self._end(fact, None)
                pause = dt.timedelta(days=(supplied.date() - requested.date()).days)
                fact.due_at = fact.due_at + pause  # the clock stood still while the applicant supplemented
                if r.random() < s.second_request:
                    second = supplied + dt.timedelta(days=r.randint(1, 5))
                    if second <= now:
                        fact.supplement_requests = 2
                        ended_at = second + dt.timedelta(days=30)
                        if ended_at > now:
                            fact.pending_supplement_since, ended_at = second, None
                        return self._end(fact, ended_at, stopped=True)
        draw = r.random()
        due_day = fact.due_at.date()
        if draw < s.early and due_day > day:
            ended_day = day + dt.timedelta(days=r.randint(0, (due_day - day).days - 1))
            ended_at = max(received_at + dt.timedelta(minutes=30), self._at(ended_day, r.randint(8 * 60, 16 * 60)))
        elif draw < s.early + s.on_time:  # on time (also an early draw with no day before the appointment)
            ended_at = max(received_at + dt.timedelta(minutes=30), self._at(due_day, r.randint(8 * 60, 16 * 60)))
        else:
            ended_at = fact.due_at + dt.timedelta(days=r.randint(1, 40), hours=-r.randint(0, 8))
        if ended_at > now:
            ended_at = None
        self._fees(fact, online)
        return self._end(fact, ended_at, stopped=r.random() < s.stopped)

    def _fees(self, fact: facts.Fact, online: bool) -> None:
        r, s = self.rng, self.shape
        if r.random() < s.fees:
            paid = fact.received_at + dt.timedelta(hours=r.randint(0, 48))
            if paid <= self.now:
                fact.fees_paid_at = paid
                fact.fees_paid_online = r.random() < (s.fees_online_if_online if online else s.fees_online_if_offline)

    def _end(self, fact: facts.Fact, ended_at: dt.datetime | None, *, stopped: bool = False) -> facts.Fact:
        if ended_at is not None:
            fact.ended_at = ended_at
            fact.outcome = facts.outcome_of(ended_at=ended_at, due_at=fact.due_at)
            if not stopped:
                fact.result_issued_at = ended_at
                if self.rng.random() < self.shape.rated:
                    rated_at = ended_at + dt.timedelta(hours=self.rng.randint(1, 72))
                    if rated_at <= self.now:
                        fact.rated_at = rated_at
                        fact.rated_satisfied = self.rng.random() < self.shape.rated_satisfied
        return fact


# ----- summing and loading ----------------------------------------------------------------------------------------


class DayBuckets:
    """(agency, procedure, measure) → sum, per day; a day is written out once no dossier can add to it."""

    def __init__(self):
        self.days: dict[str, dict[tuple[int, int, str], int]] = {}
        self.closed_until = ""  # ISO day: every day up to it has been written

    def add(self, fact: facts.Fact) -> None:
        agency, procedure = fact.agency_id, fact.procedure_id
        for key, delta in facts.contributions(fact).items():
            measure, day = key[:-11], key[-10:]
            if day <= self.closed_until:
                raise RuntimeError(f"A contribution on {day}, a day already written: the generator broke its order.")
            bucket = self.days.get(day)
            if bucket is None:
                bucket = self.days[day] = {}
            entry = (agency, procedure, measure)
            bucket[entry] = bucket.get(entry, 0) + delta

    def close(self, until: dt.date) -> list[tuple[str, dict[tuple[int, int, str], int]]]:
        """The days up to `until` (no later dossier contributes to them), taken out."""
        self.closed_until = until.isoformat()
        ready = sorted(day for day in self.days if day <= self.closed_until)
        return [(day, self.days.pop(day)) for day in ready]


def rows_of(day: str, bucket: dict[tuple[int, int, str], int]) -> tuple[list[tuple], list[tuple]]:
    """A day's sums as DailyCount rows (summed over procedures) and ProcedureDailyCount rows; zeros left out, as
    the rebuild leaves them out."""
    on = dt.date.fromisoformat(day)
    daily: dict[tuple[int, str], int] = {}
    per_procedure = []
    for (agency, procedure, measure), value in bucket.items():
        if value:
            per_procedure.append((agency, procedure, on, measure, value))
        daily[(agency, measure)] = daily.get((agency, measure), 0) + value
    return [(a, on, measure, v) for (a, measure), v in daily.items() if v], per_procedure


DAILY_FIELDS = ("agency", "day", "measure", "value")
MONTHLY_FIELDS = ("agency", "month", "measure", "value")


class MonthSums:
    """The day rows of one month at a time summed into MonthlyCount rows (days arrive in order, so a month is done
    when the next one starts), as rollups keeps them."""

    def __init__(self, writer: BulkWriter):
        self.writer, self.month, self.sums, self.rows = writer, None, {}, 0

    def add(self, daily: list[tuple]) -> None:
        for agency, day, measure, value in daily:
            month = day.replace(day=1)
            if month != self.month:
                self.flush()
                self.month = month
            self.sums[(agency, measure)] = self.sums.get((agency, measure), 0) + value

    def flush(self) -> None:
        rows = [(agency, self.month, measure, value) for (agency, measure), value in self.sums.items() if value]
        self.rows += self.writer.write(MonthlyCount, MONTHLY_FIELDS, rows) if rows else 0
        self.sums = {}


PROCEDURE_FIELDS = ("agency", "procedure", "day", "measure", "value")


def load_rollups(source: Synthetic, *, log: Callable[[str], None] = print) -> Generated:
    """Replace the roll-ups with the sums of `source`'s dossiers, in one transaction (indexes rebuilt after)."""
    result = Generated()
    writer = BulkWriter()
    months = MonthSums(writer)
    buckets = DayBuckets()
    started = time.perf_counter()
    generating = 0.0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"TRUNCATE {DailyCount._meta.db_table}, {MonthlyCount._meta.db_table}, "
                    f"{ProcedureDailyCount._meta.db_table}"
                )
        else:
            DailyCount.objects.all().delete()
            MonthlyCount.objects.all().delete()
            ProcedureDailyCount.objects.all().delete()
        tables = [DailyCount._meta.db_table, MonthlyCount._meta.db_table, ProcedureDailyCount._meta.db_table]
        with DroppedIndexes(tables):
            last_report = time.perf_counter()
            for day, day_facts in source.facts():
                tick = time.perf_counter()
                for fact in day_facts:
                    buckets.add(fact)
                    result.per_agency[fact.agency_id] = result.per_agency.get(fact.agency_id, 0) + 1
                    if fact.received_at is not None and not fact.withdrawn:
                        result.received += 1
                        result.open_at_end += fact.ended_at is None
                result.dossiers += len(day_facts)
                generating += time.perf_counter() - tick
                for closed_day, bucket in buckets.close(day):
                    daily, per_procedure = rows_of(closed_day, bucket)
                    result.daily_rows += writer.write(DailyCount, DAILY_FIELDS, daily)
                    months.add(daily)
                    result.procedure_rows += writer.write(ProcedureDailyCount, PROCEDURE_FIELDS, per_procedure)
                if time.perf_counter() - last_report > 30:
                    last_report = time.perf_counter()
                    log(f"  {day}: {result.dossiers:,} dossiers, {result.daily_rows:,} day counts, "
                        f"{result.procedure_rows:,} procedure day counts, {last_report - started:.0f} s")  # fmt: skip
            for closed_day, bucket in buckets.close(dt.date.max):
                daily, per_procedure = rows_of(closed_day, bucket)
                result.daily_rows += writer.write(DailyCount, DAILY_FIELDS, daily)
                months.add(daily)
                result.procedure_rows += writer.write(ProcedureDailyCount, PROCEDURE_FIELDS, per_procedure)
            months.flush()
            result.monthly_rows = months.rows
            loaded = time.perf_counter()
        result.index_seconds = round(time.perf_counter() - loaded, 1)
    result.generate_seconds = round(generating, 1)
    roots = {a.agency_id: a.root_id for a in source.agencies}
    for agency_id, count in result.per_agency.items():
        result.per_root[roots[agency_id]] = result.per_root.get(roots[agency_id], 0) + count
    if connection.vendor == "postgresql" and not connection.in_atomic_block:  # as autovacuum would
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"VACUUM ANALYZE {table}")
    return result


# ----- timing -------------------------------------------------------------------------------------------------


def timed(read: Callable[[], object], *, repeat: int, budget_seconds: float, min_runs: int = 3) -> dict:
    """Wall-clock milliseconds of `read`: the first call apart, then up to `repeat` more (fewer past the budget).
    `queries` counts the first call's (not those of a request through the test client, which resets the log)."""
    connection.queries_log.clear()  # a full log (9,000 entries) would make the count 0
    with CaptureQueriesContext(connection) as queries:
        tick = time.perf_counter()
        read()
        first = (time.perf_counter() - tick) * 1000
    runs: list[float] = []
    spent = 0.0
    while len(runs) < repeat and (len(runs) < min_runs or spent < budget_seconds):
        tick = time.perf_counter()
        read()
        runs.append((time.perf_counter() - tick) * 1000)
        spent += runs[-1] / 1000
    ordered = sorted(runs)
    return {
        "first_ms": round(first, 2), "runs": len(runs), "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)], 2),
        "max_ms": round(ordered[-1], 2), "queries": len(queries.captured_queries),
    }  # fmt: skip


# ----- the real sample ------------------------------------------------------------------------------------------


def real_sample(dossiers: int, *, actions: int = 300, log: Callable[[str], None] = print) -> dict:
    """Real dossiers and logs from `bench_fill`, then the rebuild's throughput and the outbox refresh's cost per
    action, all in one transaction that is rolled back (the database is left as it was)."""
    from motcua.dossiers.bench_history import Fill
    from motcua.metrics import handlers, rollups
    from motcua.metrics.models import DossierFact

    if Dossier.objects.exists():
        raise CommandError("The real sample needs a database without dossiers.")
    found: dict = {"dossiers": dossiers}
    with transaction.atomic():
        tick = time.perf_counter()
        manifest = Fill(dossiers, seed=767, log=log).run()
        found["fill_seconds"] = round(time.perf_counter() - tick, 1)
        found["actions"] = manifest.get("actions")
        tick = time.perf_counter()
        read = rollups.rebuild()
        seconds = time.perf_counter() - tick
        found.update(rebuild_seconds=round(seconds, 2), rebuild_dossiers=read,
                     rebuild_dossiers_per_second=round(read / seconds, 1),
                     daily_counts=DailyCount.objects.count(),
                     procedure_daily_counts=ProcedureDailyCount.objects.count())  # fmt: skip
        rng = random.Random(768)
        codes = list(Dossier.objects.order_by("pk").values_list("pk", "code"))
        sample = rng.sample(codes, min(actions, len(codes)))
        # An action that changes no figure (most hand-offs): the handler reads the log, derives, finds no delta.
        unchanged = []
        for _pk, code in sample:
            tick = time.perf_counter()
            handlers.refresh_dossier_fact({"dossier": code})
            unchanged.append((time.perf_counter() - tick) * 1000)
        # The dearest action: every contribution of the dossier applied anew (as at its receipt, or a rule change).
        DossierFact.objects.filter(pk__in=[pk for pk, _code in sample]).update(contributions={})
        changed = []
        for _pk, code in sample:
            tick = time.perf_counter()
            handlers.refresh_dossier_fact({"dossier": code})
            changed.append((time.perf_counter() - tick) * 1000)
        transaction.set_rollback(True)
    for name, values in (("refresh_unchanged", unchanged), ("refresh_all_contributions", changed)):
        ordered = sorted(values)
        found[name] = {
            "runs": len(ordered), "median_ms": round(statistics.median(ordered), 2),
            "p95_ms": round(ordered[math.ceil(0.95 * len(ordered)) - 1], 2), "max_ms": round(ordered[-1], 2),
        }  # fmt: skip
    return found


# ----- the machine ------------------------------------------------------------------------------------------------


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        memory = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError):
        pass
    found = {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gb": memory, "system": platform.platform(),
        "python": platform.python_version(), "database": connection.vendor, "load_average": list(os.getloadavg()),
    }  # fmt: skip
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            found["database_version"] = f"PostgreSQL {cursor.fetchone()[0]}"
    return found


def table_sizes() -> dict:
    found = {}
    for model in (DailyCount, MonthlyCount, ProcedureDailyCount):
        entry: dict = {"rows": model.objects.count()}
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_total_relation_size(%s)", [model._meta.db_table])
                entry["total_mb"] = round(cursor.fetchone()[0] / 2**20, 1)
        found[model._meta.db_table] = entry
    return found


# ----- what a dashboard reads ---------------------------------------------------------------------------------------


@dataclass
class Scope:
    name: str
    identifier: str | None  # None: the nation


def busiest(kind: str | None = None) -> Agency | None:
    """The agency (of `kind`, or any) whose dossiers received over the whole history are the most, with what is
    under it counted for a province's committee."""
    from django.db.models import Sum

    from motcua.metrics import measures as m
    from motcua.metrics import queries

    if kind == AgencyKind.PROVINCIAL_PC:
        best, best_total = None, -1
        for agency in Agency.objects.filter(kind=kind):
            ids, _top = queries.agency_scope(agency.identifier)
            total = DailyCount.objects.filter(agency_id__in=ids, measure__in=(m.RECEIVED_ONLINE, m.RECEIVED_DIRECT))
            total = total.aggregate(total=Sum("value"))["total"] or 0
            if total > best_total:
                best, best_total = agency, total
        return best
    row = (
        DailyCount.objects.filter(measure__in=(m.RECEIVED_ONLINE, m.RECEIVED_DIRECT))
        .values("agency_id")
        .annotate(total=Sum("value"))
        .order_by("-total")
        .first()
    )
    return Agency.objects.filter(pk=row["agency_id"]).first() if row else None


def periods(end: dt.date) -> dict[str, tuple[dt.date, dt.date, dict[str, str]]]:
    """The periods timed: the last full month, the last full quarter and the year so far (with the dashboard's GET
    parameters for each)."""
    month_end = end.replace(day=1) - dt.timedelta(days=1)
    month_start = month_end.replace(day=1)
    year, last_month = month_end.year, month_end.month - month_end.month % 3
    if last_month == 0:
        year, last_month = year - 1, 12
    quarter = last_month // 3
    quarter_start = dt.date(year, last_month - 2, 1)
    quarter_end = dt.date(year, last_month, 1) + dt.timedelta(days=32)
    quarter_end = quarter_end.replace(day=1) - dt.timedelta(days=1)
    year_start = dt.date(end.year, 1, 1)
    return {
        "month": (month_start, month_end, {"month": month_start.strftime("%Y-%m")}),
        "quarter": (quarter_start, quarter_end, {"year": str(quarter_start.year), "quarter": str(quarter)}),
        "year": (year_start, end, {"year": str(end.year)}),
    }


def reads(end: dt.date, *, pages: bool = True) -> list[tuple[str, Callable[[], object]]]:
    """(name, read) of everything a dashboard or the API asks the roll-ups, for the nation, the busiest province
    and the busiest agency, over `periods(end)`."""
    from django.test import Client

    from motcua.metrics import queries, schemes, scoring

    province = busiest(AgencyKind.PROVINCIAL_PC)
    agency = busiest()
    scopes = [Scope("nation", None)]
    if province is not None:
        scopes.append(Scope(f"province {province.identifier}", province.identifier))
    if agency is not None:
        scopes.append(Scope(f"agency {agency.identifier}", agency.identifier))
    chosen = periods(end)
    found: list[tuple[str, Callable[[], object]]] = []

    def index(identifier, start, stop):
        ids, _top = queries.agency_scope(identifier)
        return scoring.score(schemes.scheme_in_force(stop), queries.measures_for(ids, start, stop))

    def ii06a(identifier, start, stop):
        ids, _top = queries.agency_scope(identifier)
        return queries.report_ii06a(ids, start, stop)

    def by_procedure(identifier, start, stop):
        ids, _top = queries.agency_scope(identifier)
        return queries.procedure_measures(ids, start, stop)

    for scope in scopes:
        for label, (start, stop, _params) in chosen.items():
            found.append((f"index {scope.name} {label}", lambda s=scope, a=start, b=stop: index(s.identifier, a, b)))
            found.append((f"II.06a {scope.name} {label}", lambda s=scope, a=start, b=stop: ii06a(s.identifier, a, b)))
    for scope in scopes[:2]:
        for label in ("month", "year"):
            start, stop, _params = chosen[label]
            found.append((f"by procedure {scope.name} {label}",
                          lambda s=scope, a=start, b=stop: by_procedure(s.identifier, a, b)))  # fmt: skip

    def naive_trend(identifier, stop):
        ids, _top = queries.agency_scope(identifier)
        first = stop.replace(day=1)
        months = []
        for _n in range(12):
            months.append(first)
            first = (first - dt.timedelta(days=1)).replace(day=1)
        for month in months:
            last = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            scoring.score(schemes.scheme_in_force(min(last, stop)), queries.measures_for(ids, month, min(last, stop)))

    found.append(("trend 12 months nation (12 × measures_for)", lambda: naive_trend(None, chosen["month"][1])))
    try:
        from motcua.metrics import dashboards
    except ImportError:
        dashboards = None
    if dashboards is not None:
        for label in ("month", "year"):
            start, stop, params = chosen[label]
            period = dashboards.Period(start=start, end=stop, kind=label, label=label, params=params)

            def trend(identifier, p=period):
                ids, _top = queries.agency_scope(identifier)
                return dashboards.trend(ids, dashboards.trend_months(p))

            def ranking(identifier, p=period):
                top = Agency.objects.get(identifier=identifier) if identifier else None
                return dashboards.ranking(top, p)

            if label == "month":
                for scope in scopes[:2]:
                    found.append((f"dashboards.trend {scope.name} 12 months", lambda s=scope: trend(s.identifier)))
            found.append((f"dashboards.ranking nation (provinces) {label}", lambda: ranking(None)))
            if province is not None:
                found.append((f"dashboards.ranking {province.identifier} (its agencies) {label}",
                              lambda: ranking(province.identifier)))  # fmt: skip
    if pages:
        client = Client()
        urls = []
        for label in ("month", "year"):
            start, stop, params = chosen[label]
            query = "&".join(f"{k}={v}" for k, v in params.items())
            urls.append((f"page /service-index/ {label}", f"/service-index/?{query}"))
            if province is not None:
                urls.append((f"page /service-index/{province.identifier}/ {label}",
                             f"/service-index/{province.identifier}/?{query}"))  # fmt: skip
            urls.append((f"API /api/v1/index nation {label}", f"/api/v1/index?from={start}&to={stop}"))
            if province is not None:
                urls.append((f"API /api/v1/reports/ii06a {province.identifier} {label}",
                             f"/api/v1/reports/ii06a?agency={province.identifier}&from={start}&to={stop}"))  # fmt: skip
        for name, url in urls:  # a page that fails is timed anyway: the run records its error
            found.append((name, lambda u=url: _get_ok(client, u)))
    return found


def _get_ok(client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
