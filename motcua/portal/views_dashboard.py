"""Chỉ số phục vụ người dân, doanh nghiệp (QĐ 766) in public: the nation's page and each agency's (it and every
agency under it), for a period chosen by GET. Public figures only: no personal data, no dossier lists.

Views are thin: parse the period (metrics.dashboards.PeriodForm), read (metrics.dashboards), render.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from motcua.metrics import dashboards, queries
from motcua.metrics.savings import savings_for


def _page(request: HttpRequest, identifier: str | None) -> HttpResponse:
    ids, agency = queries.agency_scope(identifier)
    if identifier and agency is None:
        raise Http404(identifier)
    form, period = dashboards.parse_period(request.GET)
    context = {"nav": "service_index", "agency": agency, "form": form, "period": period}
    if period is None:
        # What was typed stays in the form, with the message; no figures for a period that is not one.
        return render(request, "portal/dashboard.html", context, status=400)
    published = dashboards.published_schemes(period.end)  # once for the index, the trend and the ranking
    trend = dashboards.trend(ids, dashboards.trend_months(period), published=published)
    index = dashboards.index_for(ids, period, published=published)
    export = {**period.api_params, "format": "xlsx"}
    if agency is not None:
        export = {"agency": agency.identifier, **export}
    context.update(
        index=index,
        score=index.score if index is not None else None,
        index_rows=dashboards.index_rows(index.score) if index is not None else [],
        groups_chart=dashboards.groups_chart(index.score) if index is not None else None,
        trend=trend,
        trend_rows=trend.rows(),
        trend_chart=dashboards.trend_chart(trend),
        ranking=dashboards.ranking(agency, period, published=published),
        savings=savings_for(ids, period.start, period.end),
        period_query=urlencode(period.params),
        export_url=reverse("api-v1:report_ii06a") + "?" + urlencode(export),
    )
    return render(request, "portal/dashboard.html", context)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The nation's index, its trend, and the ranking of the agencies without a parent (provinces, ministries)."""
    return _page(request, None)


@require_GET
def agency(request: HttpRequest, identifier: str) -> HttpResponse:
    """An agency's index (it and everything under it), its trend, and the ranking of the agencies under it."""
    return _page(request, identifier)
