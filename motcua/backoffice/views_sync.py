"""Đồng bộ Cổng quốc gia in the back office: each agency's sync rate for a period (the figures of CKMB.4), and for
operators the connector itself — what waits and since when, what was refused, the latest pushes, and a resend of
everything from a date. On the national instance, operators see each province's sync health.

An officer sees the agencies where they hold a role (as on the operations dashboard); the connector's state and the
national page are the operators' (policy.is_operator): anyone else gets a 404, an anonymous visitor the login.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from motcua.backoffice import queries as backoffice_queries
from motcua.backoffice.views import officer_required
from motcua.backoffice.views_operations import _nav
from motcua.dossiers import policy
from motcua.metrics import dashboards
from motcua.national import queries as national_queries
from motcua.sync import queries as sync_queries
from motcua.sync import services as sync_services

HEALTH_HOURS = 24


class ResendForm(forms.Form):
    since = forms.DateField(
        label=gettext_lazy("Gửi lại mọi thay đổi ghi nhận từ ngày"),
        help_text=gettext_lazy("Ví dụ 2026-11-01. Cổng quốc gia bỏ qua thay đổi đã có, nên gửi lại luôn an toàn."),
        error_messages={"required": gettext_lazy("Hãy nhập ngày."), "invalid": gettext_lazy("Ngày không hợp lệ.")},
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_since(self) -> dt.date:
        since = self.cleaned_data["since"]
        if since > timezone.localdate():
            raise forms.ValidationError(_("Ngày không được sau hôm nay."))
        return since


@officer_required(redirect_others=True, operators=True)
@require_http_methods(["GET", "POST"])
def sync(request: HttpRequest) -> HttpResponse:
    agencies = backoffice_queries.figures_agencies(request.user)
    form, period = dashboards.parse_period(request.GET)
    operator = policy.is_operator(request.user)
    resend = ResendForm(request.POST or None)
    if request.method == "POST":
        if not operator:
            raise Http404
        if resend.is_valid():
            since = timezone.make_aware(dt.datetime.combine(resend.cleaned_data["since"], dt.time.min))
            count = sync_services.resend_since(since=since)
            messages.success(request, _("Đã đặt %(count)s thay đổi để gửi lại Cổng quốc gia.") % {"count": count})
            return redirect("backoffice:sync:index")
    context = {
        "form": form, "period": period, "operator": operator, "resend": resend,
        "rates": dashboards.sync_rates(agencies, period) if period is not None else [],
        **_nav(request.user),
    }  # fmt: skip
    if resend.errors:
        context.update(problem=_("Chưa gửi lại được; hãy sửa các mục được đánh dấu."), problem_forms=[resend])
    if operator:
        context.update(
            health=sync_queries.channel_health(), refused=sync_queries.refused_records(),
            national_portal=national_queries.is_national_portal(),
        )  # fmt: skip
    status = 400 if period is None or resend.errors else 200
    return render(request, "backoffice/sync.html", context, status=status)


@officer_required(redirect_others=True, operators=True)
@require_GET
def national(request: HttpRequest) -> HttpResponse:
    if not policy.is_operator(request.user) or not national_queries.is_national_portal():
        raise Http404
    since = timezone.now() - dt.timedelta(hours=HEALTH_HOURS)
    context = {
        "since": since, "hours": HEALTH_HOURS, "instances": national_queries.instance_health(since=since),
        "refused": national_queries.refused_batches(since=since), **_nav(request.user),
    }  # fmt: skip
    return render(request, "backoffice/national.html", context)
