"""The starting configuration of the privacy rules: the purposes citizens are asked to consent to, and the
deadlines of their rights requests. Operators edit both in the admin; migration 0003 loads them once, and the
test worlds load them again after a transactional test has emptied the tables.

The 72-hour deadlines follow NĐ 13/2023/NĐ-CP (arts. 14–16) as carried into Luật 91/2025/QH15 and NĐ 356/2025/NĐ-CP
*(practice: check against the decree in force and change them in the admin if it says otherwise)*.
"""

from __future__ import annotations

PURPOSES = [
    {
        "code": "tai-su-dung-du-lieu",
        "name": "Tái sử dụng dữ liệu trong kho để điền sẵn hồ sơ",
        "name_en": "Reuse of warehouse data to pre-fill new dossiers",
        "statement": (
            "Tôi đồng ý để hệ thống dùng thông tin tài khoản và dữ liệu của các giấy tờ trong kho dữ liệu của tôi "
            "để điền sẵn tờ khai và đính kèm giấy tờ khi tôi nộp hồ sơ thủ tục hành chính. Tôi có thể rút lại "
            "sự đồng ý này bất cứ lúc nào; việc rút lại không ảnh hưởng đến các hồ sơ đã nộp."
        ),
        "statement_en": (
            "I agree that the system uses my account information and the data of the documents in my warehouse to "
            "pre-fill forms and attach documents when I file an administrative procedure. I can withdraw this "
            "consent at any time; withdrawing does not affect dossiers already filed."
        ),
        "data_categories": "Họ tên, số định danh, số điện thoại, thư điện tử; dữ liệu giấy tờ trong kho",
        "legal_basis": "Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15; Nghị định 356/2025/NĐ-CP",
    },
    {
        "code": "thong-bao-dien-tu",
        "name": "Nhận thông báo về hồ sơ qua thư điện tử",
        "name_en": "Dossier notifications by email",
        "statement": (
            "Tôi đồng ý nhận thông báo về tình trạng hồ sơ của tôi qua địa chỉ thư điện tử đã đăng ký. "
            "Tôi có thể rút lại sự đồng ý này bất cứ lúc nào; thông báo vẫn hiện trong tài khoản của tôi."
        ),
        "statement_en": (
            "I agree to receive notifications about my dossiers at my registered email address. I can withdraw "
            "this consent at any time; notifications remain visible in my account."
        ),
        "data_categories": "Thư điện tử, mã và tình trạng hồ sơ",
        "legal_basis": "Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15",
    },
]

RULES = [
    ("correction", 72, "NĐ 13/2023/NĐ-CP, Điều 15; Luật 91/2025/QH15"),
    ("deletion", 72, "NĐ 13/2023/NĐ-CP, Điều 16; Luật 91/2025/QH15"),
    ("restriction", 72, "NĐ 13/2023/NĐ-CP, Điều 9; Luật 91/2025/QH15"),
    ("objection", 72, "NĐ 13/2023/NĐ-CP, Điều 9; Luật 91/2025/QH15"),
]


def load(purpose_model, rule_model) -> None:
    """Create what is missing (never overwrite what an operator changed); takes the models to use."""
    for purpose in PURPOSES:
        purpose_model.objects.get_or_create(code=purpose["code"], defaults=purpose)
    for kind, hours, basis in RULES:
        rule_model.objects.get_or_create(kind=kind, defaults={"response_hours": hours, "legal_basis": basis})


def ensure() -> None:
    from motcua.wallet.models import ConsentPurpose, RightsRequestRule

    load(ConsentPurpose, RightsRequestRule)
