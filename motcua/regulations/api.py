"""What the platform saved applicants, in the REST API: public figures (estimates, no personal data), any period.

The same scope and period as the index (metrics.api): `agency` is an identifier (it and every agency under it),
empty for the nation; `from` and `to` are days, inclusive (default: this month so far).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field as SchemaField
from ninja import Query, Router, Schema

from motcua.core.api_errors import ApiError, ErrorResponse
from motcua.metrics.api import PeriodIn, Scope, period_scope
from motcua.metrics.savings import savings_for

router = Router()


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
