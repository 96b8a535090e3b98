"""Nộp hồ sơ trực tuyến: guide → e-form → components → review → submit, saved as a draft at every step.

URLs are /apply/<procedure code>/...; the draft is the applicant's draft for the procedure's current version
(one per applicant and version: the latest is reused), so the flow resumes on any device.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from motcua.catalog import queries as catalog_queries
from motcua.catalog.models import ProcedureVersion, UnitLevel
from motcua.catalog.schemas import FormSchema
from motcua.documents.services import store_document
from motcua.dossiers import queries as dossier_queries
from motcua.dossiers import services
from motcua.dossiers.eform_fields import (
    address_choices,
    display_rows,
    eform_class,
    initial_from_data,
    rows_needed,
)
from motcua.dossiers.errors import ActionNotAllowed, DossierError, DossierInvalid
from motcua.dossiers.models import Draft
from motcua.portal.access import applicant_required
from motcua.portal.forms import AgencyForm
from motcua.wallet import prefill as wallet_prefill
from motcua.wallet import queries as wallet_queries
from motcua.wallet import services as wallet
from motcua.wallet.errors import NotFound

FLASH_KEY = "portal:apply-errors"
EFORM_PREFIX = "form"
MAX_TABLE_ROWS = 500

STEPS = (
    ("guide", "portal:apply", gettext_lazy("Hướng dẫn, nơi nộp")),
    ("form", "portal:apply_form", gettext_lazy("Tờ khai")),
    ("components", "portal:apply_components", gettext_lazy("Giấy tờ kèm theo")),
    ("review", "portal:apply_review", gettext_lazy("Kiểm tra và nộp")),
)


# ----- helpers ---------------------------------------------------------------------------------------------------


def _version_or_404(code: str) -> ProcedureVersion:
    try:
        version = catalog_queries.get_current_version(code)
    except ProcedureVersion.DoesNotExist:
        raise Http404(code) from None
    if not version.channel_online:
        raise Http404(code)
    return version


def _draft_or_redirect(request: HttpRequest, version: ProcedureVersion) -> Draft | HttpResponse:
    draft = dossier_queries.draft_for(request.user, version)
    if draft is None or draft.agency_id is None:
        messages.info(request, _("Hãy chọn cơ quan tiếp nhận để bắt đầu hồ sơ."))
        return redirect("portal:apply", version.procedure.code)
    return draft


def _context(version: ProcedureVersion, draft: Draft | None, current: str, **extra) -> dict[str, Any]:
    steps = [
        {"name": name, "url": url, "label": label, "current": name == current, "open": draft is not None}
        for name, url, label in STEPS
    ]
    return {"version": version, "draft": draft, "steps": steps, "code": version.procedure.code, **extra}


def _flash_errors(request: HttpRequest, draft: Draft, message: str, errors: dict[str, str]) -> None:
    request.session[FLASH_KEY] = {"draft": draft.pk, "message": message, "errors": dict(errors)}


def _take_errors(request: HttpRequest, draft: Draft, *prefixes: str) -> tuple[str, dict[str, str]]:
    """The errors a failed submission left for this page (keys equal to or under `prefixes`), removed."""
    flash = request.session.get(FLASH_KEY)
    if not isinstance(flash, dict) or flash.get("draft") != draft.pk:
        return "", {}
    errors = flash.get("errors") or {}
    mine = {key: msg for key, msg in errors.items() if any(key == p or key.startswith(p + ".") for p in prefixes)}
    if not mine:
        return "", {}
    rest = {key: msg for key, msg in errors.items() if key not in mine}
    if rest:
        request.session[FLASH_KEY] = {**flash, "errors": rest}
    else:
        request.session.pop(FLASH_KEY, None)
    return flash.get("message", ""), mine


def _expected(version: ProcedureVersion):
    return catalog_queries.expected_appointment(version, received_at=timezone.now())


def _active_agencies(version: ProcedureVersion) -> list:
    return [agency for agency in version.procedure.agencies.all() if agency.is_active]


# ----- (a) guide and receiving agency ----------------------------------------------------------------------------


def _carried_over(version: ProcedureVersion, data: dict) -> dict:
    """What an earlier version's draft typed, for the fields the current form still has."""
    keys = {field.key for field in FormSchema.model_validate(version.form_schema or {}).fields}
    return {key: value for key, value in (data or {}).items() if key in keys}


