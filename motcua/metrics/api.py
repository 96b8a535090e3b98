"""The index, report II.06a and statistics in the REST API: public figures (no personal data), any period.

`agency` is an agency's identifier (its figures and those of every agency under it: a province's committee gives
the province); without it, the nation. `from` and `to` are days, inclusive (default: this month so far).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field as SchemaField
from ninja import Query, Router, Schema

from motcua.catalog.api import AgencyRef
from motcua.catalog.models import Agency
from motcua.core.api_errors import ApiError, ErrorResponse
from motcua.core.xlsx import XLSX_CONTENT_TYPE
from motcua.metrics import exports, printing, queries, report_rows, schemes, scoring
from motcua.metrics import measures as m
from motcua.metrics.savings import savings_for

router = Router()


class PeriodIn(Schema):
    agency: str = SchemaField("", max_length=40, description="Mã định danh cơ quan; trống: toàn quốc.")
    start: dt.date | None = SchemaField(None, alias="from", description="Từ ngày (mặc định: đầu tháng này).")
    end: dt.date | None = SchemaField(None, alias="to", description="Đến ngày (mặc định: hôm nay).")


class Scope(Schema):
    agency: AgencyRef | None = SchemaField(description="Cơ quan; trống: toàn quốc.")
    agencies: int = SchemaField(description="Số cơ quan được cộng gộp.")
    start: dt.date = SchemaField(description="Từ ngày.")
    end: dt.date = SchemaField(description="Đến ngày.")


def check_period(start: dt.date, end: dt.date, *, status: int = 422, code: str = "invalid") -> None:
    """The one check of a period asked of the API: `from` not after `to`, at most MAX_PERIOD_DAYS."""
    if start > end or (end - start).days > queries.MAX_PERIOD_DAYS:
        raise ApiError(
            status, code, _("Kỳ báo cáo không hợp lệ: “từ ngày” phải trước “đến ngày”, tối đa 5 năm."),
            details=[{"field": "from", "message": _("Kỳ báo cáo không hợp lệ.")}],
        )  # fmt: skip


def period_scope(params: PeriodIn) -> tuple[list[int], Scope]:
    today = timezone.localdate()
    end = params.end or today
    start = params.start or end.replace(day=1)
    check_period(start, end)
    ids, agency = queries.agency_scope(params.agency)
    if params.agency and agency is None:
        raise ApiError(404, "not_found", _("Không tìm thấy cơ quan có mã định danh này."))
    ref = AgencyRef(identifier=agency.identifier, name=agency.name) if agency is not None else None
    return ids, Scope(agency=ref, agencies=len(ids), start=start, end=end)


class IndicatorOut(Schema):
    code: str
    name: str
    numerator_measure: str
    denominator_measure: str
    numerator: int
    denominator: int
    ratio: Decimal | None = SchemaField(description="Tỉ lệ, làm tròn 2 chữ số; trống khi mẫu số bằng 0 (N/A).")
    target: Decimal
    max_points: Decimal
    points: Decimal | None


class GroupOut(Schema):
    code: str
    name: str
    max_points: Decimal
    applicable_max: Decimal
    points: Decimal | None
    indicators: list[IndicatorOut]


class IndexOut(Schema):
    scope: Scope
    scheme: str = SchemaField(description="Bộ chỉ số và phiên bản, ví dụ qd-766 v1.")
    total: Decimal | None = SchemaField(description="Điểm trên 100 (đã quy đổi khi có nhóm N/A).")
    applicable_max: Decimal
    band: str | None
    groups: list[GroupOut]


@router.get("/index", response={200: IndexOut, 404: ErrorResponse, 422: ErrorResponse}, auth=None,
            summary="Chỉ số phục vụ người dân, doanh nghiệp (QĐ 766)", operation_id="service_index")  # fmt: skip
def service_index(request: HttpRequest, params: Query[PeriodIn]) -> IndexOut:
    ids, scope = period_scope(params)
    scheme = schemes.scheme_in_force(scope.end)
    if scheme is None:
        raise ApiError(404, "not_found", _("Chưa có bộ chỉ số nào áp dụng cho kỳ này."))
    result = scoring.score(scheme, queries.measures_for(ids, scope.start, scope.end))
    return IndexOut(
        scope=scope, scheme=f"{result.scheme_code} v{result.scheme_version}", total=result.total,
        applicable_max=result.applicable_max, band=result.band.label if result.band else None,
        groups=[
            GroupOut(
                code=group.code, name=group.name, max_points=group.max_points, applicable_max=group.applicable_max,
                points=group.points,
                indicators=[
                    IndicatorOut(
                        code=item.code, name=item.name, numerator_measure=item.numerator_measure,
                        denominator_measure=item.denominator_measure, numerator=item.numerator,
                        denominator=item.denominator, ratio=item.ratio, target=item.target,
                        max_points=item.max_points, points=item.points,
                    )
                    for item in group.indicators
                ],
            )
            for group in result.groups
        ],
    )  # fmt: skip


class ReportIn(PeriodIn):
    format: str = SchemaField(
        "json", pattern="^(json|xlsx|pdf)$", description="json, xlsx (tệp Excel, theo lĩnh vực) hoặc pdf (bản in)."
    )


class FiguresOut(Schema):
    """The form's columns of one row (a field, or the total)."""

    received: int = SchemaField(description="Tổng số hồ sơ tiếp nhận = kỳ trước chuyển qua + trực tuyến + trực tiếp.")
    carried_over: int
    received_online: int
    received_direct: int
    resolved: int = SchemaField(description="Đã giải quyết = trước hạn + đúng hạn + quá hạn.")
    resolved_early: int
    resolved_on_time: int
    resolved_late: int
    in_progress: int = SchemaField(description="Đang giải quyết = trong hạn + quá hạn.")
    in_progress_in_time: int
    in_progress_overdue: int

    @classmethod
    def of(cls, report: queries.ReportII06a) -> FiguresOut:
        return cls(
            received=report.received, carried_over=report.carried_over, received_online=report.received_online,
            received_direct=report.received_direct, resolved=report.resolved, resolved_early=report.resolved_early,
            resolved_on_time=report.resolved_on_time, resolved_late=report.resolved_late,
            in_progress=report.in_progress, in_progress_in_time=report.in_progress_in_time,
            in_progress_overdue=report.in_progress_overdue,
        )  # fmt: skip


