"""Dossier endpoints of the REST API: submit, read, act, look up, worklists.

Every handler parses its input, calls one service or query, and answers; who may see and do what is
decided by `motcua.dossiers.policy` only. A dossier the caller may not see is a 404.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from typing import Annotated, Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field as SchemaField
from ninja import File, Header, Query, Router, Schema, Status, UploadedFile
from pydantic import StringConstraints

from motcua.accounts.models import User
from motcua.catalog.models import Agency, ProcedureVersion
from motcua.core.api_errors import ApiError, ErrorResponse
from motcua.core.api_params import IdempotencyKey
from motcua.documents.models import StoredDocument
from motcua.documents.services import store_document
from motcua.dossiers import lookup_throttle, policy, queries, services
from motcua.dossiers.errors import DossierInvalid
from motcua.dossiers.models import ActionKind, Dossier, DossierAction
from motcua.dossiers.transitions import TRANSITIONS
from motcua.wallet.models import AccessorKind

router = Router(tags=["dossiers"])
lookup_router = Router(tags=["dossiers"])
worklist_router = Router(tags=["worklists"])
documents_router = Router(tags=["dossiers"])


def _user(request: HttpRequest) -> User:
    return request.auth


# ----- schemas -----------------------------------------------------------------------------------------------


class DocumentOut(Schema):
    id: str
    name: str
    content_type: str
    size: int
    sha256: str


class SubmitIn(Schema):
    procedure: str = SchemaField(description="Mã thủ tục, ví dụ 1.001193.")
    agency: str = SchemaField(description="Mã định danh cơ quan tiếp nhận.")
    form: dict = SchemaField(default_factory=dict, description="Dữ liệu biểu mẫu điện tử theo khóa của trường.")
    components: dict[int, list[str]] = SchemaField(
        default_factory=dict, description="Vị trí thành phần hồ sơ → mã các tài liệu đã tải lên."
    )


class ComponentOut(Schema):
    requirement: str | None
    document: DocumentOut
    source: str
    supplement_round: int


class DossierOut(Schema):
    code: str
    state: int
    state_label: str
    procedure: str
    procedure_name: str
    procedure_version: int
    agency: str
    agency_name: str
    channel: int
    is_full_process: bool
    applicant_name: str
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    appointment_at: dt.datetime | None
    finished_at: dt.datetime | None
    returned_at: dt.datetime | None
    current_step: str | None
    assignee: str | None
    revision: int
    form: dict
    components: list[ComponentOut]
    allowed_actions: list[str]


class DossierSummary(Schema):
    code: str
    state: int
    state_label: str
    procedure: str
    procedure_name: str
    agency: str
    applicant_name: str
    submitted_at: dt.datetime
    appointment_at: dt.datetime | None
    current_step: str | None
    assignee: str | None


class ActionOut(Schema):
    seq: int
    kind: str
    kind_label: str
    from_state: int | None
    to_state: int | None
    at: dt.datetime
    actor: str | None
    actor_role: str | None
    agency: str | None
    comment: str
    data: dict


class ActionIn(Schema):
    kind: Literal[tuple(TRANSITIONS)]  # type: ignore[valid-type]
    comment: str = SchemaField("", max_length=4000)
    expected_revision: int | None = SchemaField(None, description="Phiên bản dữ liệu đã xem; khác thì báo xung đột.")
    missing: list[Annotated[str, StringConstraints(max_length=500)]] = SchemaField(default_factory=list, max_length=50)
    requirements: list[int] = SchemaField(
        default_factory=list, max_length=50, description="Yêu cầu bổ sung: các thành phần hồ sơ cần nộp lại (id)."
    )
    assignee: str | None = SchemaField(None, description="Tên đăng nhập của cán bộ được giao.")
    new_appointment: dt.datetime | None = None
    components: dict[int, list[str]] = SchemaField(default_factory=dict)


class LookupOut(Schema):
    code: str
    state: int
    state_label: str
    procedure_name: str
    agency_name: str
    submitted_at: dt.datetime
    appointment_at: dt.datetime | None
    timeline: list[ActionOut]


class WorklistPage(Schema):
    items: list[DossierSummary]
    count: int
    page: int
    pages: int


class WorklistFiltersIn(Schema):
    state: int | None = SchemaField(None, ge=1, le=10)
    procedure: str = SchemaField("", max_length=20)
    q: str = SchemaField("", max_length=100)
    channel: int | None = SchemaField(None, ge=1, le=3)
    page: int = SchemaField(1, ge=1, le=100000)


# ----- conversions ---------------------------------------------------------------------------------------------


def _document_out(document: StoredDocument) -> DocumentOut:
    return DocumentOut(
        id=str(document.pk), name=document.original_name, content_type=document.content_type, size=document.size,
        sha256=document.sha256,
    )  # fmt: skip


def _summary(dossier: Dossier) -> DossierSummary:
    return DossierSummary(
        code=dossier.code, state=dossier.state, state_label=dossier.get_state_display(),
        procedure=dossier.procedure_version.procedure.code, procedure_name=dossier.procedure_version.name,
        agency=dossier.agency.identifier, applicant_name=dossier.applicant_name, submitted_at=dossier.submitted_at,
        appointment_at=dossier.appointment_at, current_step=dossier.current_step.name if dossier.current_step else None,
        assignee=dossier.assignee.get_username() if dossier.assignee else None,
    )  # fmt: skip


def _dossier_out(dossier: Dossier, user: User) -> DossierOut:
    return DossierOut(
        **_summary(dossier).dict(exclude={"procedure_name"}),
        procedure_name=dossier.procedure_version.name,
        procedure_version=dossier.procedure_version.number,
        agency_name=dossier.agency.name,
        channel=dossier.channel,
        is_full_process=dossier.is_full_process,
        received_at=dossier.received_at,
        finished_at=dossier.finished_at,
        returned_at=dossier.returned_at,
        revision=dossier.revision,
        form=dossier.form_data,
        components=[
            ComponentOut(
                requirement=component.requirement.name if component.requirement else None,
                document=_document_out(component.document),
                source=component.source,
                supplement_round=component.supplement_round,
            )  # fmt: skip
            for component in dossier.components.all()
        ],
        allowed_actions=policy.allowed_actions(user, dossier),
    )


# What the applicant and the public see of an action's data: what was asked of the applicant.
PUBLIC_DATA = ("missing", "requirements")


def _action_out(action: DossierAction, *, public: bool) -> ActionOut:
    return ActionOut(
        seq=action.seq, kind=action.kind, kind_label=action.get_kind_display(), from_state=action.from_state,
        to_state=action.to_state, at=action.at,
        actor=None if public or action.actor is None else action.actor.get_username(),
        actor_role=None if public else action.actor_role,
        agency=action.actor_agency.name if action.actor_agency else None,
        comment="" if public else action.comment,
        data={k: v for k, v in action.data.items() if k in PUBLIC_DATA} if public else action.data,
    )  # fmt: skip


def _visible(request: HttpRequest, code: str) -> Dossier:
    try:
        return queries.get_visible_dossier(_user(request), code)
    except Dossier.DoesNotExist:
        raise ApiError(404, "not_found", _("Không tìm thấy hồ sơ %(code)s.") % {"code": code}) from None


def _files(user: User, version: ProcedureVersion, components: dict[int, list[str]]) -> dict[int, list[StoredDocument]]:
    """Component positions and document ids from the request → requirement ids and the caller's documents."""
    requirements = {requirement.position: requirement.pk for requirement in version.components.all()}
    wanted = {document_id for ids in components.values() for document_id in ids}
    documents = {str(d.pk): d for d in StoredDocument.objects.filter(pk__in=_valid_uuids(wanted), owner=user)}
    errors = {}
    files: dict[int, list[StoredDocument]] = {}
    for position, ids in components.items():
        if position not in requirements:
            errors[f"components.{position}"] = _("Thủ tục không có thành phần hồ sơ thứ %(n)s.") % {"n": position}
            continue
        missing = [document_id for document_id in ids if document_id not in documents]
        if missing:
            errors[f"components.{position}"] = _("Không tìm thấy tài liệu %(ids)s.") % {"ids": ", ".join(missing)}
            continue
        files[requirements[position]] = [documents[document_id] for document_id in ids]
    if errors:
        raise DossierInvalid(_("Thành phần hồ sơ chưa hợp lệ."), errors=errors)
    return files