@applicant_required
@require_http_methods(["GET", "POST"])
def apply_guide(request: HttpRequest, code: str) -> HttpResponse:
    version = _version_or_404(code)
    user = request.user
    draft = dossier_queries.draft_for(user, version)
    agencies = _active_agencies(version)
    current = draft.agency.identifier if draft is not None and draft.agency is not None else ""
    if not current and len(agencies) == 1:
        current = agencies[0].identifier
    if request.method == "POST":
        form = AgencyForm(request.POST, agencies=agencies)
        if form.is_valid():
            agency = next(a for a in agencies if a.identifier == form.cleaned_data["agency"])
            if draft is None:
                earlier = dossier_queries.earlier_draft_for(user, version)
                data = _carried_over(version, earlier.form_data) if earlier is not None else {}
                services.save_draft(applicant=user, version=version, form_data=data, agency=agency)
            else:
                services.save_draft(
                    applicant=user, version=version, form_data=draft.form_data, agency=agency, draft=draft
                )
            return redirect("portal:apply_form", code)
    else:
        form = AgencyForm(initial={"agency": current} if current else None, agencies=agencies)
        if draft is not None:
            _message, errors = _take_errors(request, draft, "agency")
            if errors:
                form = AgencyForm({"agency": current}, agencies=agencies)
                form.is_valid()
                if not form.has_error("agency"):
                    form.add_error("agency", errors["agency"])
    audience_mismatch = (user.kind == "organisation" and not version.for_organisations) or (
        user.kind == "citizen" and not version.for_citizens
    )
    context = _context(
        version,
        draft,
        "guide",
        form=form,
        expected=_expected(version),
        audience_mismatch=audience_mismatch,
        has_agencies=bool(agencies),
    )
    return render(request, "portal/apply_guide.html", context)


# ----- (b) the e-form ---------------------------------------------------------------------------------------------


def _schema(version: ProcedureVersion) -> FormSchema:
    return FormSchema.model_validate(version.form_schema or {})


def _posted_rows(schema: FormSchema, post) -> dict[str, int]:
    rows: dict[str, int] = {}
    for spec in schema.fields:
        if spec.type != "table":
            continue
        pattern = re.compile(rf"^{EFORM_PREFIX}-{re.escape(spec.key)}\.(\d+)\.")
        indexes = [int(match.group(1)) for name in post if (match := pattern.match(name))]
        if indexes:
            rows[spec.key] = min(max(indexes) + 1, MAX_TABLE_ROWS)
    return rows


def _province_codes(schema: FormSchema, draft: Draft, post=None) -> set[str]:
    """Provinces whose communes the address selects list: the agency's, and any chosen in the form."""
    codes: set[str] = set()
    unit = draft.agency.unit if draft.agency is not None else None
    if unit is not None:
        codes.add(unit.code if unit.level == UnitLevel.PROVINCE else (unit.parent.code if unit.parent else ""))
    for spec in schema.fields:
        if spec.type != "address":
            continue
        stored = (draft.form_data or {}).get(spec.key)
        if isinstance(stored, dict) and stored.get("province"):
            codes.add(str(stored["province"]))
        if post is not None and post.get(f"{EFORM_PREFIX}-{spec.key}.province"):
            codes.add(post.get(f"{EFORM_PREFIX}-{spec.key}.province"))
    codes.discard("")
    return codes


def _eform_for(version: ProcedureVersion, draft: Draft, post=None):
    schema = _schema(version)
    rows = rows_needed(schema, draft.form_data)
    if post is not None:
        rows.update(_posted_rows(schema, post))
    addresses = None
    if any(spec.type == "address" for spec in schema.fields):
        addresses = address_choices(province_codes=_province_codes(schema, draft, post))
    return eform_class(schema, table_rows=rows, addresses=addresses)


def _bound_from_draft(form_class, version: ProcedureVersion, draft: Draft):
    """The e-form bound to what the draft holds, so that checking it shows the errors on the fields."""
    initial = initial_from_data(version.form_schema, draft.form_data)
    data = {f"{EFORM_PREFIX}-{name}": value for name, value in initial.items()}
    return form_class(data=data, prefix=EFORM_PREFIX)


