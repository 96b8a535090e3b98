"""The starting unit costs and default profiles of compliance cost. Administrators edit them in the admin;
migration 0002 loads them once, and the test worlds load them again after a transactional test has emptied the
tables (`ensure()`).

Every number is an estimate, chosen to be conservative and checkable:
- An applicant's hour is valued at the hourly regional minimum wage of region I (NĐ 74/2024/NĐ-CP from
  1/7/2024: 23,800 đ; NĐ 293/2025/NĐ-CP from 1/1/2026: 25,500 đ) — a floor: GSO's average monthly income of a
  worker (about 8 million đ in 2025, ~45,000 đ an hour) would nearly double the time cost.
- A trip: fuel for a ~15 km round trip by motorbike (~0.3 l at ~20,000 đ/l), parking (~5,000 đ) and wear.
- A photocopied A4 page 500 đ; a certified copy 5,000 đ (the certification fee of 2,000 đ a page for the first
  two pages, TT 226/2016/TT-BTC, and the copy itself); a registered postal item 25,000 đ (public postal
  service's delivery of administrative results, within a province).
- Default profiles: a paper dossier takes 2 h to prepare (gather, copy, certify, fill the form) and two trips to
  the desk (file, collect the result) of 1.5 h each (travel and queue); a full-process online one 1.5 h to fill
  the e-form and scan, no trip; a partial online one still one trip to collect the result or show originals.
  Both channels need the certified copies a procedure asks for, unless they are reused from the warehouse: each
  reused component spares one certified copy and the hour it takes to get it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

SOURCE = (
    "Ước tính. Giá trị một giờ: lương tối thiểu giờ vùng I ({decree}); đi lại: xăng xe máy ~15 km khứ hồi và gửi "
    "xe; sao chụp 500 đ/trang; bản sao có chứng thực: lệ phí chứng thực 2.000 đ/trang (TT 226/2016/TT-BTC) và "
    "bản chụp; bưu phẩm: dịch vụ bưu chính công ích trả kết quả trong tỉnh."
)

PARAMETERS = [
    {
        "valid_from": dt.date(2024, 7, 1),
        "hour_value": 23_800,
        "trip_cost": 20_000,
        "page_copy_cost": 500,
        "certified_copy_cost": 5_000,
        "postage_cost": 25_000,
        "source": SOURCE.format(decree="NĐ 74/2024/NĐ-CP: 23.800 đ/giờ"),
    },
    {
        "valid_from": dt.date(2026, 1, 1),
        "hour_value": 25_500,
        "trip_cost": 20_000,
        "page_copy_cost": 500,
        "certified_copy_cost": 5_000,
        "postage_cost": 25_000,
        "source": SOURCE.format(decree="NĐ 293/2025/NĐ-CP: 25.500 đ/giờ"),
    },
]
NOTES = (
    "Đây là số ước tính để so sánh giữa nộp giấy và nộp trực tuyến, không phải chi phí thực tế của từng người. "
    "Lương tối thiểu là mức sàn: theo thu nhập bình quân của người lao động (Tổng cục Thống kê) chi phí thời gian "
    "sẽ cao gần gấp đôi."
)

_PAPER = {
    "paper_hours_prepare": Decimal("2.00"),
    "paper_hours_travel": Decimal("3.00"),
    "paper_trips": 2,
    "paper_pages_copied": 6,
    "paper_certified_copies": 2,
    "paper_postal_items": 0,
    "paper_other_costs": 0,
}
_REUSE = {"reused_component_hours": Decimal("1.00"), "reused_component_certified_copies": 1}

PROFILES = {
    "full": {
        **_PAPER,
        **_REUSE,
        "online_hours_prepare": Decimal("1.50"),
        "online_hours_travel": Decimal("0.00"),
        "online_trips": 0,
        "online_pages_copied": 0,
        "online_certified_copies": 2,
        "online_postal_items": 0,
        "online_other_costs": 0,
        "source": (
            "Mặc định cho dịch vụ công toàn trình. Nộp giấy: 2 giờ chuẩn bị, 2 lượt đến cơ quan (nộp, nhận kết "
            "quả) mỗi lượt 1,5 giờ đi lại và chờ, 6 trang sao chụp, 2 bản sao có chứng thực. Trực tuyến: 1,5 giờ "
            "khai biểu mẫu và chụp giấy tờ, không phải đến cơ quan, vẫn cần 2 bản sao có chứng thực trừ giấy tờ "
            "dùng lại từ kho dữ liệu (mỗi giấy tờ dùng lại tiết kiệm 1 giờ và 1 bản sao có chứng thực)."
        ),
    },
    "partial": {
        **_PAPER,
        **_REUSE,
        "online_hours_prepare": Decimal("1.50"),
        "online_hours_travel": Decimal("1.50"),
        "online_trips": 1,
        "online_pages_copied": 0,
        "online_certified_copies": 2,
        "online_postal_items": 0,
        "online_other_costs": 0,
        "source": (
            "Mặc định cho dịch vụ công một phần: như toàn trình nhưng khi nộp trực tuyến vẫn phải đến cơ quan "
            "một lượt (nhận kết quả hoặc xuất trình bản chính)."
        ),
    },
}


def load(parameters_model, profile_model) -> None:
    """Create what is missing (never overwrite what an administrator changed); takes the models to use."""
    for row in PARAMETERS:
        values = {key: value for key, value in row.items() if key != "valid_from"}
        parameters_model.objects.get_or_create(valid_from=row["valid_from"], defaults={**values, "notes": NOTES})
    for level, values in PROFILES.items():
        profile_model.objects.get_or_create(procedure=None, service_level=level, defaults=values)


def ensure() -> None:
    from motcua.regulations.models import ComplianceCostProfile, CostParameters

    load(CostParameters, ComplianceCostProfile)
