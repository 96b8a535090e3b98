"""Tra cứu trên Cổng quốc gia: on the national instance (MOTCUA_ROLE=national), anyone looks up a dossier of any
province by its code and the last 4 digits of the applicant's ID, as on the local lookup; the answer is the status
and history its instance pushed, never a file or a name. Elsewhere the page does not exist (404), except in
development, where the loopback connector makes an instance its own national portal."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from motcua.dossiers import lookup_throttle as throttle
from motcua.dossiers.models import ActionKind, DossierState
from motcua.national import queries as national_queries
from motcua.portal.forms import LookupForm
from motcua.sync.payload import parse_national_date


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    if not national_queries.is_national_portal():
        raise Http404
    ip = throttle.client_ip(request)
    form = LookupForm(request.POST or None)
    context: dict = {"form": form}
    status = 200
    if request.method == "POST":
        minutes = throttle.minutes_left(ip)
        if minutes:
            context["locked_minutes"], status = minutes, 429
        elif form.is_valid():
            found = national_queries.lookup(code=form.cleaned_data["code"], id_last4=form.cleaned_data["id_last4"])
            if found is None:
                context["not_found"] = True
                if throttle.record_failure(ip):
                    context["locked_minutes"] = throttle.minutes_left(ip)
            else:
                context["result"] = found
                context["state_label"] = DossierState(found.state).label
                context["timeline"] = [_entry(entry) for entry in national_queries.history(found)]
    return render(request, "portal/lookup_national.html", context, status=status)


def _entry(entry: dict) -> dict:
    kind = entry["action"]
    state = entry.get("state")
    return {
        "at": parse_national_date(entry["at"]) if entry.get("at") else None,
        "label": ActionKind(kind).label if kind in ActionKind.values else kind,
        "state_label": DossierState(state).label if state in DossierState.values else "",
        "where": entry.get("where", ""),
    }
