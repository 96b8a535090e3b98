"""Liên thông văn bản in the back office: the packages an officer's agencies sent and received (official letters,
inter-agency dossier steps), each with its documents, signed receipt, history and evidence; a received package is
marked processed or returned with a reason (the sender is told by a signed status).

An officer sees the packages of the agencies where they hold a role (exchange.queries); any other package is a 404,
as an unknown one. Citizens get a 404, anonymous visitors the officer login. Files and the evidence ZIP download
through the API (the same session), which serves them as attachments.
"""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from motcua.backoffice.views import officer_required
from motcua.backoffice.views_operations import _nav
from motcua.exchange import queries, services
from motcua.exchange.errors import ExchangeError
from motcua.exchange.models import Direction, ExchangePackage, PackageStatus

PAGE_SIZE = 50


class ProcessedForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Ghi chú cho bên gửi"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Lý do trả lại"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Cần ghi lý do trả lại.")},
    )  # fmt: skip


@officer_required(redirect_others=True)
@require_GET
def packages(request: HttpRequest) -> HttpResponse:
    direction = request.GET.get("direction") or Direction.INCOMING
    if direction not in Direction.values:
        raise Http404
    page = Paginator(queries.visible_packages(request.user, direction=direction), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "direction": direction, "directions": Direction.choices, **_nav(request.user)}
    return render(request, "backoffice/exchange_list.html", context)


@officer_required
@require_http_methods(["GET", "POST"])
def package(request: HttpRequest, package_id: uuid.UUID) -> HttpResponse:
    direction = request.GET.get("direction") or None
    if direction is not None and direction not in Direction.values:
        raise Http404
    try:
        found = queries.get_visible_package(request.user, package_id, direction=direction)
    except ExchangePackage.DoesNotExist:
        raise Http404 from None
    answerable = found.direction == Direction.INCOMING and found.status == PackageStatus.RECEIVED
    processed_form = ProcessedForm(request.POST if "processed" in request.POST else None, prefix="processed")
    return_form = ReturnForm(request.POST if "return" in request.POST else None, prefix="return")
    context: dict = {"package": found, "answerable": answerable, **_nav(request.user)}
    status = 200
    if request.method == "POST":
        form = processed_form if "processed" in request.POST else return_form
        if not answerable:
            raise Http404
        if form.is_valid():
            try:
                if form is processed_form:
                    services.mark_processed(package_id=found.package_id, officer=request.user,
                                            note=form.cleaned_data["note"])  # fmt: skip
                    messages.success(request, _("Đã báo bên gửi: gói tin đã được xử lý xong."))
                else:
                    services.return_package(package_id=found.package_id, officer=request.user,
                                            reason=form.cleaned_data["reason"])  # fmt: skip
                    messages.success(request, _("Đã trả lại gói tin cho bên gửi."))
                return redirect(f"{request.path}?direction={found.direction}")
            except ExchangeError as exc:
                context.update(problem=exc.message)
                status = exc.status
        else:
            context.update(problem=_("Chưa gửi được; hãy sửa các mục được đánh dấu."), problem_forms=[form])
            status = 400
    context.update(processed_form=processed_form, return_form=return_form)
    return render(request, "backoffice/exchange_detail.html", context, status=status)