@applicant_required
@require_http_methods(["GET", "POST"])
def apply_form(request: HttpRequest, code: str) -> HttpResponse:
    version = _version_or_404(code)
    draft = _draft_or_redirect(request, version)
    if isinstance(draft, HttpResponse):
        return draft
    status_message = ""
    prefilled = wallet_prefill.prefill(request.user, version.form_schema)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        form = _eform_for(version, draft, request.POST)(data=request.POST, prefix=EFORM_PREFIX)
        valid = form.is_valid()
        try:
            typed = form.typed_data if form.typed_data is not None else form.form_data()
            services.save_draft(applicant=request.user, version=version, form_data=typed, draft=draft)
        except DossierError as error:
            if action == "autosave":
                return JsonResponse({"message": error.message}, status=422)
            form.add_error(None, error.message)
        else:
            saved_at = timezone.localtime().strftime("%H:%M")
            if action == "autosave":
                return JsonResponse({"message": _("Đã tự động lưu nháp lúc %(time)s.") % {"time": saved_at}})
            if action == "next" and valid:
                return redirect("portal:apply_components", code)
            if action != "next":
                messages.success(request, _("Đã lưu nháp lúc %(time)s.") % {"time": saved_at})
                return redirect("portal:apply_form", code)
            status_message = _("Đã lưu nháp. Xin sửa các mục được đánh dấu để tiếp tục.")
    else:
        form_class = _eform_for(version, draft)
        message, errors = _take_errors(request, draft, "form")
        if errors:
            form = _bound_from_draft(form_class, version, draft)
            form.is_valid()
            form.add_service_errors(errors)
            status_message = message
        else:
            data = _with_prefill(draft.form_data, prefilled)
            form = form_class(initial=initial_from_data(version.form_schema, data), prefix=EFORM_PREFIX)
    form.mark_prefilled(prefilled)
    context = _context(
        version, draft, "form", form=form, status_message=status_message, reuse_offer=_reuse_offer(request, version)
    )
    return render(request, "portal/apply_form.html", context)


def _with_prefill(typed: dict, prefilled: dict) -> dict:
    """The draft's values, with pre-filled ones where nothing was typed and verified ones always."""
    data = dict(typed or {})
    for key, value in prefilled.items():
        if value.verified or data.get(key) in (None, "", [], {}):
            data[key] = value.value
    return data


def _reuse_offer(request: HttpRequest, version: ProcedureVersion) -> bool:
    """Whether to offer the applicant to let this filing use their account details and own uploads (they have not
    consented yet; what agencies issued is reused anyway)."""
    uses_wallet = any(field.prefill.startswith("profile.") for field in _schema(version).fields) or any(
        requirement.document_type_id for requirement in version.components.all()
    )
    return uses_wallet and not wallet_prefill.reuse_consented(request.user)


@applicant_required
@require_POST
def apply_reuse_consent(request: HttpRequest, code: str) -> HttpResponse:
    """Đồng ý tái sử dụng dữ liệu: one click from the e-form or the components page, recorded as a consent."""
    version = _version_or_404(code)
    try:
        wallet.give_consent(subject=request.user, purpose_code=wallet_prefill.REUSE_PURPOSE)
    except NotFound as missing:  # an operator withdrew the purpose from the configuration
        messages.error(request, missing.message)
    else:
        messages.success(
            request, _("Đã ghi nhận sự đồng ý. Thông tin và giấy tờ trong kho dữ liệu được dùng cho hồ sơ này.")
        )
    back = "portal:apply_components" if request.POST.get("next") == "components" else "portal:apply_form"
    return redirect(back, version.procedure.code)


# ----- (c) components -----------------------------------------------------------------------------------------------


def _component_items(request, version, draft) -> list[dict[str, Any]]:
    """Each requirement with its files (the draft's, or the verified one taken from the warehouse), and what the
    warehouse could give it."""
    own = services.draft_files(draft)
    files = dossier_queries.with_verified_documents(request.user, version, own)
    requirements = list(version.components.all())
    consented = wallet_prefill.reuse_consented(request.user)
    offers = wallet_queries.offers_for(request.user, requirements)
    if not consented:  # the owner's own uploads are offered with their consent; issued documents always
        offers = {pk: [offer for offer in found if offer.is_verified] for pk, found in offers.items()}
    in_wallet = {str(pk) for pk in wallet_queries.documents_in_wallet([d.pk for ds in files.values() for d in ds])}
    items = []
    for requirement in requirements:
        attached = files.get(requirement.pk, [])
        chosen = {str(document.pk) for document in attached}
        items.append(
            {
                "requirement": requirement,
                "files": [
                    {
                        "document": document,
                        "from_wallet": str(document.pk) in in_wallet,
                        "verified": document.source == "issued",
                        "automatic": document not in own.get(requirement.pk, []),
                    }
                    for document in attached
                ],
                "offers": [offer for offer in offers.get(requirement.pk, []) if str(offer.document_id) not in chosen],
            }
        )
    return items


