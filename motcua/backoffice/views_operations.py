"""Bảng điều hành (operations dashboard) in the back office: an agency's index figures for a period, its open and
overdue dossiers now by processing step and by officer, and the dossiers behind each figure.

An officer chooses one of the agencies where they hold an active role, operators any agency
(`motcua.dossiers.policy.can_view_figures`); any other agency is a 404, as an unknown one. Figures are the
agency's own dossiers (not those of agencies under it: the public page adds those up), so that every dossier
behind a figure is one its officers can open. Anonymous visitors go to the officer login; a citizen is sent there
from the dashboard (an entry page) and gets a 404 from a list of dossiers, as with the other back-office pages.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from motcua.backoffice import queries as backoffice_queries
from motcua.backoffice.views import _payment_reports, _receives, officer_required
from motcua.catalog.models import Agency
from motcua.dossiers import policy
from motcua.metrics import dashboards
from motcua.metrics import measures as m

# Biểu II.06a's figures, in the report's order, each a measure whose dossiers can be listed.
REPORT_MEASURES = (
    m.CARRIED_OVER, m.RECEIVED_ONLINE, m.RECEIVED_DIRECT, "received", m.RESOLVED_EARLY, m.RESOLVED_ON_TIME,
    m.RESOLVED_LATE, "resolved", m.OPEN_IN_TIME, m.OPEN_OVERDUE, m.OPEN,
)  # fmt: skip


def _agency(request: HttpRequest, agencies: list[Agency], identifier: str | None) -> Agency | None:
    """The chosen agency (the first one when none is chosen); 404 for one the user may not open."""
    if not identifier:
        return agencies[0] if agencies else None
    chosen = next((agency for agency in agencies if agency.identifier == identifier), None)
    if chosen is None or not policy.can_view_figures(request.user, chosen):
        raise Http404(identifier)  # another agency's figures are not disclosed, as an unknown agency
    return chosen


def _nav(user) -> dict:
    return {"can_register": _receives(user), "payment_reports": _payment_reports(user)}


@officer_required(redirect_others=True, operators=True)
@require_GET
def operations(request: HttpRequest) -> HttpResponse:
    """An agency's index figures for the period (?agency=&month=|year=&quarter=|from=&to=), and its open dossiers."""
    agencies = backoffice_queries.figures_agencies(request.user)
    agency = _agency(request, agencies, request.GET.get("agency"))
    form, period = dashboards.parse_period(request.GET)
    context = {"agencies": agencies, "agency": agency, "form": form, "period": period, **_nav(request.user)}
    if agency is None:
        return render(request, "backoffice/operations.html", context)
    if period is None:
        return render(request, "backoffice/operations.html", context, status=400)
    index = dashboards.index_for([agency.pk], period)
    now = dashboards.current_time()
    scope = {"agency": agency.identifier, **period.api_params}
    values = index.values if index is not None else {}
    context.update(
        index=index,
        score=index.score if index is not None else None,
        index_rows=dashboards.index_rows(index.score) if index is not None else [],
        groups_chart=dashboards.groups_chart(index.score) if index is not None else None,
        report=[{"measure": name, "label": m.LABELS[name], "value": values.get(name, 0)} for name in REPORT_MEASURES],
        by_step=dashboards.open_by_step([agency.pk], now=now),
        by_officer=dashboards.open_by_assignee([agency.pk], now=now),
        now=now,
        drill_url=reverse("backoffice:operations:dossiers") + "?" + urlencode(scope) + "&measure=",
        public_url=reverse("portal:dashboard:agency", args=[agency.identifier]) + "?" + urlencode(period.params),
    )
    return render(request, "backoffice/operations.html", context)


@officer_required(operators=True)
@require_GET
def dossiers(request: HttpRequest) -> HttpResponse:
    """The dossiers behind one figure: ?measure=&agency=&from=&to= (the figure's period, days inclusive)."""
    agencies = backoffice_queries.figures_agencies(request.user)
    agency = _agency(request, agencies, request.GET.get("agency") or "-")
    measure = request.GET.get("measure", "")
    form, period = dashboards.parse_period({"from": request.GET.get("from", ""), "to": request.GET.get("to", "")})
    context = {"agency": agency, "measure": measure, "form": form, **_nav(request.user)}
    problem = ""
    if not dashboards.is_drillable(measure):
        problem = _("Không có danh sách hồ sơ cho số liệu “%(measure)s”.") % {"measure": measure[:60]}
    elif period is None or period.kind != "range":
        problem = _("Kỳ của số liệu không hợp lệ: cần “từ ngày” và “đến ngày”, ví dụ from=2026-11-01&to=2026-11-30.")
    if problem:
        context["problem"] = problem
        return render(request, "backoffice/operations_dossiers.html", context, status=400)
    facts = dashboards.dossiers_behind(measure, [agency.pk], period)
    page = Paginator(facts, settings.WORKLIST_PAGE_SIZE).get_page(request.GET.get("page"))
    scope = {"agency": agency.identifier, **period.api_params}
    context.update(
        period=period,
        label=m.LABELS.get(measure, measure),
        page=page,
        components=dashboards.components_behind(measure, facts),
        component_field=dashboards.COMPONENT_FIELDS.get(measure),
        # Operators see the list (figures are theirs to check) but have no dossier pages: no links for them.
        links=agency.pk in policy.officer_roles(request.user),
        page_query=urlencode({**scope, "measure": measure}),
        back_url=reverse("backoffice:operations:index") + "?" + urlencode(scope),
    )
    return render(request, "backoffice/operations_dossiers.html", context)