def _valid_uuids(values: set[str]) -> list[str]:
    valid = []
    for value in values:
        try:
            valid.append(str(uuid.UUID(value)))
        except ValueError:
            continue
    return valid


# ----- endpoints -------------------------------------------------------------------------------------------------


@documents_router.post(
    "", response={201: DocumentOut, 422: ErrorResponse}, summary="Tải lên một giấy tờ", operation_id="upload_document"
)
def upload_document(request: HttpRequest, file: File[UploadedFile]):
    user = _user(request)
    document = store_document(owner=user, upload=file, created_by=user)
    return Status(201, _document_out(document))


@router.post(
    "",
    response={201: DossierOut, 200: DossierOut, 404: ErrorResponse, 409: ErrorResponse, 422: ErrorResponse},
    summary="Nộp hồ sơ trực tuyến",
    operation_id="submit_dossier",
)
def submit(request: HttpRequest, payload: SubmitIn, idempotency_key: Header[IdempotencyKey | None] = None):
    """Nộp hồ sơ. Gửi lại cùng `Idempotency-Key` (bấm hai lần, mạng chập chờn) chỉ tạo một hồ sơ."""
    user = _user(request)
    version = (
        ProcedureVersion.objects.filter(is_current=True, procedure__code=payload.procedure)
        .select_related("procedure")
        .first()
    )
    agency = Agency.objects.filter(identifier=payload.agency, is_active=True).first()
    if version is None or agency is None:
        raise ApiError(404, "not_found", _("Không tìm thấy thủ tục hoặc cơ quan tiếp nhận."))
    existed = bool(idempotency_key) and Dossier.objects.filter(applicant=user, submission_key=idempotency_key).exists()
    dossier = services.submit_dossier(
        applicant=user, version=version, agency=agency, form_data=payload.form,
        files=_files(user, version, payload.components), idempotency_key=idempotency_key,
    )  # fmt: skip
    return Status(200 if existed else 201, _dossier_out(queries.get_visible_dossier(user, dossier.code), user))


