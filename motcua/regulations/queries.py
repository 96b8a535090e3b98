"""Reads of compliance cost: a procedure's estimate on paper and online, and what going online saves a dossier.

Quantities come from the procedure's profile (or the default of its service level), prices from the
`CostParameters` in force on the day; fees left empty in a profile are read from the fees of the procedure
version in force on that day (see `catalog_fees`). `estimates_for` costs the same few queries for one procedure
or thousands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from motcua.catalog.models import (
    ApplicantCategory,
    FeeItem,
    FeeUnit,
    Procedure,
    ProcedureVersion,
    ServiceLevel,
    VersionStatus,
)
from motcua.regulations.models import ComplianceCostProfile, CostParameters

PAPER, ONLINE = "paper", "online"


@dataclass(frozen=True)
class ChannelCost:
    """One dossier's compliance cost through one channel: the quantities, and each of them priced in đồng."""

    hours: Decimal
    trips: int
    pages_copied: int
    certified_copies: int
    postal_items: int
    time_vnd: int
    travel_vnd: int
    copies_vnd: int
    postage_vnd: int
    fees_vnd: int
    other_vnd: int

    @property
    def vnd(self) -> int:
        return self.time_vnd + self.travel_vnd + self.copies_vnd + self.postage_vnd + self.fees_vnd + self.other_vnd

    @property
    def copies(self) -> int:
        return self.pages_copied + self.certified_copies

    def __sub__(self, other: ChannelCost) -> ChannelCost:
        return ChannelCost(**{f.name: getattr(self, f.name) - getattr(other, f.name) for f in fields(self)})


@dataclass(frozen=True)
class ComponentSaving:
    """What one component reused from the data warehouse spares its applicant."""

    hours: Decimal
    certified_copies: int
    vnd: int


@dataclass(frozen=True)
class CostEstimate:
    procedure_id: int
    on_day: dt.date
    paper: ChannelCost
    online: ChannelCost
    per_component_reused: ComponentSaving
    parameters: CostParameters
    profile: ComplianceCostProfile
    fees_from_catalog: bool  # at least one channel's fees were read from the procedure's own fees

    @property
    def saved(self) -> ChannelCost:
        """What one dossier filed online instead of on paper saves (negative where online costs more)."""
        return self.paper - self.online

    @property
    def own_profile(self) -> bool:
        return not self.profile.is_default


