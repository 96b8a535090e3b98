"""Catalogue endpoints of the REST API (read-only)."""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field as SchemaField
from ninja import Query, Router, Schema

from motcua.catalog import queries
from motcua.catalog.models import Level, ProcedureVersion, ServiceLevel, TimeUnit, UnitLevel
from motcua.catalog.schemas import ProcedureDoc
from motcua.core.api_errors import ApiError, ErrorResponse
from motcua.workdays.calendar import CalendarRangeError

router = Router()
units_router = Router()


class AgencyRef(Schema):
    """An agency, as every part of the API names one."""

    identifier: str = SchemaField(description="Mã định danh cơ quan (QCVN 102:2016).")
    name: str


class FieldRef(Schema):
    code: str
    name: str


class ProcedureSummary(Schema):
    code: str
    name: str
    field: FieldRef
    levels: list[Level]
    processing_time: float
    processing_time_unit: TimeUnit
    service_level: ServiceLevel
    channels: list[str]
    version: int
    url: str


class ProcedurePage(Schema):
    items: list[ProcedureSummary]
    count: int
    page: int
    page_size: int
    pages: int


class ProcedureDetail(ProcedureDoc):
    version: int
    published_at: dt.datetime
    field_name: str
    url: str


class ProcedureFilters(Schema):
    q: str = SchemaField("", max_length=200, description="Từ khóa; không phân biệt dấu và chữ hoa.")
    field: str = SchemaField("", max_length=60, description="Mã lĩnh vực.")
    level: Level | None = SchemaField(None, description="Cấp thực hiện.")
    agency: str = SchemaField("", max_length=40, description="Mã định danh cơ quan thực hiện.")
    page: int = SchemaField(1, ge=1, le=100000)
    page_size: int = SchemaField(20, ge=1, le=settings.API_MAX_PAGE_SIZE)


def _summary(request: HttpRequest, version: ProcedureVersion) -> ProcedureSummary:
    return ProcedureSummary(
        code=version.procedure.code,
        name=version.name,
        field=FieldRef(code=version.field.code, name=version.field.name),
        levels=version.levels,
        processing_time=float(version.processing_time),
        processing_time_unit=version.processing_time_unit,
        service_level=version.service_level,
        channels=version.channels,
        version=version.number,
        url=request.build_absolute_uri(reverse("catalog:procedure", args=[version.procedure.code])),
    )


@router.get("", response=ProcedurePage, summary="Tìm kiếm thủ tục hành chính", operation_id="list_procedures")
def list_procedures(request: HttpRequest, filters: Query[ProcedureFilters]) -> ProcedurePage:
    queryset = queries.search_procedures(
        query=filters.q, field=filters.field, level=filters.level or "", agency=filters.agency
    )
    count = queryset.count()
    start = (filters.page - 1) * filters.page_size
    items = [_summary(request, version) for version in queryset[start : start + filters.page_size]]
    return ProcedurePage(
        items=items,
        count=count,
        page=filters.page,
        page_size=filters.page_size,
        pages=max(1, math.ceil(count / filters.page_size)),
    )


@router.get(
    "/{code}",
    response={200: ProcedureDetail, 404: ErrorResponse},
    summary="Chi tiết thủ tục hành chính (phiên bản đang áp dụng)",
    operation_id="get_procedure",
)
def get_procedure(request: HttpRequest, code: str) -> ProcedureDetail:
    try:
        version = queries.get_current_version(code)
    except ProcedureVersion.DoesNotExist:
        raise ApiError(404, "not_found", _("Không có thủ tục mã %(code)s.") % {"code": code}) from None
    document = queries.procedure_document(version)
    return ProcedureDetail(
        **document.model_dump(),
        version=version.number,
        published_at=version.published_at,
        field_name=version.field.name,
        url=request.build_absolute_uri(reverse("catalog:procedure", args=[code])),
    )


class AppointmentOut(Schema):
    procedure: str
    received_at: dt.datetime
    counted_from: dt.date = SchemaField(description="Ngày tiếp nhận được tính (sau quy tắc 15 giờ, ngày nghỉ).")
    appointment_at: dt.datetime
    processing_time: str
    processing_time_unit: TimeUnit


@router.get(
    "/{code}/appointment",
    response={200: AppointmentOut, 404: ErrorResponse, 422: ErrorResponse},
    summary="Ngày hẹn trả kết quả nếu nộp vào thời điểm đã cho",
    operation_id="procedure_appointment",
)
def appointment(request: HttpRequest, code: str, received_at: dt.datetime) -> AppointmentOut:
    """Hẹn trả kết quả theo ngày làm việc (ngày lễ, ngày nghỉ bù, quy tắc sau 15 giờ) cho hồ sơ đầy đủ nhận lúc đó."""
    if received_at.tzinfo is None:
        raise ApiError(
            422, "invalid", _("Thời điểm phải có múi giờ, ví dụ 2026-11-25T09:00:00+07:00."),
            details=[{"field": "received_at", "message": _("Thiếu múi giờ.")}],
        )  # fmt: skip
    try:
        version = queries.get_current_version(code)
    except ProcedureVersion.DoesNotExist:
        raise ApiError(404, "not_found", _("Không có thủ tục mã %(code)s.") % {"code": code}) from None
    try:
        result = queries.expected_appointment(version, received_at=received_at)
    except CalendarRangeError:
        raise ApiError(
            422, "invalid", _("Chưa có lịch làm việc cho thời điểm này."),
            details=[{"field": "received_at", "message": _("Ngoài phạm vi lịch làm việc.")}],
        ) from None  # fmt: skip
    return AppointmentOut(
        procedure=code, received_at=received_at, counted_from=result.counted_from,
        appointment_at=result.appointment_at, processing_time=format(version.processing_time.normalize(), "f"),
        processing_time_unit=version.processing_time_unit,
    )  # fmt: skip


class UnitOut(Schema):
    code: str
    name: str
    division_type: str
    level: UnitLevel
    parent: str | None


class UnitFilters(Schema):
    level: UnitLevel | None = SchemaField(None, description="Cấp đơn vị hành chính.")
    parent: str = SchemaField("", max_length=10, description="Mã tỉnh: trả về các xã, phường của tỉnh.")


@units_router.get("", response=list[UnitOut], summary="Đơn vị hành chính đang có hiệu lực", operation_id="list_units")
def list_units(request: HttpRequest, filters: Query[UnitFilters]) -> list[UnitOut]:
    """Provinces, or the communes of one province (for the address pickers of e-forms)."""
    units = queries.current_units(level=filters.level or "", parent_code=filters.parent)
    return [
        UnitOut(code=u.code, name=u.name, division_type=u.division_type, level=u.level, parent=u.parent_code)
        for u in units
    ]