@router.get(
    "/{code}", response={200: DossierOut, 404: ErrorResponse}, summary="Chi tiết hồ sơ", operation_id="get_dossier"
)
def get_dossier(request: HttpRequest, code: str):
    dossier, user = _visible(request, code), _user(request)
    if policy.officer_roles(user).get(dossier.agency_id):  # an officer's read is in the applicant's access log
        services.record_view(dossier=dossier, officer=user, channel=AccessorKind.API)
    return _dossier_out(dossier, user)


@router.get(
    "/{code}/actions",
    response={200: list[ActionOut], 404: ErrorResponse},
    summary="Nhật ký xử lý hồ sơ",
    operation_id="list_dossier_actions",
)
def list_actions(request: HttpRequest, code: str):
    dossier = _visible(request, code)
    user = _user(request)
    public = not policy.officer_roles(user).get(dossier.agency_id)
    return [_action_out(action, public=public) for action in queries.actions_for(dossier, public=public)]


@router.post(
    "/{code}/actions",
    response={201: ActionOut, 404: ErrorResponse, 409: ErrorResponse, 422: ErrorResponse},
    summary="Thực hiện một bước xử lý hồ sơ",
    operation_id="act_on_dossier",
)
def act(request: HttpRequest, code: str, payload: ActionIn, idempotency_key: Header[IdempotencyKey | None] = None):
    user = _user(request)
    dossier = _visible(request, code)
    if payload.kind == ActionKind.REQUEST_PAYMENT:
        # A fee request issues its bill (copies, pages, exemptions counted by the officer): not an API action yet.
        message = _("Yêu cầu nộp phí, lệ phí được thực hiện trên trang xử lý hồ sơ, nơi lập thông báo phí.")
        raise DossierInvalid(message, errors={"kind": message})
    assignee = None
    if payload.assignee:
        assignee = User.objects.filter(username=payload.assignee, is_active=True).first()
        if assignee is None:
            raise DossierInvalid(_("Không có cán bộ này."), errors={"assignee": _("Không có cán bộ này.")})
    files = _files(user, dossier.procedure_version, payload.components) if payload.components else {}
    action = services.perform_action(
        dossier_code=dossier.code, actor=user, kind=payload.kind, comment=payload.comment,
        expected_revision=payload.expected_revision, idempotency_key=idempotency_key, missing=payload.missing,
        requirements=payload.requirements, assignee=assignee, new_appointment=payload.new_appointment, files=files,
    )  # fmt: skip
    return Status(201, _action_out(action, public=False))


