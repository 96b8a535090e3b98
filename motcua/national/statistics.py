"""Thống kê toàn quốc: the national instance's figures for a period, per province instance, per agency and for the
nation, read from what the instances pushed (NationalDossier), and the nationwide index scored from them.

The figures follow the local engine's rules (metrics.facts) as far as the national payload allows:

- Received (tiếp nhận) in the period by `received_at` (NgayTiepNhan), online (KenhThucHien 2) or direct/postal.
  A dossier refused at reception has no `received_at`: it was never received. A withdrawn one (state 7) counts
  nowhere, as locally.
- Processing ends at `finished_at` (NgayKetThucXuLy: approved, stopped or refused), or at `returned_at` when only
  that was sent; early / on time / late against `appointment_at` by metrics.facts.outcome_of's rule (late after
  the appointment, early on a day before its day, on time otherwise and when there is no appointment).
- In progress at the period's end: received before its end and not ended by then; overdue from the day after the
  appointment's day. Carried over (kỳ trước chuyển qua): in progress at the end of the day before the period.
- The supplement-time rules cannot be fully applied: the payload carries no supplement requests. The appointment is
  `appointment_at` (NgayHenTra) as the instance last sent it — it already moves with each supplement, as the
  instance moves it — but a dossier waiting for a supplement is judged against it as any other (locally it is
  judged at the request), and the state is the latest one, not the state at the period's end.
- Shares the index uses, as the payload allows: full-process online (MucDo "toan_trinh") among those received
  online; paid online (DuocThanhToanTrucTuyen) among dossiers whose processing ended in the period with fees
  listed (DanhSachLePhi non-empty: the payload has no payment date, so the cohort is the resolved one, by then the
  fees are settled); electronic results (DanhSachGiayToKetQua non-empty) among those resolved; digitised
  (HoSoCoThanhPhanSoHoa) — a dossier with at least one digitised component, among those received: a share of
  dossiers, not the index's share of components (MDSH.2), so it is given under its own name, `dossiers_digitised`.
- What the national data cannot give is left out of the values, so the scoring finds a zero denominator and marks
  the indicator N/A (scoring.measure_value: a known measure absent is 0; ratio_of: N/A for 0): components and their
  digitisation or reuse (MDSH.2, MDSH.3), ratings and feedback (MDHL), and the status-sync rate (CKMB.4: the
  national instance holds what arrived, not what was owed).

Three queries whatever the number of provinces or agencies: the dossier figures grouped by instance and agency
(conditional counts over the dossiers that can count in the period, summed here for the provinces and the nation),
the instances, and the sync freshness. The first reads every dossier received before the period's end and not ended
before it began: fine for thousands or millions; at the national portal's full scale (over 100 million dossiers)
the receiver should keep day counts per agency, as metrics.rollups does locally, and this module read those.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Q
from django.db.models.functions import Coalesce, TruncDate

from motcua.dossiers.models import ChannelCode, DossierState
from motcua.metrics import measures as m
from motcua.metrics import scoring
from motcua.national.models import NationalChange, NationalDossier
from motcua.sync.models import PeerInstance
from motcua.workdays.calendar import TIME_ZONE

# Of those received in the period, the dossiers with at least one digitised component (HoSoCoThanhPhanSoHoa):
# not a metrics measure (the index counts components), so the scoring never reads it.
DOSSIERS_DIGITISED = "dossiers_digitised"

# The metrics measures the national data gives (derived ones follow from them).
GIVEN = (
    m.RECEIVED_ONLINE, m.RECEIVED_DIRECT, m.RECEIVED_FULL_ONLINE, m.RESOLVED_EARLY, m.RESOLVED_ON_TIME,
    m.RESOLVED_LATE, m.FEES_PAID, m.FEES_PAID_ONLINE, m.RESULTS_ISSUED, m.OPEN, m.OPEN_OVERDUE,
)  # fmt: skip
COUNTED = (*GIVEN, DOSSIERS_DIGITISED, m.CARRIED_OVER)
_AVAILABLE = (*GIVEN, m.CARRIED_OVER, m.OPEN_IN_TIME)
DERIVED_GIVEN = tuple(name for name, parts in m.DERIVED.items() if all(part in _AVAILABLE for part in parts))
# Every measure name the values dict carries (metrics.measures names only).
MEASURED = frozenset((*_AVAILABLE, *DERIVED_GIVEN))


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=TIME_ZONE)


def _conditions(start: dt.date, end: dt.date) -> dict[str, Q]:
    """The condition on NationalDossier (with the aliases `ended`, `ended_day`, `due_day` of `statistics`) of each
    counted figure, for [start, end]."""
    since, until = _midnight(start), _midnight(end + dt.timedelta(days=1))
    received = Q(received_at__isnull=False)
    received_in = Q(received_at__gte=since, received_at__lt=until)
    online = Q(channel=ChannelCode.ONLINE)
    ended_in = received & Q(ended__gte=since, ended__lt=until)
    due = Q(appointment_at__isnull=False)
    late = due & Q(ended__gt=F("appointment_at"))
    early = due & Q(ended__lte=F("appointment_at")) & Q(ended_day__lt=F("due_day"))

    def open_at(moment: dt.datetime) -> Q:  # open at the end of the day before `moment` (a midnight)
        return Q(received_at__lt=moment) & (Q(ended__isnull=True) | Q(ended__gte=moment))

    with_fees = Q(payload__DanhSachLePhi__0__isnull=False)
    return {
        m.RECEIVED_ONLINE: received_in & online,
        m.RECEIVED_DIRECT: received_in & ~online,
        m.RECEIVED_FULL_ONLINE: received_in & online & Q(payload__MucDo="toan_trinh"),
        m.RESOLVED_EARLY: ended_in & early,
        m.RESOLVED_ON_TIME: ended_in & ~late & ~early,
        m.RESOLVED_LATE: ended_in & late,
        m.FEES_PAID: ended_in & with_fees,
        m.FEES_PAID_ONLINE: ended_in & with_fees & Q(payload__DuocThanhToanTrucTuyen=1),
        m.RESULTS_ISSUED: ended_in & Q(payload__DanhSachGiayToKetQua__0__isnull=False),
        # Overdue from the day after the appointment's day: at the end of `end`, due before `end` began.
        m.OPEN: open_at(until),
        m.OPEN_OVERDUE: open_at(until) & Q(appointment_at__lt=_midnight(end)),
        m.CARRIED_OVER: open_at(since),
        DOSSIERS_DIGITISED: received_in & Q(payload__HoSoCoThanhPhanSoHoa=1),
    }


def complete(counts: Mapping[str, int]) -> dict[str, int]:
    """The values dict of a scope: the counted figures, in-time stock and the derived measures the data allows.
    Measures the national data cannot give are absent (the scoring marks their indicators N/A)."""
    values = {name: int(counts.get(name, 0)) for name in COUNTED}
    values[m.OPEN_IN_TIME] = values[m.OPEN] - values[m.OPEN_OVERDUE]
    for name in DERIVED_GIVEN:
        values[name] = sum(values[part] for part in m.DERIVED[name])
    return values


def _add(total: dict[str, int], counts: Mapping[str, int]) -> None:
    for name in COUNTED:
        total[name] = total.get(name, 0) + int(counts.get(name) or 0)


@dataclass(frozen=True)
class SyncFreshness:
    """Độ kịp thời đồng bộ: the last change received from the instance (ever, as of the read), and of the changes
    received in the period, how many and the worst lag (received − changed at the instance)."""

    last_received_at: dt.datetime | None = None
    changes: int = 0
    max_lag: dt.timedelta | None = None


@dataclass(frozen=True)
class AgencyFigures:
    """One agency of one instance (agencies are the instance's: the same code on two instances is two rows)."""

    peer_id: int
    code: str
    name: str
    values: dict[str, int]


@dataclass(frozen=True)
class ProvinceFigures:
    """One province's (instance's) figures, its agencies, its sync freshness."""

    peer: PeerInstance
    values: dict[str, int]
    agencies: list[AgencyFigures] = field(default_factory=list)
    sync: SyncFreshness = SyncFreshness()

    @property
    def code(self) -> str:
        return self.peer.code

    @property
    def name(self) -> str:
        return self.peer.name


@dataclass(frozen=True)
class NationalStatistics:
    start: dt.date
    end: dt.date
    nation: dict[str, int]
    provinces: list[ProvinceFigures]
    sync: SyncFreshness


def statistics(*, start: dt.date, end: dt.date) -> NationalStatistics:
    """The figures of [start, end] (days in Việt Nam's time, inclusive) for every registered instance (those
    without dossiers too, with zeros), their agencies and the nation. Three queries."""
    conditions = _conditions(start, end)
    annotations = {name: Count("pk", filter=condition) for name, condition in conditions.items()}
    since, until = _midnight(start), _midnight(end + dt.timedelta(days=1))
    rows = (
        NationalDossier.objects.exclude(state=DossierState.WITHDRAWN)
        .alias(
            ended=Coalesce("finished_at", "returned_at"),
            ended_day=TruncDate(Coalesce("finished_at", "returned_at"), tzinfo=TIME_ZONE),
            due_day=TruncDate("appointment_at", tzinfo=TIME_ZONE),
        )
        # Only what can count: received before the period's end and not ended before it began.
        .filter(Q(received_at__lt=until) & (Q(ended__isnull=True) | Q(ended__gte=since)))
        .values("peer_id", "agency_code")
        .annotate(agency_name=Max("agency_name"), **annotations)
        .order_by("peer_id", "agency_code")
    )
    agencies: dict[int, list[AgencyFigures]] = {}
    sums: dict[int, dict[str, int]] = {}
    nation: dict[str, int] = {}
    for row in rows:
        counts = {name: row[name] for name in COUNTED}
        agencies.setdefault(row["peer_id"], []).append(
            AgencyFigures(peer_id=row["peer_id"], code=row["agency_code"], name=row["agency_name"] or "",
                          values=complete(counts))
        )  # fmt: skip
        _add(sums.setdefault(row["peer_id"], {}), counts)
        _add(nation, counts)
    freshness = _freshness(start, end)
    provinces = [
        ProvinceFigures(peer=peer, values=complete(sums.get(peer.pk, {})), agencies=agencies.get(peer.pk, []),
                        sync=freshness.get(peer.pk, SyncFreshness()))
        for peer in PeerInstance.objects.order_by("code")
    ]  # fmt: skip
    return NationalStatistics(
        start=start, end=end, nation=complete(nation), provinces=provinces, sync=_worst(freshness.values())
    )


def _freshness(start: dt.date, end: dt.date) -> dict[int, SyncFreshness]:
    since, until = _midnight(start), _midnight(end + dt.timedelta(days=1))
    in_period = Q(received_at__gte=since, received_at__lt=until)
    lag = ExpressionWrapper(F("received_at") - F("changed_at"), output_field=DurationField())
    rows = (
        NationalChange.objects.values("dossier__peer_id")
        .annotate(last=Max("received_at"), changes=Count("pk", filter=in_period), max_lag=Max(lag, filter=in_period))
        .order_by()
    )
    return {
        row["dossier__peer_id"]: SyncFreshness(last_received_at=row["last"], changes=row["changes"],
                                               max_lag=row["max_lag"])
        for row in rows
    }  # fmt: skip


def _worst(items: Iterable[SyncFreshness]) -> SyncFreshness:
    """The nation's: the latest change received from any instance, all changes of the period, the worst lag."""
    items = list(items)
    lasts = [item.last_received_at for item in items if item.last_received_at is not None]
    lags = [item.max_lag for item in items if item.max_lag is not None]
    return SyncFreshness(
        last_received_at=max(lasts, default=None), changes=sum(item.changes for item in items),
        max_lag=max(lags, default=None),
    )  # fmt: skip


def unmeasured(scheme) -> list[scoring.IndicatorSpec]:
    """The scheme's indicators the national data cannot measure (a numerator or denominator it does not give):
    N/A in the nationwide index."""
    return [
        item for group in scoring.as_spec(scheme).groups for item in group.indicators
        if item.numerator not in MEASURED or item.denominator not in MEASURED
    ]  # fmt: skip


def score(scheme, values: Mapping[str, int]) -> scoring.IndexScore:
    """The nationwide index of one scope: metrics.scoring.score over the values. An indicator the data cannot
    measure is N/A because its denominator is absent (0) — true of every shipped scheme; for one whose denominator
    the data gives but whose numerator it does not (a scheme an administrator may make), which the values alone
    would score 0, the denominator is replaced by one never given, so it is N/A too."""
    spec = scoring.as_spec(scheme)
    false_zeros = {item.code for item in unmeasured(spec) if item.denominator in MEASURED}
    if false_zeros:
        groups = tuple(
            replace(group, indicators=tuple(
                replace(item, denominator=m.COMPONENTS) if item.code in false_zeros else item
                for item in group.indicators
            ))
            for group in spec.groups
        )  # fmt: skip
        spec = replace(spec, groups=groups)
    return scoring.score(spec, values)


# The shares shown with the figures (ratios as the index rounds them: 2 decimals, None when nothing to divide).
SHARES = {
    "in_time": ("judged_in_time", "judged"),  # TDGQ.1: resolved early or on time, and in progress in time
    "full_online": (m.RECEIVED_FULL_ONLINE, "received"),  # CLGQ.1: full-process online among all received
    "paid_online": (m.FEES_PAID_ONLINE, m.FEES_PAID),  # TTTT.1: paid online among the resolved with fees
    "electronic_results": (m.RESULTS_ISSUED, "resolved"),  # MDSH.1: with an electronic result among the resolved
    "digitised": (DOSSIERS_DIGITISED, "received"),  # dossiers with a digitised component among those received
}


def shares(values: Mapping[str, int]) -> dict[str, Decimal | None]:
    return {name: scoring.ratio_of(values[top], values[bottom]) for name, (top, bottom) in SHARES.items()}
