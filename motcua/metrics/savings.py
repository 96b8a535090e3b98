"""What the platform saved applicants in a period (chi phí xã hội tiết kiệm được): per procedure and in total.

For each procedure: dossiers filed online × (paper cost − online cost of one dossier) + components reused from
the data warehouse × what one reused component spares — in hours, trips, copies and đồng. Counts come from the
per-procedure roll-ups (`queries.procedure_measures`), prices and profiles from `regulations.queries` as in force
on the period's last day (one set of prices for the period, like the index scheme). A bounded number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from motcua.catalog.models import Procedure
from motcua.metrics import measures as m
from motcua.metrics import queries
from motcua.regulations.models import CostParameters
from motcua.regulations.queries import estimates_for, parameters_on


@dataclass(frozen=True)
class ProcedureSavings:
    procedure_id: int
    code: str
    name: str
    dossiers_online: int
    components_reused: int
    hours: Decimal
    trips: int
    pages_copied: int
    certified_copies: int
    vnd: int
    own_profile: bool


@dataclass(frozen=True)
class Savings:
    start: dt.date
    end: dt.date
    parameters: CostParameters | None  # None: no unit costs in force at the period's end, nothing estimated
    lines: list[ProcedureSavings]  # the procedures with dossiers online or components reused, most saved first

    def _sum(self, name: str):
        return sum((getattr(line, name) for line in self.lines), Decimal(0) if name == "hours" else 0)

    @property
    def dossiers_online(self) -> int:
        return self._sum("dossiers_online")

    @property
    def components_reused(self) -> int:
        return self._sum("components_reused")

    @property
    def hours(self) -> Decimal:
        return self._sum("hours")

    @property
    def trips(self) -> int:
        return self._sum("trips")

    @property
    def pages_copied(self) -> int:
        return self._sum("pages_copied")

    @property
    def certified_copies(self) -> int:
        return self._sum("certified_copies")

    @property
    def vnd(self) -> int:
        return self._sum("vnd")

    @property
    def vnd_per_year(self) -> int:
        """The period's saving at the same pace for a year (365 days), as the seeds' "tỷ đồng/năm" figures."""
        days = (self.end - self.start).days + 1
        return int((Decimal(self.vnd) * 365 / days).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def savings_for(agency_ids: Iterable[int], start: dt.date, end: dt.date) -> Savings:
    """The applicants' savings of these agencies' dossiers in [start, end] (days, inclusive)."""
    parameters = parameters_on(end)
    if parameters is None:
        return Savings(start=start, end=end, parameters=None, lines=[])
    counts = {
        procedure_id: (values.get(m.RECEIVED_ONLINE, 0), values.get(m.COMPONENTS_REUSED, 0))
        for procedure_id, values in queries.procedure_measures(list(agency_ids), start, end).items()
    }
    counts = {pk: pair for pk, pair in counts.items() if any(pair)}
    estimates = estimates_for(list(counts), end, parameters=parameters)
    names = {
        pk: (code, name)
        for pk, code, name in Procedure.objects.filter(pk__in=list(counts), versions__is_current=True).values_list(
            "pk", "code", "versions__name"
        )
    }
    lines = []
    for procedure_id, (online, reused) in counts.items():
        found = estimates.get(procedure_id)
        if found is None:
            continue
        saved, component = found.saved, found.per_component_reused
        code, name = names.get(procedure_id, ("", ""))
        lines.append(
            ProcedureSavings(
                procedure_id=procedure_id, code=code, name=name, dossiers_online=online, components_reused=reused,
                hours=online * saved.hours + reused * component.hours, trips=online * saved.trips,
                pages_copied=online * saved.pages_copied,
                certified_copies=online * saved.certified_copies + reused * component.certified_copies,
                vnd=online * saved.vnd + reused * component.vnd, own_profile=found.own_profile,
            )
        )  # fmt: skip
    lines.sort(key=lambda line: (-line.vnd, line.code))
    return Savings(start=start, end=end, parameters=parameters, lines=lines)