@lookup_router.get(
    "",
    response={200: LookupOut, 404: ErrorResponse, 429: ErrorResponse},
    summary="Tra cứu tình trạng hồ sơ",
    operation_id="lookup_dossier",
    auth=None,
)
def lookup(request: HttpRequest, code: Annotated[str, StringConstraints(max_length=60)], id_last4: str):
    """Tra cứu công khai: mã hồ sơ và 4 số cuối giấy tờ định danh của chủ hồ sơ. Không trả thông tin cá nhân."""
    ip = lookup_throttle.client_ip(request)
    if minutes := lookup_throttle.minutes_left(ip):
        raise ApiError(429, "too_many_attempts", lookup_throttle.locked_message(minutes))
    dossier = queries.lookup_dossier(code=code, id_last4=id_last4)
    if dossier is None:
        if lookup_throttle.record_failure(ip):
            raise ApiError(429, "too_many_attempts", lookup_throttle.locked_message(lookup_throttle.minutes_left(ip)))
        raise ApiError(404, "not_found", _("Không tìm thấy hồ sơ với mã và 4 số cuối đã nhập."))
    return LookupOut(
        code=dossier.code, state=dossier.state, state_label=dossier.get_state_display(),
        procedure_name=dossier.procedure_version.name, agency_name=dossier.agency.name,
        submitted_at=dossier.submitted_at, appointment_at=dossier.appointment_at,
        timeline=[_action_out(action, public=True) for action in queries.actions_for(dossier, public=True)],
    )  # fmt: skip


class WorklistCounts(Schema):
    mine: int
    queue: int
    due_soon: int
    overdue: int
    all: int


@worklist_router.get(
    "", response=WorklistCounts, summary="Số hồ sơ trong từng danh sách việc", operation_id="worklists"
)
def worklist_counts(request: HttpRequest):
    return queries.worklist_counts(_user(request))


@worklist_router.get(
    "/{name}",
    response={200: WorklistPage, 404: ErrorResponse},
    summary="Danh sách việc của cán bộ",
    operation_id="worklist",
)
def worklist(
    request: HttpRequest,
    name: Literal["mine", "queue", "due_soon", "overdue", "all"],
    filters: Query[WorklistFiltersIn],
):
    rows = queries.worklist(
        _user(request), name,
        filters=queries.WorklistFilters(
            state=filters.state, procedure=filters.procedure, search=filters.q, channel=filters.channel
        ),
    )  # fmt: skip
    size = settings.WORKLIST_PAGE_SIZE
    count = rows.count()
    start = (filters.page - 1) * size
    return WorklistPage(
        items=[_summary(dossier) for dossier in rows[start : start + size]], count=count, page=filters.page,
        pages=max(1, math.ceil(count / size)),
    )  # fmt: skip
