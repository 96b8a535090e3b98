"""The schemes shipped: Bộ chỉ số QĐ 766/QĐ-TTg, version 1 (migration 0002) and version 2 (migration 0005, adds
group MDHL's indicators now that ratings and feedback are measured), both applying from 1 January 2025, so that
version 2 replaces version 1 for every period and version 1 stays on record, retired.

Data, not code: migration 0002 loads it once, the test worlds load it again after a transactional test has
emptied the tables (`ensure()`), and administrators change it only by publishing a new version in the admin.
Version 3 (migration 0008) measures group CKMB by the status sync to the national portal.
The form is `scoring.spec_from_data`'s plain data, so tests can also score it without a database.

The six groups and their maxima are DOMAIN.md's. Indicators exist only where the engine counts both measures
(metrics.measures); the per-indicator sub-points are a public reconstruction *(practice)*, and where part of a
group cannot be measured yet its points go to what can, as each note says. CKMB has no measures yet (version 1:
nor MDHL): no indicators, so the scoring marks it N/A and (policy "rescale") the total is scaled over the other
82 points (version 1: 64) — rules["notes"] says so for the pages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

CODE = "qd-766"
VERSION = 1

SCHEME = {
    "code": CODE,
    "version": VERSION,
    "name": "Bộ chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ người dân, doanh nghiệp",
    "legal_basis": "Quyết định số 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ",
    "valid_from": dt.date(2025, 1, 1),
    "rules": {
        "not_applicable": "rescale",
        "bands": [
            {"min": 90, "label": "Xuất sắc", "label_en": "Excellent"},
            {"min": 80, "label": "Tốt", "label_en": "Good"},
            {"min": 70, "label": "Khá", "label_en": "Fair"},
            {"min": 50, "label": "Trung bình", "label_en": "Average"},
            {"min": 0, "label": "Yếu", "label_en": "Poor"},
        ],
        "notes": [
            "Nhóm CKMB (công khai, minh bạch — 18 điểm) và MDHL (mức độ hài lòng — 18 điểm) chưa có chỉ số "
            "vì hệ thống chưa đo công bố thủ tục, đồng bộ Cổng Dịch vụ công quốc gia và mức độ hài lòng; hai nhóm "
            "này không áp dụng và tổng điểm được quy đổi về thang 100 trên điểm tối đa của các nhóm có số liệu "
            "(64 điểm khi cả bốn nhóm còn lại đều có).",
            "Xếp loại (Xuất sắc ≥ 90, Tốt ≥ 80, Khá ≥ 70, Trung bình ≥ 50, Yếu dưới 50) theo thực tiễn các "
            "hệ thống đang vận hành, không phải quy định trích dẫn.",
        ],
    },
    "groups": [
        {"code": "CKMB", "name": "Công khai, minh bạch", "max_points": "18", "indicators": []},
        {
            "code": "TDGQ",
            "name": "Tiến độ giải quyết",
            "max_points": "20",
            "indicators": [
                {
                    "code": "TDGQ.1",
                    "name": "Tỉ lệ hồ sơ giải quyết trước hạn, đúng hạn",
                    "numerator": "judged_in_time",
                    "denominator": "judged",
                    "target": "0.80",
                    "max_points": "20",
                    "note": (
                        "Hồ sơ kết thúc xử lý trong kỳ và hồ sơ còn đang giải quyết cuối kỳ (xét tại ngày cuối kỳ): "
                        "trước hạn + đúng hạn + đang trong hạn, trên tổng số."
                    ),
                },
            ],
        },
        {
            "code": "CLGQ",
            "name": "Dịch vụ công trực tuyến",
            "max_points": "12",
            "indicators": [
                {
                    "code": "CLGQ.1",
                    "name": "Tỉ lệ hồ sơ trực tuyến toàn trình",
                    "numerator": "received_full_online",
                    "denominator": "received",
                    "target": "0.50",
                    "max_points": "12",
                    "note": (
                        "Hồ sơ tiếp nhận trực tuyến toàn trình trên tổng số hồ sơ tiếp nhận trong kỳ (trực tuyến, "
                        "trực tiếp, bưu chính); mục tiêu 50%."
                    ),
                },
            ],
        },
        {
            "code": "TTTT",
            "name": "Thanh toán trực tuyến",
            "max_points": "10",
            "indicators": [
                {
                    "code": "TTTT.1",
                    "name": "Tỉ lệ hồ sơ thanh toán phí, lệ phí trực tuyến",
                    "numerator": "fees_paid_online",
                    "denominator": "fees_paid",
                    "target": "0.80",
                    "max_points": "10",
                    "note": (
                        "Bản dựng lại công khai chia nhóm thành: đã tích hợp thanh toán 2, có giao dịch 2, tỉ lệ "
                        "thanh toán trực tuyến 6. Hai ý đầu chưa có đại lượng đo nên cả 10 điểm tính trên tỉ lệ này."
                    ),
                },
            ],
        },
        {
            "code": "MDSH",
            "name": "Số hóa hồ sơ",
            "max_points": "22",
            "indicators": [
                {
                    "code": "MDSH.1",
                    "name": "Tỉ lệ hồ sơ có kết quả điện tử",
                    "numerator": "results_issued",
                    "denominator": "resolved",
                    "target": "0.80",
                    "max_points": "11",
                    "note": (
                        "Bản dựng lại công khai: kết quả điện tử 6, số hóa thành phần 4, bản sao điện tử 2, tái sử "
                        "dụng 2, kho dữ liệu 4, CSDL dân cư 2+2. Chỉ ba ý đo được (6+4+2 = 12), nên mỗi ý nhân "
                        "22/12: 6 → 11."
                    ),
                },
                {
                    "code": "MDSH.2",
                    "name": "Tỉ lệ thành phần hồ sơ được số hóa",
                    "numerator": "components_digitised",
                    "denominator": "components",
                    "target": "0.80",
                    "max_points": "7.33",
                    "note": "Ý số hóa thành phần 4 điểm nhân 22/12 = 7,33 (làm tròn để cả nhóm đúng 22).",
                },
                {
                    "code": "MDSH.3",
                    "name": "Tỉ lệ thành phần hồ sơ tái sử dụng từ kho dữ liệu",
                    "numerator": "components_reused",
                    "denominator": "components",
                    "target": "0.80",
                    "max_points": "3.67",
                    "note": "Ý tái sử dụng 2 điểm nhân 22/12 = 3,67 (làm tròn để cả nhóm đúng 22).",
                },
            ],
        },
        {"code": "MDHL", "name": "Mức độ hài lòng", "max_points": "18", "indicators": []},
    ],
}

# Version 2: group MDHL measured — feedback handled on time (judged at the period's end, like dossiers),
# satisfaction with feedback handling and with dossiers, 6 points each (DOMAIN.md's 6+6+6). Targets: 90% for the
# two satisfaction ratios (DOMAIN.md), 80% for handling on time (the "most ratios" target).
MDHL_V2 = {
    "code": "MDHL",
    "name": "Mức độ hài lòng",
    "max_points": "18",
    "indicators": [
        {
            "code": "MDHL.1",
            "name": "Tỉ lệ phản ánh, kiến nghị được xử lý đúng hạn",
            "numerator": "feedback_judged_in_time",
            "denominator": "feedback_judged",
            "target": "0.80",
            "max_points": "6",
            "note": (
                "Phản ánh, kiến nghị đã trả lời hoặc từ chối trong kỳ và phản ánh còn đang xử lý cuối kỳ (xét tại "
                "ngày cuối kỳ): đúng hạn + đang trong hạn, trên tổng số; thời gian chờ người gửi bổ sung thông "
                "tin không tính."
            ),
        },
        {
            "code": "MDHL.2",
            "name": "Tỉ lệ hài lòng về việc tiếp nhận, xử lý phản ánh, kiến nghị",
            "numerator": "feedback_rated_satisfied",
            "denominator": "feedback_rated",
            "target": "0.90",
            "max_points": "6",
            "note": "Đánh giá “rất hài lòng” và “hài lòng” của người gửi về trả lời, trên tổng số đánh giá trong kỳ.",
        },
        {
            "code": "MDHL.3",
            "name": "Tỉ lệ hài lòng về việc giải quyết hồ sơ thủ tục hành chính",
            "numerator": "dossiers_rated_satisfied",
            "denominator": "dossiers_rated",
            "target": "0.90",
            "max_points": "6",
            "note": (
                "Đánh giá “rất hài lòng” và “hài lòng” của chủ hồ sơ (sau khi trả kết quả hoặc dừng xử lý), trên "
                "tổng số đánh giá trong kỳ; tính vào kỳ của lần đánh giá đầu, theo mức đánh giá hiện tại."
            ),
        },
    ],
}

SCHEME_V2 = {
    **SCHEME,
    "version": 2,
    "rules": {
        **SCHEME["rules"],
        "notes": [
            "Nhóm CKMB (công khai, minh bạch — 18 điểm) chưa có chỉ số vì hệ thống chưa đo công bố thủ tục và đồng "
            "bộ Cổng Dịch vụ công quốc gia; nhóm này không áp dụng và tổng điểm được quy đổi về thang 100 trên điểm "
            "tối đa của các nhóm có số liệu (82 điểm khi cả năm nhóm còn lại đều có).",
            SCHEME["rules"]["notes"][1],
        ],
    },
    "groups": [*SCHEME["groups"][:-1], MDHL_V2],
}

# Version 3 (migration 0008): group CKMB is measured by the status sync to the national portal (motcua.sync) — the
# 6 points of "synced to national portal" in DOMAIN.md's reconstruction; publication of procedures (the other 12) is
# not measured yet, so its points go to the sync indicator, as the note says. Target 100 %: every change must reach
# the national portal (a missed one is a duty not done, not a ratio to approach).
CKMB_V3 = {
    "code": "CKMB",
    "name": "Công khai, minh bạch",
    "max_points": "18",
    "indicators": [
        {
            "code": "CKMB.4",
            "name": "Tỉ lệ thay đổi trạng thái hồ sơ được đồng bộ lên Cổng Dịch vụ công quốc gia",
            "numerator": "sync_changes_accepted",
            "denominator": "sync_changes",
            "target": "1.00",
            "max_points": "18",
            "note": (
                "Mỗi thay đổi của hồ sơ trong kỳ (nộp, tiếp nhận, từng bước xử lý, bổ sung, nộp phí, trả kết quả), "
                "tính theo ngày thay đổi: số thay đổi Cổng quốc gia đã xác nhận nhận được, trên tổng số. Việc công "
                "khai thủ tục (12 điểm) chưa được đo nên điểm của cả nhóm tính theo chỉ số này."
            ),
        }
    ],
}

SCHEME_V3 = {
    **SCHEME_V2,
    "version": 3,
    "rules": {
        **SCHEME_V2["rules"],
        "notes": [
            "Nhóm CKMB (công khai, minh bạch — 18 điểm) được tính theo việc đồng bộ trạng thái hồ sơ lên Cổng Dịch "
            "vụ công quốc gia; khi hệ thống không đồng bộ (trong kỳ không có thay đổi nào cần đồng bộ), nhóm này "
            "không áp dụng và tổng điểm được quy đổi về thang 100 trên điểm tối đa của các nhóm có số liệu.",
            SCHEME["rules"]["notes"][1],
        ],
    },
    "groups": [CKMB_V3, *SCHEME_V2["groups"][1:]],
}

SCHEMES = {1: SCHEME, 2: SCHEME_V2, 3: SCHEME_V3}


def load(
    scheme_model: Any,
    group_model: Any,
    indicator_model: Any,
    *,
    published_at: dt.datetime | None = None,
    version: int = VERSION,
) -> None:
    """Create the scheme's `version` if it is missing (never overwrite a stored one); takes the model classes to
    use. A later version with the same `valid_from` retires the earlier ones, as publishing does."""
    from django.utils import timezone

    spec = SCHEMES[version]
    if scheme_model.objects.filter(code=CODE, version=version).exists():
        return
    scheme_model.objects.filter(code=CODE, version__lt=version, valid_from=spec["valid_from"]).update(status="retired")
    scheme = scheme_model.objects.create(
        code=CODE,
        version=version,
        name=spec["name"],
        legal_basis=spec["legal_basis"],
        valid_from=spec["valid_from"],
        status="published",
        published_at=published_at or timezone.now(),
        rules=spec["rules"],
    )
    for group_position, group in enumerate(spec["groups"], start=1):
        stored = group_model.objects.create(
            scheme=scheme, code=group["code"], name=group["name"], max_points=group["max_points"],
            position=group_position,
        )  # fmt: skip
        indicator_model.objects.bulk_create(
            indicator_model(
                group=stored,
                code=item["code"],
                name=item["name"],
                numerator=item["numerator"],
                denominator=item["denominator"],
                target=item["target"],
                max_points=item["max_points"],
                note=item["note"],
                position=position,
            )
            for position, item in enumerate(group["indicators"], start=1)
        )


def unload(scheme_model: Any, *, version: int = VERSION) -> None:
    """Remove what `load` created (groups and indicators go with it); the version before is in force again."""
    scheme_model.objects.filter(code=CODE, version=version).delete()
    scheme_model.objects.filter(code=CODE, version=version - 1).update(status="published")


def ensure() -> None:
    from motcua.metrics.models import IndexScheme, Indicator, IndicatorGroup

    for version in SCHEMES:
        load(IndexScheme, IndicatorGroup, Indicator, version=version)
