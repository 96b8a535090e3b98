"""Thống kê toàn quốc in public, on the national instance: the nation's figures for a period (Biểu II.06a's columns,
the shares the index uses, the nationwide index) and a table of the provinces, sortable with `sort=`. Aggregates
only: no dossier codes, no names. Elsewhere (a provincial instance) the page does not exist: 404.

Views are thin: parse the period (metrics.dashboards.parse_period), read (national.statistics), render.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from motcua.metrics import dashboards, schemes, scoring
from motcua.metrics import measures as m
from motcua.national import queries as national_queries
from motcua.national import statistics

# sort= → (the row's key, descending first); numbers sort with the largest (or worst lag) first.
SORTS = {
    "code": (lambda row: row["code"], False),
    "name": (lambda row: row["name"], False),
    "received": (lambda row: row["values"]["received"], True),
    "resolved": (lambda row: row["values"]["resolved"], True),
    "overdue": (lambda row: row["values"][m.OPEN_OVERDUE], True),
    "in_time": (lambda row: row["shares"]["in_time"], True),
    "index": (lambda row: row["total"], True),
    "lag": (lambda row: row["sync"].max_lag, True),
}
DEFAULT_SORT = "code"


def _percent(ratio: Decimal | None) -> Decimal | None:
    return None if ratio is None else ratio * 100


def _lag_label(lag: dt.timedelta | None) -> str:
    if lag is None:
        return "—"
    minutes = int(lag.total_seconds() // 60)
    if minutes < 1:
        return _("%(seconds)s giây") % {"seconds": max(int(lag.total_seconds()), 0)}
    if minutes < 60:
        return _("%(minutes)s phút") % {"minutes": minutes}
    return _("%(hours)s giờ %(minutes)s phút") % {"hours": minutes // 60, "minutes": minutes % 60}


def _row(code: str, name: str, values: dict[str, int], sync: statistics.SyncFreshness, spec) -> dict:
    score = statistics.score(spec, values) if spec is not None else None
    shares = statistics.shares(values)
    return {
        "code": code, "name": name, "values": values, "shares": shares,
        "percents": {key: _percent(value) for key, value in shares.items()},
        "score": score, "total": score.total if score is not None else None,
        "sync": sync, "lag_label": _lag_label(sync.max_lag),
    }  # fmt: skip


def _sorted(rows: list[dict], sort: str) -> list[dict]:
    key, descending = SORTS[sort]
    present = [row for row in rows if key(row) is not None]
    missing = [row for row in rows if key(row) is None]  # N/A and "no data" last, whatever the direction
    present.sort(key=lambda row: row["code"])
    present.sort(key=key, reverse=descending)  # stable: equal figures stay in code order
    return present + missing


@require_GET
def national_statistics(request: HttpRequest) -> HttpResponse:
    if not national_queries.is_national_portal():
        raise Http404
    form, period = dashboards.parse_period(request.GET)
    sort = request.GET.get("sort", DEFAULT_SORT)
    sort = sort if sort in SORTS else DEFAULT_SORT
    context = {"nav": "national_statistics", "form": form, "period": period, "action": request.path}
    if period is None:
        # What was typed stays in the form, with the message; no figures for a period that is not one.
        return render(request, "portal/national_statistics.html", context, status=400)
    found = statistics.statistics(start=period.start, end=period.end)
    scheme = schemes.scheme_in_force(period.end)
    spec = scoring.as_spec(scheme) if scheme is not None else None
    rows = [_row(row.code, row.name, row.values, row.sync, spec) for row in found.provinces]
    context.update(
        scheme=spec,
        legal_basis=scheme.legal_basis if scheme is not None else "",
        not_measured=statistics.unmeasured(spec) if spec is not None else [],
        nation=_row("", _("Toàn quốc"), found.nation, found.sync, spec),
        provinces=_sorted(rows, sort),
        sort=sort,
        sort_links={key: "?" + urlencode({**period.params, "sort": key}) for key in SORTS},
        period_query=urlencode(period.params),
    )
    return render(request, "portal/national_statistics.html", context)
