"""The officers' back office: worklists, a dossier's page with its actions, and direct registration at the desk.

Views are thin: parse the request, call one query or service, render. Who may see a dossier and take which
action is decided by `motcua.dossiers.policy` (through `queries.get_visible_dossier` and
`services.perform_action`) only; a dossier the officer may not see is a 404.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.accounts import services as account_services
from motcua.accounts.models import UserKind
from motcua.backoffice import queries as bo_queries
from motcua.backoffice.forms import (
    ACTION_FORMS,
    WORKLIST_LABELS,
    ActionForm,
    ApplicantForm,
    ComponentsForm,
    ProcedureChoiceForm,
    ResultChangeForm,
    WorklistFilterForm,
    new_key,
)
from motcua.backoffice.services import find_or_create_walk_in_citizen
from motcua.catalog.models import OfficerRole
from motcua.documents.models import DocumentSource
from motcua.documents.responses import document_response
from motcua.documents.services import store_document
from motcua.dossiers import eform_fields, policy, queries, services
from motcua.dossiers.errors import ActionNotAllowed, DossierConflict, DossierInvalid
from motcua.dossiers.models import ActionKind, Dossier, DossierComponent, DossierState
from motcua.dossiers.steps import next_step
from motcua.payments import queries as payment_queries
from motcua.payments import services as payment_services
from motcua.signing import queries as signing_queries
from motcua.signing import services as signing_services
from motcua.signing.pki import SigningKeyError
from motcua.signing.rendering import FORMS as PRINTED_FORMS
from motcua.workdays.queries import load_calendar

logger = logging.getLogger(__name__)

# ----- access -----------------------------------------------------------------------------------------------------


def officer_required(view=None, *, redirect_others: bool = False, operators: bool = False):
    """Every back-office view goes through this: only officers get in (and operators, with `operators=True`: the
    pages of figures, where they see every agency's).

    Someone not logged in is sent to the officer login (and back). A logged-in citizen or organisation gets a
    404 for dossier pages (their existence is not disclosed), or the officer login for the entry pages
    (`redirect_others=True`). Pages are never cached: they show personal data.
    """
    allowed = (UserKind.OFFICER, UserKind.OPERATOR) if operators else (UserKind.OFFICER,)

    def decorate(view_func):
        @wraps(view_func)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not user.is_authenticated or (user.kind not in allowed and redirect_others):
                # Back to this page after the login; a form sent without a session cannot be replayed.
                if request.method != "GET":
                    return redirect("accounts:login_officer")
                return redirect_to_login(request.get_full_path(), reverse("accounts:login_officer"))
            if user.kind not in allowed:
                raise Http404
            return view_func(request, *args, **kwargs)

        return never_cache(wrapper)

    return decorate(view) if view is not None else decorate


def _visible(request: HttpRequest, code: str) -> Dossier:
    try:
        return queries.get_visible_dossier(request.user, code)
    except Dossier.DoesNotExist:
        raise Http404(code) from None


# ----- worklists ------------------------------------------------------------------------------------------------


@officer_required(redirect_others=True)
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    user = request.user
    now = timezone.now()
    calendar = load_calendar()  # one calendar for the lists, the counts and the badges of this request
    form = WorklistFilterForm(
        request.GET or None, procedures=bo_queries.procedure_choices(list(policy.officer_roles(user)))
    )
    form.is_valid()
    chosen = form.filters()
    name = chosen["list"] or "mine"
    rows = queries.worklist(
        user, name, now=now, calendar=calendar,
        filters=queries.WorklistFilters(
            state=chosen["state"], procedure=chosen["procedure"] or "", search=chosen["q"] or "",
            channel=chosen["channel"],
        ),
    )  # fmt: skip
    page = Paginator(rows, settings.WORKLIST_PAGE_SIZE).get_page(request.GET.get("page"))
    counts = queries.worklist_counts(user, now=now, calendar=calendar)
    filters = {key: value for key, value in chosen.items() if key != "list" and value not in (None, "")}
    tabs = [
        {
            "name": key,
            "label": label,
            "count": counts[key],
            "url": "?" + urlencode({"list": key, **filters}),
            "current": key == name,
        }
        for key, label in WORKLIST_LABELS.items()
    ]
    context = {
        "form": form,
        "tabs": tabs,
        "current": {"name": name, "label": WORKLIST_LABELS[name], "count": page.paginator.count},
        "page": page,
        "rows": [{"dossier": d, "due": bo_queries.due_status(d, calendar=calendar, now=now)} for d in page],
        "query_string": urlencode({"list": name, **filters}),
        "filtered": bool(filters),
        "can_register": _receives(user),
        "payment_reports": _payment_reports(user),
    }
    return render(request, "backoffice/worklist.html", context)


def _receives(user) -> bool:
    """Whether the officer works at a one-stop desk somewhere (and so may register dossiers directly)."""
    return any(OfficerRole.RECEPTION in roles for roles in policy.officer_roles(user).values())


def _payment_reports(user) -> list:
    """The agencies whose daily payment reconciliation the officer may open, for the nav (no query if none)."""
    return list(payment_queries.report_agencies(user))


# ----- a dossier ------------------------------------------------------------------------------------------------


def _officers_for(kind: str, dossier: Dossier):
    """Who an assign / hand-off form offers: officers of the agency holding the role the target step needs."""
    if kind == ActionKind.HAND_OFF:
        step = next_step(dossier)
        return bo_queries.officers_with_role(dossier.agency_id, step.role if step else None)
    if kind == ActionKind.ASSIGN:
        step = dossier.current_step
        return bo_queries.officers_with_role(dossier.agency_id, step.role if step else None)
    return None


def _action_form(kind: str, dossier: Dossier, data=None) -> ActionForm:
    form_class = ACTION_FORMS.get(kind, ActionForm)
    return form_class(data, dossier=dossier, officers=_officers_for(kind, dossier), prefix=kind)


def _render_dossier(
    request: HttpRequest,
    dossier: Dossier,
    *,
    bound: ActionForm | None = None,
    problem: str = "",
    result_form: ResultChangeForm | None = None,
) -> HttpResponse:
    user = request.user
    now = timezone.now()
    forms = []
    for kind in policy.allowed_actions(user, dossier):
        if kind not in ACTION_FORMS:
            continue
        form = bound if bound is not None and bound.prefix == kind else _action_form(kind, dossier)
        target = next_step(dossier) if kind in (ActionKind.HAND_OFF, ActionKind.APPROVE) else None
        forms.append({"kind": kind, "label": ActionKind(kind).label, "form": form, "target_step": target})
    log = list(queries.actions_for(dossier, public=False))
    version = dossier.procedure_version
    context = {
        "dossier": dossier,
        "version": version,
        "due": bo_queries.due_status(dossier, calendar=load_calendar(), now=now),
        "form_rows": eform_fields.display_rows(version.form_schema, dossier.form_data),
        "verified_fields": queries.verified_fields(log),
        "components": list(dossier.components.all()),
        "action_forms": forms,
        "timeline": _timeline([action for action in log if action.kind != ActionKind.VIEW], version),
        "views": [action for action in log if action.kind == ActionKind.VIEW],
        "problem": problem,
        "problem_forms": [bound] if bound is not None and bound.errors else [],
        "can_register": _receives(user),
        "payment_reports": _payment_reports(user),
        "printable": _printable_forms(log),
        "payments": payment_queries.payments_for(dossier),
        "open_bill": payment_queries.open_bill(dossier),
        "results": signing_queries.results_of(dossier),
        "result_forms": _result_forms(user, dossier, bound=result_form),
        "can_issue_account_claim": policy.can_issue_account_claim(user, dossier),
    }
    return render(request, "backoffice/dossier.html", context)


def _result_forms(user, dossier: Dossier, *, bound: ResultChangeForm | None) -> list[dict]:
    """The leader's forms to revoke or reissue the result in force (none for other officers)."""
    if not policy.can_manage_results(user, dossier):
        return []
    texts = {
        "revoke": (
            _("Thu hồi kết quả"),
            _("Kết quả không còn hiệu lực; tệp đã ký vẫn được lưu. Người nộp và trang xác thực thấy lý do."),
        ),
        "reissue": (
            _("Cấp lại kết quả"),
            _("Ký số kết quả mới từ dữ liệu hiện tại của hồ sơ; kết quả này được đánh dấu đã thay thế."),
        ),
    }
    return [
        {
            "change": change, "title": title, "help": help_text,
            "form": bound if bound is not None and bound.prefix == change else ResultChangeForm(prefix=change),
        }
        for change, (title, help_text) in texts.items()
    ]  # fmt: skip


def _printable_forms(log: list) -> list[dict]:
    """The one-stop forms (TT 03/2025, mẫu 01–06) this dossier has: each one made from an action it went through."""
    kinds = {action.kind for action in log}
    return [
        {"number": number, "title": spec.title}
        for number, spec in PRINTED_FORMS.items()
        if number != "07" and (not spec.kinds or kinds & set(spec.kinds))
    ]


def _moment(value) -> str:
    try:
        return _when(dt.datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return str(value)


def _timeline(actions: list, version) -> list[dict]:
    """The log for reading: who did what in which capacity, the state change, and what the action recorded."""
    roles = dict(OfficerRole.choices) | {"applicant": _("Chủ hồ sơ")}
    states = dict(DossierState.choices)
    steps = {step.pk: step.name for step in version.steps.all()}
    components = {component.pk: component.name for component in version.components.all()}
    entries = []
    for action in actions:
        data = action.data or {}
        facts = []
        if "on_time" in data:
            facts.append((_("Tiến độ"), _("Đúng hạn") if data["on_time"] else _("Trễ hạn")))
        if data.get("from_step") in steps:
            facts.append((_("Từ bước"), steps[data["from_step"]]))
        if data.get("to_step") in steps:
            facts.append((_("Đến bước"), steps[data["to_step"]]))
        if data.get("step_deadline"):
            facts.append((_("Hạn của bước"), _moment(data["step_deadline"])))
        if data.get("previous_appointment"):
            facts.append((_("Hẹn trả trước đó"), _moment(data["previous_appointment"])))
        if data.get("appointment_at"):
            facts.append((_("Hẹn trả kết quả"), _moment(data["appointment_at"])))
        if data.get("round"):
            facts.append((_("Lần yêu cầu bổ sung"), data["round"]))
        if data.get("requirements"):
            named = [components[pk] for pk in data["requirements"] if pk in components]
            facts.append((_("Thành phần cần nộp lại"), "; ".join(named)))
        if data.get("documents"):
            facts.append((_("Số giấy tờ nộp thêm"), len(data["documents"])))
        if action.assignee_id:
            facts.append((_("Giao cho"), action.assignee.full_name or action.assignee.username))
        change = ""
        if action.from_state and action.to_state and action.from_state != action.to_state:
            change = f"{states[action.from_state]} → {states[action.to_state]}"
        elif action.from_state is None and action.to_state:
            change = str(states[action.to_state])
        entries.append(
            {
                "action": action,
                "role": roles.get(action.actor_role, action.actor_role),
                "state_change": change,
                "missing": data.get("missing") or [],
                "facts": facts,
            }
        )
    return entries


@officer_required
@require_GET
def dossier_detail(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _visible(request, code)
    services.record_view(dossier=dossier, officer=request.user)
    return _render_dossier(request, dossier)


@officer_required
@require_POST
def dossier_action(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    dossier = _visible(request, code)
    form = _action_form(kind, dossier, data=request.POST)
    if not form.is_valid():
        return _render_dossier(
            request, dossier, bound=form, problem=_("Chưa thực hiện được: hãy sửa các mục được đánh dấu.")
        )
    try:
        if kind == ActionKind.REQUEST_PAYMENT:
            # The bill is issued with the state change, so the applicant can pay online at once.
            payment_services.request_payment(
                dossier_code=dossier.code, officer=request.user, comment=form.cleaned_data.get("comment") or "",
                idempotency_key=form.cleaned_data["idempotency_key"],
            )  # fmt: skip
        elif kind == ActionKind.APPROVE:
            # Approval and the signed electronic result happen together, or not at all.
            signing_services.approve_and_issue(
                dossier_code=dossier.code, leader=request.user, comment=form.cleaned_data.get("comment") or "",
                expected_revision=form.cleaned_data["expected_revision"],
                idempotency_key=form.cleaned_data["idempotency_key"],
            )  # fmt: skip
        else:
            services.perform_action(
                dossier_code=dossier.code, actor=request.user, kind=kind,
                expected_revision=form.cleaned_data["expected_revision"],
                idempotency_key=form.cleaned_data["idempotency_key"],
                **form.action_arguments(),
            )  # fmt: skip
    except payment_services.PaymentInvalid as invalid:
        return _render_dossier(request, _visible(request, code), problem=invalid.message)
    except DossierInvalid as invalid:
        form.add_service_errors(invalid.errors)
        return _render_dossier(request, _visible(request, code), bound=form, problem=invalid.message)
    except DossierConflict as conflict:
        # Show the dossier as it is now; the officer's input stays, against the current revision.
        fresh = _visible(request, code)
        data = request.POST.copy()
        data[f"{kind}-expected_revision"] = str(fresh.revision)
        return _render_dossier(request, fresh, bound=_action_form(kind, fresh, data=data), problem=conflict.message)
    except ActionNotAllowed as refused:
        return _render_dossier(request, _visible(request, code), problem=refused.message)
    except SigningKeyError:
        # Nothing was approved (approval and signature are one transaction); the operator must fix the key.
        logger.exception("result could not be signed", extra={"dossier": code})
        problem = _("Chưa ký số được kết quả nên hồ sơ chưa được phê duyệt: khóa ký số của cơ quan chưa sẵn sàng. "
                    "Hãy báo quản trị hệ thống.")  # fmt: skip
        return _render_dossier(request, _visible(request, code), problem=problem)
    label = ActionKind(kind).label if kind in ActionKind.values else kind
    messages.success(request, _("Đã thực hiện “%(action)s” với hồ sơ %(code)s.") % {"action": label, "code": code})
    return redirect("backoffice:dossier", code=code)


RESULT_CHANGES = {"revoke": signing_services.revoke_result, "reissue": signing_services.reissue_result}


@officer_required
@require_POST
def result_change(request: HttpRequest, code: str, result_id: str, change: str) -> HttpResponse:
    """Thu hồi or cấp lại a signed result of the dossier (its agency's leaders; the reason is required)."""
    dossier = _visible(request, code)
    result = signing_queries.result_of_dossier(dossier, result_id)
    if result is None or change not in RESULT_CHANGES:
        raise Http404
    form = ResultChangeForm(request.POST, prefix=change)
    if not form.is_valid():
        problem = _("Chưa thực hiện được: hãy sửa các mục được đánh dấu.")
        return _render_dossier(request, dossier, problem=problem, result_form=form)
    try:
        RESULT_CHANGES[change](result=result, reason=form.cleaned_data["reason"], by=request.user)
    except PermissionDenied:
        raise Http404 from None  # not a leader here: as if the form did not exist
    except signing_services.ResultNotAllowed as refused:
        return _render_dossier(request, _visible(request, code), problem=str(refused), result_form=form)
    except SigningKeyError:
        logger.exception("result could not be signed", extra={"dossier": code})
        problem = _("Chưa ký số được kết quả mới: khóa ký số của cơ quan chưa sẵn sàng. Hãy báo quản trị hệ thống.")
        return _render_dossier(request, _visible(request, code), problem=problem, result_form=form)
    if change == "revoke":
        messages.success(request, _("Đã thu hồi kết quả điện tử của hồ sơ %(code)s.") % {"code": code})
    else:
        messages.success(request, _("Đã cấp lại kết quả điện tử của hồ sơ %(code)s.") % {"code": code})
    return redirect("backoffice:dossier", code=code)


@officer_required
@require_POST
def account_claim(request: HttpRequest, code: str) -> HttpResponse:
    """Cấp mã kích hoạt: a new activation code for the walk-in applicant's account, shown once, to hand over."""
    dossier = _visible(request, code)
    if not policy.can_issue_account_claim(request.user, dossier):
        raise Http404
    claim_code = account_services.issue_account_claim(user=dossier.applicant, issued_by=request.user)
    context = {
        "dossier": dossier,
        "claim_code": claim_code,
        "valid_days": settings.MOTCUA_ACCOUNT_CLAIM_DAYS,
        "claim_url": settings.MOTCUA_SITE_URL + reverse("accounts:claim"),
        "can_register": _receives(request.user),
        "payment_reports": _payment_reports(request.user),
    }
    return render(request, "backoffice/account_claim.html", context)


@officer_required
@require_GET
def result_download(request: HttpRequest, code: str, result_id: str) -> FileResponse:
    """A signed result of the dossier, in force or not (legal retention), for its agency's officers."""
    result = signing_queries.result_of_dossier(_visible(request, code), result_id)
    if result is None:
        raise Http404
    return document_response(result.document)


@officer_required
@require_GET
def component_download(request: HttpRequest, code: str, component_id: int) -> FileResponse:
    try:
        component = queries.get_visible_component(request.user, code, component_id)
    except DossierComponent.DoesNotExist:
        raise Http404 from None
    return document_response(component.document)


# ----- direct registration --------------------------------------------------------------------------------------


def _registration_forms(request: HttpRequest, agency, version, data=None, files=None):
    addresses = eform_fields.address_choices(province_codes=bo_queries.province_codes([agency]))
    eform = eform_fields.eform_class(version.form_schema, addresses=addresses)(data, prefix="form")
    applicant = ApplicantForm(
        data,
        initial={"agency": agency.identifier, "procedure": version.procedure.code, "idempotency_key": new_key()},
    )
    components = ComponentsForm(data, files, requirements=list(version.components.all()), prefix=None)
    return applicant, eform, components


@officer_required(redirect_others=True)
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    officer = request.user
    agencies = list(bo_queries.officer_agencies(officer, role=OfficerRole.RECEPTION))
    if not agencies:
        raise Http404
    source = request.POST if request.method == "POST" else request.GET
    if len(agencies) == 1:
        agency = agencies[0]
    else:
        agency = {a.identifier: a for a in agencies}.get(source.get("agency", ""))
    versions = list(bo_queries.direct_versions(agency)) if agency else []
    chosen = {"agency": agency.identifier if agency else "", "procedure": source.get("procedure", "")}
    chooser = ProcedureChoiceForm(
        chosen if "procedure" in source else None, agencies=agencies, agency=agency, versions=versions
    )
    version = None
    if agency is not None and chooser.is_bound and chooser.is_valid():
        version = bo_queries.direct_version(agency, chooser.cleaned_data["procedure"])
    context = {
        "chooser": chooser,
        "agency": agency,
        "version": version,
        "problem": "",
        "many_agencies": len(agencies) > 1,
        "no_procedures": agency is not None and not versions,
        "payment_reports": _payment_reports(officer),
    }
    if version is None:
        return render(request, "backoffice/register.html", context)

    if request.method == "GET":
        applicant, eform, components = _registration_forms(request, agency, version)
    else:
        applicant, eform, components = _registration_forms(request, agency, version, request.POST, request.FILES)
        valid = all([applicant.is_valid(), eform.is_valid(), components.is_valid()])
        if valid:
            result = _register(request, agency, version, applicant, eform, components)
            if isinstance(result, Dossier):
                messages.success(
                    request,
                    _("Đã tiếp nhận hồ sơ %(code)s. Hẹn trả kết quả: %(when)s.")
                    % {"code": result.code, "when": _when(result.appointment_at)},
                )
                return redirect("backoffice:dossier", code=result.code)
            context["problem"] = result
        else:
            context["problem"] = _("Chưa tiếp nhận được: hãy sửa các mục được đánh dấu.")
        context["reselect_files"] = bool(components.requirements)
    context.update(
        {
            "applicant": applicant,
            "eform": eform,
            "components": components,
            "problem_forms": [applicant, eform, components],
        }
    )
    return render(request, "backoffice/register.html", context)


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%H:%M %d/%m/%Y}" if moment else "—"


def _register(request, agency, version, applicant_form, eform, components) -> Dossier | str:
    """Create the citizen if needed, store the scans, register the dossier: all or nothing. A message if not."""
    officer = request.user
    data = applicant_form.cleaned_data
    key = data["idempotency_key"]
    stored = []
    try:
        with transaction.atomic():
            applicant = find_or_create_walk_in_citizen(
                citizen_id=data["citizen_id"], full_name=data["full_name"], phone=data["phone"]
            )
            earlier = bo_queries.dossier_by_submission_key(applicant=applicant, key=key)
            if earlier is not None:  # the same form sent twice
                return queries.get_visible_dossier(officer, earlier.code)
            files = {}
            for requirement_id, upload in components.files_by_requirement().items():
                try:
                    document = store_document(
                        owner=applicant, upload=upload, created_by=officer, source=DocumentSource.DIGITISED
                    )
                except ValidationError as error:
                    components.add_error(f"component-{requirement_id}", error)
                    raise
                stored.append(document)
                files[requirement_id] = [document]
            return services.register_direct_dossier(
                officer=officer, applicant=applicant, version=version, agency=agency,
                form_data=eform.form_data(), files=files, idempotency_key=key,
            )  # fmt: skip
    except ValidationError as error:
        _forget(stored)
        if hasattr(error, "error_dict"):
            for field, problems in error.error_dict.items():
                applicant_form.add_error(field if field in applicant_form.fields else None, problems)
        return _("Chưa tiếp nhận được: hãy sửa các mục được đánh dấu.")
    except DossierInvalid as invalid:
        _forget(stored)
        others = eform.add_service_errors(invalid.errors)
        for key_, message in others.items():
            name = f"component-{key_.split('.', 1)[1]}" if key_.startswith("components.") else None
            components.add_error(name if name in components.fields else None, message)
        return invalid.message
    except ActionNotAllowed as refused:
        _forget(stored)
        return refused.message
    except IntegrityError:
        _forget(stored)
        earlier = Dossier.objects.filter(submission_key=key, agency=agency).only("code").first()
        if earlier is None:
            raise
        return queries.get_visible_dossier(officer, earlier.code)


def _forget(documents) -> None:
    """Files are not transactional: remove the scans of a registration that was rolled back."""
    for document in documents:
        document.file.delete(save=False)