class FieldRowOut(FiguresOut):
    number: int = SchemaField(description="Số thứ tự trên biểu.")
    field_code: str = SchemaField(description="Mã lĩnh vực; trống: thủ tục không còn áp dụng.")
    field_name: str


class ReportOut(FiguresOut):
    scope: Scope
    fields: list[FieldRowOut] = SchemaField(description="Một dòng cho mỗi lĩnh vực có số liệu; cộng lại bằng tổng.")


@router.get("/reports/ii06a", response={200: ReportOut, 404: ErrorResponse, 422: ErrorResponse}, auth=None,
            summary="Biểu II.06a/VPCP/KSTT", operation_id="report_ii06a")  # fmt: skip
def report_ii06a(request: HttpRequest, params: Query[ReportIn]):
    ids, scope = period_scope(params)
    table = report_rows.ii06a_table(ids, scope.start, scope.end)
    if params.format in ("xlsx", "pdf"):
        if params.format == "xlsx":
            name = scope.agency.name if scope.agency else _("Toàn quốc")
            body = exports.ii06a_workbook(table, scope_name=name, start=scope.start, end=scope.end)
            content_type = XLSX_CONTENT_TYPE
        else:
            agency = Agency.objects.get(identifier=scope.agency.identifier) if scope.agency else None
            body = printing.render_ii06a(table, agency=agency, start=scope.start, end=scope.end)
            content_type = "application/pdf"
        response = HttpResponse(body, content_type=content_type)
        filename = exports.ii06a_filename(
            scope=scope.agency.identifier if scope.agency else "toan-quoc", start=scope.start, end=scope.end,
            extension=params.format,
        )  # fmt: skip
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    rows = [
        FieldRowOut(number=row.number, field_code=row.code, field_name=row.name, **FiguresOut.of(row.report).dict())
        for row in table.rows
    ]
    return ReportOut(scope=scope, fields=rows, **FiguresOut.of(table.total).dict())


