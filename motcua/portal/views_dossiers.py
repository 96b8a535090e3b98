"""Hồ sơ của tôi (the applicant's dossiers, their timeline, withdrawal and supplements), notifications, and the
public lookup of a dossier's status."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.documents.responses import document_response
from motcua.documents.services import store_document
from motcua.dossiers import lookup_throttle as throttle
from motcua.dossiers import policy
from motcua.dossiers import queries as dossier_queries
from motcua.dossiers.eform_fields import display_rows
from motcua.dossiers.errors import ActionNotAllowed, DossierConflict, DossierInvalid
from motcua.dossiers.models import ActionKind, Dossier, DossierComponent, DossierState
from motcua.dossiers.services import perform_action, return_result_online
from motcua.notify import queries as notify_queries
from motcua.notify.services import mark_read
from motcua.payments.queries import gateway_choices, open_bill, receipts_for
from motcua.portal.access import applicant_required
from motcua.portal.forms import ActionKeyMixin, LookupForm, SupplementForm, WithdrawForm
from motcua.portal.views_feedback import rating_context
from motcua.signing.queries import last_result, result_in_force

PAGE_SIZE = 20


def _visible_or_404(request: HttpRequest, code: str) -> Dossier:
    try:
        return dossier_queries.get_visible_dossier(request.user, code)
    except Dossier.DoesNotExist:
        raise Http404(code) from None


def _action_fields(dossier: Dossier, **initial) -> dict:
    return {"expected_revision": dossier.revision, "idempotency_key": ActionKeyMixin.new_key(), **initial}


# ----- list -----------------------------------------------------------------------------------------------------


@applicant_required
@require_GET
def my_dossiers(request: HttpRequest) -> HttpResponse:
    page = Paginator(dossier_queries.applicant_dossiers(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    drafts = dossier_queries.applicant_drafts(request.user).count()
    return render(request, "portal/my_dossiers.html", {"page": page, "draft_count": drafts})


# ----- one dossier -----------------------------------------------------------------------------------------------


def _dossier_page(
    request: HttpRequest,
    dossier: Dossier,
    *,
    supplement_form: SupplementForm | None = None,
    supplement_errors: dict[int, list[str]] | None = None,
    supplement_problems: list[str] | None = None,
) -> HttpResponse:
    allowed = policy.allowed_actions(request.user, dossier)
    timeline = list(dossier_queries.actions_for(dossier, public=True))
    supplement_request = None
    if dossier.state == DossierState.SUPPLEMENT_REQUESTED:
        supplement_request = next((a for a in reversed(timeline) if a.kind == ActionKind.REQUEST_SUPPLEMENT), None)
    requirements = []
    if ActionKind.SUPPLEMENT in allowed:
        errors = supplement_errors or {}
        requirements = [
            {"requirement": requirement, "errors": errors.get(requirement.pk, [])}
            for requirement in dossier_queries.supplementable_components(dossier)
        ]
        supplement_form = supplement_form or SupplementForm(initial=_action_fields(dossier))
    context = {
        "dossier": dossier,
        "timeline": timeline,
        "form_rows": display_rows(dossier.procedure_version.form_schema, dossier.form_data),
        "components": list(dossier.components.all()),
        "can_withdraw": ActionKind.WITHDRAW in allowed,
        "can_supplement": ActionKind.SUPPLEMENT in allowed,
        "supplement_request": supplement_request,
        "supplement_form": supplement_form,
        "supplement_requirements": requirements,
        "supplement_problems": supplement_problems or [],
        "bill": open_bill(dossier),  # due with the dossier, or asked for later (state 6)
        "receipts": receipts_for(dossier),
        "gateways": gateway_choices(),
        "result": result_in_force(dossier),
        "last_result": last_result(dossier),
        **rating_context(request, dossier),  # đánh giá mức độ hài lòng (portal/_rating.html)
    }
    return render(request, "portal/my_dossier.html", context)


@applicant_required
@require_GET
def my_dossier(request: HttpRequest, code: str) -> HttpResponse:
    return _dossier_page(request, _visible_or_404(request, code))


@applicant_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    """Rút hồ sơ: a confirmation page with the reason; the action itself is the POST."""
    dossier = _visible_or_404(request, code)
    problem = ""
    if request.method == "POST":
        form = WithdrawForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                perform_action(
                    dossier_code=dossier.code, actor=request.user, kind=ActionKind.WITHDRAW, comment=data["reason"],
                    expected_revision=data["expected_revision"], idempotency_key=str(data["idempotency_key"]),
                )  # fmt: skip
            except DossierConflict as conflict:
                dossier = _visible_or_404(request, code)
                problem = conflict.message
                form = WithdrawForm(initial=_action_fields(dossier, reason=data["reason"]))
            except ActionNotAllowed as refused:
                messages.error(request, refused.message)
                return redirect("portal:my_dossier", dossier.code)
            else:
                messages.success(request, _("Đã rút hồ sơ %(code)s.") % {"code": dossier.code})
                return redirect("portal:my_dossier", dossier.code)
        elif form.has_error("expected_revision") or form.has_error("idempotency_key"):
            problem = _("Phiên làm việc đã hết hạn. Hãy xác nhận lại.")
            form = WithdrawForm(initial=_action_fields(dossier, reason=request.POST.get("reason", "")))
    else:
        if ActionKind.WITHDRAW not in policy.allowed_actions(request.user, dossier):
            messages.error(
                request,
                _("Không thể rút hồ sơ khi hồ sơ đang ở trạng thái “%(state)s”.")
                % {"state": dossier.get_state_display()},
            )
            return redirect("portal:my_dossier", dossier.code)
        form = WithdrawForm(initial=_action_fields(dossier))
    return render(request, "portal/withdraw.html", {"dossier": dossier, "form": form, "problem": problem})


@applicant_required
@require_POST
def supplement(request: HttpRequest, code: str) -> HttpResponse:
    """Bổ sung hồ sơ: the documents the agency asked for, one upload field per component of the procedure."""
    dossier = _visible_or_404(request, code)
    user = request.user
    form = SupplementForm(request.POST)
    if not form.is_valid():
        problems = [_("Phiên làm việc đã hết hạn. Hãy tải lại trang và gửi lại.")]
        if form.has_error("note"):
            problems = [f"{form.fields['note'].label}: {' '.join(form.errors['note'])}"]
        return _dossier_page(request, dossier, supplement_problems=problems)
    files: dict[int, list] = {}
    errors: dict[int, list[str]] = {}
    for requirement in dossier_queries.supplementable_components(dossier):
        for upload in request.FILES.getlist(f"files-{requirement.pk}"):
            try:
                files.setdefault(requirement.pk, []).append(store_document(owner=user, upload=upload, created_by=user))
            except ValidationError as invalid:
                errors.setdefault(requirement.pk, []).extend(invalid.messages)
    if errors:
        problems = [_("Chưa gửi được giấy tờ bổ sung. Hãy sửa các mục được đánh dấu rồi chọn lại tệp.")]
        return _dossier_page(
            request, dossier, supplement_form=form, supplement_errors=errors, supplement_problems=problems
        )
    data = form.cleaned_data
    try:
        perform_action(
            dossier_code=dossier.code, actor=user, kind=ActionKind.SUPPLEMENT, comment=data["note"], files=files,
            expected_revision=data["expected_revision"], idempotency_key=str(data["idempotency_key"]),
        )  # fmt: skip
    except DossierInvalid as invalid:
        by_requirement: dict[int, list[str]] = {}
        problems = [invalid.message]
        for key, message in invalid.errors.items():
            _prefix, _dot, rest = key.partition(".")
            if rest.isdigit():
                by_requirement.setdefault(int(rest), []).append(message)
            else:
                problems.append(message)
        return _dossier_page(
            request, dossier, supplement_form=form, supplement_errors=by_requirement, supplement_problems=problems
        )
    except (DossierConflict, ActionNotAllowed) as refused:
        messages.error(request, refused.message)
        return redirect("portal:my_dossier", dossier.code)
    messages.success(request, _("Đã gửi giấy tờ bổ sung. Cơ quan sẽ tiếp tục xử lý hồ sơ."))
    return redirect("portal:my_dossier", dossier.code)


# ----- notifications ------------------------------------------------------------------------------------------------


def _safe_link(request: HttpRequest, link: str) -> str:
    if link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return link
    return ""


@applicant_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    page = Paginator(notify_queries.notifications_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for notification in page.object_list:
        notification.safe_link = _safe_link(request, notification.link)
    return render(request, "portal/notifications.html", {"page": page})


@applicant_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("notification")
    if raw:
        try:
            ids = [int(raw)]
        except ValueError:
            ids = []
        mark_read(user=request.user, notification_ids=ids)
        messages.success(request, _("Đã đánh dấu là đã đọc."))
    else:
        count = mark_read(user=request.user)
        messages.success(request, _("Đã đánh dấu %(count)s thông báo là đã đọc.") % {"count": count})
    page = request.POST.get("page", "")
    suffix = f"?page={int(page)}" if page.isdigit() else ""
    return redirect(reverse("portal:notifications") + suffix)


# ----- public lookup --------------------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """Tra cứu hồ sơ: by code and the last 4 digits of the applicant's ID; answers with status only."""
    ip = throttle.client_ip(request)
    context: dict = {"form": LookupForm(request.POST or None)}
    status = 200
    if request.method == "POST":
        minutes = throttle.minutes_left(ip)
        form = context["form"]
        if minutes:
            context["locked_minutes"] = minutes
            status = 429
        elif form.is_valid():
            dossier = dossier_queries.lookup_dossier(
                code=form.cleaned_data["code"], id_last4=form.cleaned_data["id_last4"]
            )
            if dossier is None:
                context["not_found"] = True
                if throttle.record_failure(ip):
                    context["locked_minutes"] = throttle.minutes_left(ip)
            else:
                context["result"] = dossier
                context["timeline"] = list(dossier_queries.actions_for(dossier, public=True))
    context["lookup_limit"] = getattr(settings, "MOTCUA_LOOKUP_FAILURES_PER_IP", 30)
    return render(request, "portal/lookup.html", context, status=status)


@applicant_required
@require_GET
def component_download(request: HttpRequest, code: str, component_id: int) -> FileResponse:
    """One of the applicant's own dossier documents."""
    try:
        component = dossier_queries.get_visible_component(request.user, code, component_id)
    except DossierComponent.DoesNotExist:
        raise Http404 from None
    return document_response(component.document)


@applicant_required
@require_GET
def result_download(request: HttpRequest, code: str) -> FileResponse:
    """The signed electronic result of the applicant's own dossier; the first download returns it (state 10)."""
    dossier = _visible_or_404(request, code)
    result = result_in_force(dossier)
    if result is None:
        raise Http404
    return_result_online(dossier_code=dossier.code, recipient=request.user, result_ref=str(result.pk))
    return document_response(result.document)