def _components_page(request, version, draft, *, upload_errors=None, general_errors=(), status_message=""):
    upload_errors = upload_errors or {}
    requirements = [
        {**item, "errors": upload_errors.get(item["requirement"].pk, [])}
        for item in _component_items(request, version, draft)
    ]
    context = _context(
        version, draft, "components", requirements=requirements, general_errors=list(general_errors),
        status_message=status_message, has_upload_errors=any(item["errors"] for item in requirements),
        max_size=filesizeformat(settings.MOTCUA_MAX_UPLOAD_BYTES), reuse_offer=_reuse_offer(request, version),
    )  # fmt: skip
    return render(request, "portal/apply_components.html", context)


@applicant_required
@require_POST
def apply_component_reuse(request: HttpRequest, code: str) -> HttpResponse:
    """Dùng giấy tờ trong kho: attach one of the applicant's warehouse documents to a component, no upload."""
    version = _version_or_404(code)
    draft = _draft_or_redirect(request, version)
    if isinstance(draft, HttpResponse):
        return draft
    requirement_id = _int(request.POST.get("requirement"))
    try:
        entry = wallet_queries.wallet_document(request.user, request.POST.get("document", ""))
    except NotFound as missing:
        return _components_page(request, version, draft, general_errors=[missing.message])
    try:
        services.attach_to_draft(
            draft=draft, applicant=request.user, requirement_id=requirement_id or 0, document=entry.document
        )
    except DossierError as refused:
        return _components_page(
            request, version, draft, upload_errors={requirement_id: list(refused.errors.values()) or [refused.message]}
        )
    messages.success(request, _("Đã dùng “%(name)s” từ kho dữ liệu.") % {"name": entry.title})
    return redirect("portal:apply_components", code)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@applicant_required
@require_http_methods(["GET", "POST"])
def apply_components(request: HttpRequest, code: str) -> HttpResponse:
    version = _version_or_404(code)
    draft = _draft_or_redirect(request, version)
    if isinstance(draft, HttpResponse):
        return draft
    user = request.user
    if request.method == "GET":
        message, errors = _take_errors(request, draft, "components")
        by_requirement: dict[int, list[str]] = {}
        general = []
        for key, text in errors.items():
            requirement_id = _int(key.split(".", 1)[1]) if "." in key else None
            if requirement_id is None:
                general.append(text)
            else:
                by_requirement.setdefault(requirement_id, []).append(text)
        return _components_page(
            request, version, draft, upload_errors=by_requirement, general_errors=general, status_message=message
        )

    requirement_id = _int(request.POST.get("requirement"))
    if requirement_id not in {requirement.pk for requirement in version.components.all()}:
        return _components_page(request, version, draft, general_errors=[_("Thành phần hồ sơ không hợp lệ.")])
    uploads = request.FILES.getlist("files")
    errors: list[str] = []
    attached: list[str] = []
    if not uploads:
        errors.append(_("Hãy chọn ít nhất một tệp để tải lên."))
    for upload in uploads:
        try:
            document = store_document(owner=user, upload=upload, created_by=user)
            services.attach_to_draft(draft=draft, applicant=user, requirement_id=requirement_id, document=document)
        except ValidationError as invalid:
            errors.extend(invalid.messages)
        except DossierError as refused:
            errors.extend(refused.errors.values() or [refused.message])
        else:
            attached.append(document.original_name)
    done = _("Đã tải lên: %(names)s.") % {"names": ", ".join(attached)} if attached else ""
    if errors:
        draft = dossier_queries.draft_for(user, version) or draft
        return _components_page(request, version, draft, upload_errors={requirement_id: errors}, status_message=done)
    messages.success(request, done)
    return redirect("portal:apply_components", code)