def _vnd(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parameters_on(day: dt.date) -> CostParameters | None:
    """The unit costs in force on `day` (the latest version starting on or before it), or None before the first."""
    return CostParameters.objects.filter(valid_from__lte=day).order_by("-valid_from").first()


def catalog_fees(version: ProcedureVersion | None) -> tuple[int, int]:
    """(paper, online) fees of one dossier from the version's FeeItems, for the applicant the procedure serves.

    Items for anyone or for that applicant category count (citizens, or organisations when only they apply);
    exemptions are ignored (an estimate for someone not exempt). A per-dossier item counts once; a per-copy or
    per-page item counts one unit (one copy of the result) unless its first units are free; `max_amount` caps it.
    Online, an item's `online_amount` (the online discount) replaces its amount when set.
    """
    if version is None:
        return 0, 0
    category = (
        ApplicantCategory.ORGANISATION
        if version.for_organisations and not version.for_citizens
        else ApplicantCategory.CITIZEN
    )
    paper = online = 0
    for fee in version.fees.all():
        if fee.applicant_category not in (ApplicantCategory.ANYONE, category):
            continue
        units = 1 if fee.unit == FeeUnit.PER_DOSSIER else max(0, 1 - fee.free_units)
        on_paper = fee.amount * units
        via_online = (fee.amount if fee.online_amount is None else fee.online_amount) * units
        if fee.max_amount is not None:
            on_paper, via_online = min(on_paper, fee.max_amount), min(via_online, fee.max_amount)
        paper, online = paper + on_paper, online + via_online
    return paper, online


def _channel(profile: ComplianceCostProfile, channel: str, prices: CostParameters, catalog_fee: int) -> ChannelCost:
    get = lambda name: getattr(profile, f"{channel}_{name}")  # noqa: E731
    hours = get("hours_prepare") + get("hours_travel")
    fees = get("fees")
    return ChannelCost(
        hours=hours, trips=get("trips"), pages_copied=get("pages_copied"),
        certified_copies=get("certified_copies"), postal_items=get("postal_items"),
        time_vnd=_vnd(hours * prices.hour_value), travel_vnd=get("trips") * prices.trip_cost,
        copies_vnd=get("pages_copied") * prices.page_copy_cost + get("certified_copies") * prices.certified_copy_cost,
        postage_vnd=get("postal_items") * prices.postage_cost, fees_vnd=catalog_fee if fees is None else fees,
        other_vnd=get("other_costs"),
    )  # fmt: skip


def versions_in_force(procedure_ids: Iterable[int], day: dt.date) -> dict[int, ProcedureVersion]:
    """Each procedure's version in force on `day` — the latest published on or before it, else (a catalogue
    loaded after the day asked about) its first published version — with its fees; two queries."""
    found: dict[int, ProcedureVersion] = {}
    rows = (
        ProcedureVersion.objects.filter(
            procedure_id__in=list(procedure_ids), status__in=[VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED]
        )
        .order_by("procedure_id", "number")
        .only("id", "procedure_id", "number", "published_at", "service_level", "for_citizens", "for_organisations")
    )
    for version in rows:  # by number: a later version in force on the day replaces an earlier one
        published = timezone.localdate(version.published_at)
        if version.procedure_id not in found or published <= day:
            found[version.procedure_id] = version
    # Fees of the chosen versions only (not of every older version the query above saw).
    prefetch_related_objects(list(found.values()), Prefetch("fees", queryset=FeeItem.objects.order_by("position")))
    return found


def estimates_for(
    procedure_ids: Iterable[int], on_day: dt.date, *, parameters: CostParameters | None = None
) -> dict[int, CostEstimate]:
    """The estimate of each procedure on `on_day`, in four queries whatever their number (three when the caller
    passes the unit costs in force on that day as `parameters`).

    A procedure with no published version is priced with the default profile for a full-process service and no
    fees. Empty when no unit costs are in force on the day (before the first version).
    """
    procedure_ids = list(procedure_ids)
    prices = parameters or parameters_on(on_day)
    if prices is None or not procedure_ids:
        return {}
    profiles = {
        (profile.procedure_id, profile.service_level): profile
        for profile in ComplianceCostProfile.objects.filter(procedure_id__in=procedure_ids)
        | ComplianceCostProfile.objects.filter(procedure__isnull=True)
    }
    versions = versions_in_force(procedure_ids, on_day)
    estimates = {}
    for procedure_id in procedure_ids:
        version = versions.get(procedure_id)
        level = version.service_level if version is not None else ServiceLevel.FULL
        profile = profiles.get((procedure_id, "")) or profiles.get((None, level))
        if profile is None:  # no default for this level (an administrator removed it): nothing to estimate
            continue
        paper_fee, online_fee = catalog_fees(version)
        estimates[procedure_id] = CostEstimate(
            procedure_id=procedure_id, on_day=on_day, parameters=prices, profile=profile,
            paper=_channel(profile, PAPER, prices, paper_fee), online=_channel(profile, ONLINE, prices, online_fee),
            per_component_reused=ComponentSaving(
                hours=profile.reused_component_hours, certified_copies=profile.reused_component_certified_copies,
                vnd=_vnd(profile.reused_component_hours * prices.hour_value)
                + profile.reused_component_certified_copies * prices.certified_copy_cost,
            ),
            fees_from_catalog=profile.paper_fees is None or profile.online_fees is None,
        )  # fmt: skip
    return estimates


def estimate(procedure: Procedure, on_day: dt.date) -> CostEstimate | None:
    """A procedure's compliance cost on paper and online, and what one dossier filed online saves, on `on_day`.

    None only when no unit costs are in force on that day (or no default profile exists for its service level).
    """
    return estimates_for([procedure.pk], on_day).get(procedure.pk)