class StatisticsOut(Schema):
    scope: Scope
    measures: dict[str, int] = SchemaField(description="Mọi đại lượng của kỳ (tên → giá trị), xem metrics.measures.")
    labels: dict[str, str]


@router.get("/statistics", response={200: StatisticsOut, 404: ErrorResponse, 422: ErrorResponse}, auth=None,
            summary="Số liệu thống kê của kỳ", operation_id="statistics")  # fmt: skip
def statistics(request: HttpRequest, params: Query[PeriodIn]) -> StatisticsOut:
    ids, scope = period_scope(params)
    values = queries.measures_for(ids, scope.start, scope.end)
    return StatisticsOut(scope=scope, measures=values, labels={key: str(label) for key, label in m.LABELS.items()})


# ----- savings (chi phí xã hội tiết kiệm được): the counts here, the unit costs and profiles from regulations ------


class CostParametersOut(Schema):
    valid_from: dt.date = SchemaField(description="Đơn giá áp dụng từ ngày (đơn giá áp dụng ngày cuối kỳ).")
    hour_value: int = SchemaField(description="Giá trị một giờ của người nộp (đồng).")
    trip_cost: int = SchemaField(description="Chi phí một lượt đi lại đến cơ quan (đồng).")
    page_copy_cost: int
    certified_copy_cost: int
    postage_cost: int
    source: str


class SavingsFigures(Schema):
    dossiers_online: int = SchemaField(description="Hồ sơ tiếp nhận trực tuyến trong kỳ.")
    components_reused: int = SchemaField(description="Thành phần hồ sơ dùng lại từ kho dữ liệu.")
    hours: Decimal = SchemaField(description="Số giờ người nộp tiết kiệm.")
    trips: int = SchemaField(description="Số lượt đi lại đến cơ quan không phải thực hiện.")
    pages_copied: int
    certified_copies: int
    vnd: int = SchemaField(description="Chi phí tiết kiệm quy ra tiền (đồng).")


class ProcedureSavingsOut(SavingsFigures):
    code: str
    name: str
    own_profile: bool = SchemaField(description="Ước tính riêng của thủ tục (không: theo mức mặc định).")


class SavingsOut(Schema):
    scope: Scope
    parameters: CostParametersOut
    total: SavingsFigures
    vnd_per_year: int = SchemaField(description="Tổng tiết kiệm quy ra một năm theo tốc độ của kỳ (đồng, ước tính).")
    procedures: list[ProcedureSavingsOut] = SchemaField(description="Theo thủ tục, tiết kiệm nhiều nhất trước.")


def _figures(item) -> dict:
    names = ("dossiers_online", "components_reused", "hours", "trips", "pages_copied", "certified_copies", "vnd")
    return {name: getattr(item, name) for name in names}


@router.get("/savings", response={200: SavingsOut, 404: ErrorResponse, 422: ErrorResponse}, auth=None,
            summary="Chi phí xã hội tiết kiệm được (ước tính)", operation_id="savings")  # fmt: skip
def savings(request: HttpRequest, params: Query[PeriodIn]) -> SavingsOut:
    ids, scope = period_scope(params)
    found = savings_for(ids, scope.start, scope.end)
    if found.parameters is None:
        raise ApiError(404, "not_found", _("Chưa có đơn giá chi phí tuân thủ áp dụng cho kỳ này."))
    prices = found.parameters
    return SavingsOut(
        scope=scope,
        parameters=CostParametersOut(
            valid_from=prices.valid_from, hour_value=prices.hour_value, trip_cost=prices.trip_cost,
            page_copy_cost=prices.page_copy_cost, certified_copy_cost=prices.certified_copy_cost,
            postage_cost=prices.postage_cost, source=prices.source,
        ),
        total=SavingsFigures(**_figures(found)), vnd_per_year=found.vnd_per_year,
        procedures=[
            ProcedureSavingsOut(code=line.code, name=line.name, own_profile=line.own_profile, **_figures(line))
            for line in found.lines
        ],
    )  # fmt: skip
