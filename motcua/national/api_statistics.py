"""Thống kê toàn quốc in the API, on the national instance: the nation's figures for a period and one row per
province instance, with the nationwide index (national.statistics). Public and anonymous: aggregate figures only,
never a dossier's code or an applicant's name. Elsewhere (a provincial instance) it does not exist: 404.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field as SchemaField
from ninja import Query, Router, Schema

from motcua.core.api_errors import ApiError, ErrorResponse
from motcua.metrics import measures as m
from motcua.metrics import schemes, scoring
from motcua.metrics.api import check_period
from motcua.national import queries as national_queries
from motcua.national import statistics
from motcua.national.errors import REFUSALS

router = Router(tags=["national"])


class PeriodIn(Schema):
    # Text, parsed here: a malformed day is a bad request (400) like an oversized period, not a schema error.
    start: str = SchemaField("", alias="from", description="Từ ngày, YYYY-MM-DD (mặc định: đầu tháng này).")
    end: str = SchemaField("", alias="to", description="Đến ngày, YYYY-MM-DD (mặc định: hôm nay).")


class SharesOut(Schema):
    in_time: Decimal | None = SchemaField(description="Trước hạn, đúng hạn và đang trong hạn, trên tổng số (TDGQ.1).")
    full_online: Decimal | None = SchemaField(
        description="Tiếp nhận trực tuyến toàn trình trên tổng tiếp nhận (CLGQ.1)."
    )
    paid_online: Decimal | None = SchemaField(
        description="Hồ sơ giải quyết xong trong kỳ có phí, lệ phí: tỉ lệ thanh toán trực tuyến (TTTT.1)."
    )
    electronic_results: Decimal | None = SchemaField(description="Hồ sơ đã giải quyết có kết quả điện tử (MDSH.1).")
    digitised: Decimal | None = SchemaField(description="Hồ sơ tiếp nhận có thành phần được số hóa.")


class FiguresOut(Schema):
    """Biểu II.06a's columns and the counts behind the shares."""

    carried_over: int
    received_online: int
    received_direct: int
    received_full_online: int
    resolved_early: int
    resolved_on_time: int
    resolved_late: int
    in_progress_in_time: int
    in_progress_overdue: int
    fees_paid: int = SchemaField(description="Hồ sơ giải quyết xong trong kỳ có phí, lệ phí.")
    fees_paid_online: int
    results_issued: int
    dossiers_digitised: int
    shares: SharesOut = SchemaField(description="Tỉ lệ, làm tròn 2 chữ số; trống khi mẫu số bằng 0.")


class IndexOut(Schema):
    total: Decimal | None = SchemaField(description="Tổng điểm trên 100; trống khi không chỉ số nào áp dụng.")
    applicable_max: Decimal = SchemaField(description="Điểm tối đa của các nhóm có số liệu trước khi quy đổi.")
    band: str | None
    band_en: str | None


class SyncOut(Schema):
    last_received_at: dt.datetime | None = SchemaField(description="Thay đổi cuối cùng nhận được (mọi lúc).")
    changes: int = SchemaField(description="Số thay đổi nhận được trong kỳ.")
    max_lag_seconds: int | None = SchemaField(description="Độ trễ lớn nhất trong kỳ (nhận lúc − thay đổi lúc), giây.")


class ScopeOut(Schema):
    figures: FiguresOut
    index: IndexOut | None
    sync: SyncOut


class ProvinceOut(ScopeOut):
    code: str
    name: str


class SchemeOut(Schema):
    code: str
    version: int
    name: str
    not_measured: list[str] = SchemaField(description="Chỉ số mà dữ liệu đồng bộ không đo được: không áp dụng.")


class StatisticsOut(Schema):
    start: dt.date
    end: dt.date
    scheme: SchemeOut | None
    nation: ScopeOut
    provinces: list[ProvinceOut]


def parse_period(start: str, end: str, *, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """[from, to] from the query (defaults: this month so far); ApiError 400 when not days or not a period."""
    last = _day(end, "to") or today or timezone.localdate()
    first = _day(start, "from") or last.replace(day=1)
    check_period(first, last, status=400, code="invalid_period")
    return first, last


def _day(text: str, name: str) -> dt.date | None:
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        message = _("Ngày không hợp lệ, ví dụ 2026-11-30.")
        raise ApiError(400, "invalid_period", message, details=[{"field": name, "message": message}]) from None


def _figures(values: dict[str, int]) -> dict:
    return {
        **{name: values[name] for name in (
            m.CARRIED_OVER, m.RECEIVED_ONLINE, m.RECEIVED_DIRECT, m.RECEIVED_FULL_ONLINE, m.RESOLVED_EARLY,
            m.RESOLVED_ON_TIME, m.RESOLVED_LATE, m.FEES_PAID, m.FEES_PAID_ONLINE, m.RESULTS_ISSUED,
            statistics.DOSSIERS_DIGITISED,
        )},
        "in_progress_in_time": values[m.OPEN_IN_TIME],
        "in_progress_overdue": values[m.OPEN_OVERDUE],
        "shares": statistics.shares(values),
    }  # fmt: skip


def _index(scheme, values: dict[str, int]) -> dict | None:
    if scheme is None:
        return None
    found = statistics.score(scheme, values)
    band = found.band
    return {"total": found.total, "applicable_max": found.applicable_max,
            "band": band.label if band else None, "band_en": (band.label_en or None) if band else None}  # fmt: skip


def _sync(sync: statistics.SyncFreshness) -> dict:
    lag = int(sync.max_lag.total_seconds()) if sync.max_lag is not None else None
    return {"last_received_at": sync.last_received_at, "changes": sync.changes, "max_lag_seconds": lag}


@router.get(
    "/statistics",
    response={200: StatisticsOut, 400: ErrorResponse, 404: ErrorResponse},
    summary="Thống kê toàn quốc: số liệu hồ sơ và chỉ số phục vụ của cả nước và từng tỉnh, thành phố",
)
def national_statistics(request: HttpRequest, params: Query[PeriodIn]):
    """Received, resolved (early, on time, late), in progress (in time, overdue) and carried over, as the
    provinces' instances pushed them; the shares the index uses; the nationwide index; each province's sync
    freshness. Only on the national instance."""
    if not national_queries.is_national_portal():
        raise ApiError(404, "not_national", str(REFUSALS["not_national"][1]))
    start, end = parse_period(params.start, params.end)
    found = statistics.statistics(start=start, end=end)
    scheme = schemes.scheme_in_force(end)
    scheme_out = None
    if scheme is not None:
        spec = scoring.as_spec(scheme)
        scheme_out = {"code": spec.code, "version": spec.version, "name": spec.name,
                      "not_measured": [item.code for item in statistics.unmeasured(spec)]}  # fmt: skip
        scheme = spec  # scored once per scope: the plain spec, not the model rows again
    return {
        "start": start, "end": end, "scheme": scheme_out,
        "nation": {"figures": _figures(found.nation), "index": _index(scheme, found.nation), "sync": _sync(found.sync)},
        "provinces": [
            {"code": row.code, "name": row.name, "figures": _figures(row.values), "index": _index(scheme, row.values),
             "sync": _sync(row.sync)}
            for row in found.provinces
        ],
    }  # fmt: skip