@applicant_required
@require_POST
def apply_component_remove(request: HttpRequest, code: str) -> HttpResponse:
    version = _version_or_404(code)
    draft = _draft_or_redirect(request, version)
    if isinstance(draft, HttpResponse):
        return draft
    requirement_id = _int(request.POST.get("requirement"))
    document_id = request.POST.get("document", "")
    files = services.draft_files(draft).get(requirement_id or 0, [])
    document = next((d for d in files if str(d.pk) == document_id), None)
    if document is None:
        messages.info(request, _("Tệp này không còn trong hồ sơ nháp."))
    else:
        services.detach_from_draft(
            draft=draft, applicant=request.user, requirement_id=requirement_id, document_id=document_id
        )
        messages.success(request, _("Đã gỡ tệp “%(name)s”.") % {"name": document.original_name})
    return redirect("portal:apply_components", code)


# ----- (d) review and submit -----------------------------------------------------------------------------------------


@applicant_required
@require_http_methods(["GET", "POST"])
def apply_review(request: HttpRequest, code: str) -> HttpResponse:
    version = _version_or_404(code)
    user = request.user
    if request.method == "POST":
        return _submit(request, version)
    draft = _draft_or_redirect(request, version)
    if isinstance(draft, HttpResponse):
        return draft
    components = _component_items(request, version, draft)
    verified = wallet_prefill.verified_values(user, version.form_schema)
    form_rows = display_rows(version.form_schema, draft.form_data)
    for row in form_rows:
        prefilled = verified.get(row.get("key", ""))
        row["verified_source"] = prefilled.source if prefilled is not None else ""
    context = _context(
        version, draft, "review",
        form_rows=form_rows,
        components=components,
        expected=_expected(version),
        idempotency_key=str(uuid.uuid4()),
        applicant=user,
    )  # fmt: skip
    return render(request, "portal/apply_review.html", context)


# Where to send the applicant for each kind of error, in the order of the flow.
ERROR_PAGES = (("agency", "portal:apply"), ("form", "portal:apply_form"), ("components", "portal:apply_components"))


def _submit(request: HttpRequest, version: ProcedureVersion) -> HttpResponse:
    user = request.user
    code = version.procedure.code
    try:
        key = str(uuid.UUID(request.POST.get("idempotency_key", "")))
    except ValueError:
        messages.error(request, _("Phiên nộp hồ sơ không hợp lệ. Hãy kiểm tra lại và bấm “Nộp hồ sơ”."))
        return redirect("portal:apply_review", code)
    existing = dossier_queries.submitted_with_key(user, key)
    if existing is not None:
        return redirect("portal:my_dossier", existing.code)
    draft = dossier_queries.draft_for(user, version)
    if draft is None:
        messages.info(request, _("Không còn hồ sơ nháp cho thủ tục này. Hãy bắt đầu lại."))
        return redirect("portal:apply", code)
    try:
        dossier = services.submit_draft(draft=draft, applicant=user, idempotency_key=key)
    except DossierInvalid as invalid:
        if not invalid.errors:
            messages.error(request, invalid.message)
            return redirect("portal:apply_review", code)
        _flash_errors(request, draft, invalid.message, invalid.errors)
        for prefix, page in ERROR_PAGES:
            if any(key == prefix or key.startswith(prefix + ".") for key in invalid.errors):
                return redirect(page, code)
        messages.error(request, invalid.message)
        return redirect("portal:apply_review", code)
    except ActionNotAllowed as refused:
        messages.error(request, refused.message)
        return redirect("portal:apply_review", code)
    messages.success(
        request, _("Đã nộp hồ sơ. Mã hồ sơ của bạn là %(code)s; hãy ghi lại để tra cứu.") % {"code": dossier.code}
    )
    return redirect("portal:my_dossier", dossier.code)


# ----- drafts --------------------------------------------------------------------------------------------------------


@applicant_required
@require_http_methods(["GET"])
def draft_list(request: HttpRequest) -> HttpResponse:
    drafts = list(dossier_queries.applicant_drafts(request.user))
    return render(request, "portal/drafts.html", {"drafts": drafts})


@applicant_required
@require_POST
def draft_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if services.delete_draft(draft_id=pk, applicant=request.user):
        messages.success(request, _("Đã xóa hồ sơ nháp."))
    else:
        messages.info(request, _("Không tìm thấy hồ sơ nháp."))
    return redirect("portal:drafts")
