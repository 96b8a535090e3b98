"""Results are laid out by their procedure's own template (signing/results/<code>.html) or the generic one."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest

from motcua.catalog.tests.factories import publish_procedure
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import at
from motcua.signing import result_rendering, services
from motcua.signing.pades import validate_pdf
from motcua.signing.queries import result_in_force
from motcua.signing.tests.test_rendering import text_of
from motcua.signing.tests.test_signed_forms import assert_stamp_area_blank

needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")

CATALOG = Path(__file__).resolve().parents[2] / "catalog" / "demo" / "catalog.json"
BIRTH_PLACE = "Bệnh viện Phụ sản - Nhi, Phường Hải Châu, Thành phố Đà Nẵng"
RESULT_ID = "00000000-0000-0000-0000-000000000001"
ISSUED = at(2026, 11, 25, 9, 5)
ADDRESS = {
    "province": "48",
    "commune": "20194",
    "street": "12 Trần Phú",
    "text": "12 Trần Phú, Phường Hải Châu, Thành phố Đà Nẵng",
}


def demo_form(code: str) -> dict:
    """The e-form of procedure `code` in the demo catalogue."""
    catalog = json.loads(CATALOG.read_text(encoding="utf-8"))
    return next(p for p in catalog["procedures"] if p["code"] == code)["form"]


def render(dossier: Dossier) -> tuple[bytes, dict]:
    dossier = Dossier.objects.select_related("procedure_version__procedure", "agency__unit").get(pk=dossier.pk)
    data = services.result_data(dossier=dossier, result_id=RESULT_ID, issued_at=ISSUED)
    return result_rendering.render_result(dossier=dossier, data=data, issued_at=ISSUED), data


def switch(dossier: Dossier, *, version=None, form_data: dict | None = None) -> Dossier:
    """The dossier under another procedure version or with other e-form data (as if filed so)."""
    changes = {}
    if version is not None:
        changes["procedure_version"] = version
    if form_data is not None:
        changes["form_data"] = form_data
    Dossier.objects.filter(pk=dossier.pk).update(**changes)
    return Dossier.objects.get(pk=dossier.pk)


@pytest.fixture
def demo_birth(approved, world) -> Dossier:
    """The approved birth registration with the demo catalogue's e-form, fully filled in."""
    version = publish_procedure(form=demo_form("1.001193"))  # version 2 of 1.001193, with the demo e-form
    assert version.procedure.code == "1.001193" and version.pk != world.version.pk
    return switch(
        approved,
        version=version,
        form_data={
            "child_full_name": "Trần Bảo Ngọc",
            "child_birth_date": "2026-11-05",
            "child_sex": "nu",
            "birth_place": {**ADDRESS, "street": "Bệnh viện Phụ sản - Nhi", "text": BIRTH_PLACE},
            "mother_full_name": "Nguyễn Thị Hoa",
            "mother_national_id": "048190001234",
            "father_full_name": "Trần Văn Dũng",
            "father_national_id": "048088004321",
            "requester_relationship": "me",
            "requester_phone": "0905123456",
        },
    )


@pytest.fixture
def judicial_record(approved, world) -> Dossier:
    """A dossier of 3.000333 (Phiếu lý lịch tư pháp) with the demo catalogue's e-form."""
    version = publish_procedure(
        code="3.000333", name="Cấp Phiếu lý lịch tư pháp", result_name="Phiếu lý lịch tư pháp số 1",
        result_document_type="phieu-ly-lich-tu-phap", form=demo_form("3.000333"),
    )  # fmt: skip
    return switch(
        approved,
        version=version,
        form_data={
            "full_name": "Lê Minh Tuấn",
            "birth_date": "1990-02-14",
            "sex": "nam",
            "national_id": "048090001122",
            "birth_place": "Quảng Nam",
            "permanent_address": ADDRESS,
            "certificate_type": "so_1",
            "copies": "1",
            "purpose": "xin_viec",
            "residence_history": [{"from_date": "2004-02-14", "place": "Đà Nẵng", "occupation": "Học sinh"}],
            "phone": "0905123456",
        },
    )


def shows_url(text: str, url: str) -> bool:
    """Whether `url` is in `text`, wherever the PDF broke its line (pdftotext drops a hyphen ending a line)."""
    return url.replace("-", "") in text.replace(" ", "").replace("-", "")


def dotted(text: str, label: str) -> bool:
    """Whether `label` is followed by a dotted line (no value) in `text`."""
    return re.search(re.escape(label) + r" \.{5,}", text) is not None


# ---------------------------------------------------------------------------------------------------
# Which template


def test_the_template_is_chosen_by_procedure_code(db):
    assert result_rendering.result_template("1.001193") == "signing/results/1.001193.html"
    assert result_rendering.result_template("3.000333") == "signing/results/3.000333.html"
    for code in ("2.002222", "", "../result", "signing/result", ".001193", "1.001193/../../x"):
        assert result_rendering.result_template(code) == "signing/result.html", code


def test_a_province_adds_a_layout_by_adding_a_file(approved, settings, tmp_path):
    """A template directory with signing/results/<code>.html is all it takes: no code changes."""
    directory = tmp_path / "province-templates"
    (directory / "signing" / "results").mkdir(parents=True)
    (directory / "signing" / "results" / "2.002222.html").write_text(
        '{% extends "signing/result_base.html" %}{% block content %}'
        '<div class="doc-title">Giấy phép thử nghiệm</div><p>Cấp cho {{ applicant.name }}.</p>{% endblock %}',
        encoding="utf-8",
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [directory, *settings.TEMPLATES[0]["DIRS"]]}]
    version = publish_procedure(code="2.002222", name="Thủ tục thử", result_name="Giấy phép thử nghiệm")
    assert result_rendering.result_template("2.002222") == "signing/results/2.002222.html"
    text = text_of(render(switch(approved, version=version))[0])
    assert "GIẤY PHÉP THỬ NGHIỆM" in text and "Cấp cho Nguyễn Thị Hoa." in text
    assert "Kết quả giải quyết thủ tục" not in text  # not the generic template


def test_a_procedure_without_its_own_template_gets_the_generic_one(approved):
    version = publish_procedure(code="2.002222", name="Thủ tục thử", result_name="Văn bản chấp thuận")
    pdf, data = render(switch(approved, version=version))
    text = text_of(pdf)
    assert "VĂN BẢN CHẤP THUẬN" in text and "Kết quả giải quyết thủ tục: Thủ tục thử (mã thủ tục 2.002222)" in text
    assert "Nguyễn Văn An" in text and "20/11/2026" in text and "Nam" in text  # labels of choices, dates in figures
    assert "GIẤY KHAI SINH" not in text
    assert shows_url(text, data["verification_url"])


# ---------------------------------------------------------------------------------------------------
# The birth certificate (1.001193)


def test_the_birth_registration_result_is_a_birth_certificate(approved):
    pdf, data = render(approved)
    text = text_of(pdf)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "ỦY BAN NHÂN DÂN PHƯỜNG HẢI CHÂU",
        f"Số: {approved.code}",
        "GIẤY KHAI SINH",
        "(Bản chính)",
        "Họ, chữ đệm, tên: NGUYỄN VĂN AN",
        "Ngày, tháng, năm sinh: 20/11/2026",
        "Ghi bằng chữ: Ngày hai mươi, tháng mười một, năm hai nghìn không trăm hai mươi sáu",
        "Giới tính: Nam",
        "Họ, chữ đệm, tên người đi khai sinh: Nguyễn Thị Hoa",
        "Giấy tờ tùy thân: Số định danh cá nhân 048190001234",
        "Nơi đăng ký khai sinh: Ủy ban nhân dân Phường Hải Châu, Thành phố Đà Nẵng",
        "Ngày, tháng, năm đăng ký: 25/11/2026",
        "NGƯỜI KÝ GIẤY KHAI SINH",
    ):
        assert expected in text, f"missing {expected!r} in: {text}"
    assert shows_url(text, data["verification_url"])
    assert "<svg" not in text


def test_what_the_e_form_does_not_hold_is_a_dotted_line(approved):
    text = text_of(render(approved)[0])
    for label in (
        "Dân tộc:", "Quốc tịch:", "Nơi sinh:", "Quê quán:", "Số định danh cá nhân:", "Họ, chữ đệm, tên người mẹ:",
        "Họ, chữ đệm, tên người cha:", "Năm sinh:", "Nơi cư trú:",
    ):  # fmt: skip
        assert dotted(text, label), f"{label} is not a dotted line in: {text}"
    assert "None" not in text and "Việt Nam," not in text and "Kinh" not in text  # nothing made up
    blank = text_of(
        render(switch(approved, form_data={"child_name": "Nguyễn Văn An", "birth_date": None, "sex": ""}))[0]
    )
    assert "None" not in blank
    assert dotted(blank, "Ngày, tháng, năm sinh:") and dotted(blank, "Ghi bằng chữ:") and dotted(blank, "Giới tính:")
    empty = text_of(render(switch(approved, form_data={}))[0])
    assert dotted(empty, "Họ, chữ đệm, tên:") and "None" not in empty and "GIẤY KHAI SINH" in empty


def test_the_demo_catalogue_e_form_fills_the_certificate(demo_birth):
    text = text_of(render(demo_birth)[0])
    for expected in (
        "Họ, chữ đệm, tên: TRẦN BẢO NGỌC",
        "Ngày, tháng, năm sinh: 05/11/2026",
        "Ghi bằng chữ: Ngày mồng năm, tháng mười một, năm hai nghìn không trăm hai mươi sáu",
        "Giới tính: Nữ",
        f"Nơi sinh: {BIRTH_PLACE}",
        "Họ, chữ đệm, tên người mẹ: Nguyễn Thị Hoa",
        "Họ, chữ đệm, tên người cha: Trần Văn Dũng",
        "(quan hệ với người được khai sinh: mẹ)",
    ):
        assert expected in text, f"missing {expected!r} in: {text}"
    assert dotted(text, "Quê quán:") and dotted(text, "Dân tộc:")
    # What the paper form has no line for stays off it: the parents' identity numbers, the phone number.
    assert "048088004321" not in text and "0905123456" not in text


def test_issued_signed_birth_certificate(approved, world):
    # Issued again at a known moment (the approval issued the first), replacing the one in force.
    result = services.issue_result(
        dossier=approved, leader=world.leader, now=ISSUED, replaces=result_in_force(approved), reason="Cấp lại"
    )
    body = result.document.file.read()
    check = validate_pdf(body)
    assert check.valid and check.signatures[0].signer_identifier == world.agency.identifier
    text = text_of(body)
    assert "GIẤY KHAI SINH" in text and "NGUYỄN VĂN AN" in text
    assert shows_url(text, services.verification_url(result.pk))


# ---------------------------------------------------------------------------------------------------
# Phiếu lý lịch tư pháp (3.000333)


def test_the_judicial_record_certificate(judicial_record):
    pdf, data = render(judicial_record)
    text = text_of(pdf)
    for expected in (
        "PHIẾU LÝ LỊCH TƯ PHÁP SỐ 1",
        f"Số: {judicial_record.code}/LLTP",
        "Hải Châu, ngày 25 tháng 11 năm 2026",
        "1. Họ và tên: LÊ MINH TUẤN",
        "2. Giới tính: Nam",
        "3. Ngày, tháng, năm sinh: 14/02/1990",
        "4. Nơi sinh: Quảng Nam",
        f"6. Nơi thường trú: {ADDRESS['text']}",
        "8. Số định danh cá nhân: 048090001122",
        "Tình trạng án tích: theo kết quả tra cứu của cơ quan quản lý cơ sở dữ liệu lý lịch tư pháp",
        "THỦ TRƯỞNG CƠ QUAN CẤP PHIẾU",
    ):
        assert expected in text, f"missing {expected!r} in: {text}"
    for label in (
        "5. Quốc tịch:",
        "7. Nơi tạm trú:",
        "9. Họ và tên cha:",
        "10. Họ và tên mẹ:",
        "11. Họ và tên vợ/chồng:",
    ):
        assert dotted(text, label), f"{label} is not a dotted line in: {text}"
    assert "không có án tích" not in text.lower() and "None" not in text
    assert shows_url(text, data["verification_url"])


def test_the_judicial_record_never_states_a_clean_record(judicial_record):
    """The system holds no criminal records: whatever the e-form says, the Phiếu does not certify "no record"."""
    claims = {**judicial_record.form_data, "certificate_type": "so_2", "criminal_record": "Không có án tích"}
    text = text_of(render(switch(judicial_record, form_data=claims))[0])
    assert "PHIẾU LÝ LỊCH TƯ PHÁP SỐ 2" in text
    assert "không có án tích" not in text.lower()
    assert "theo kết quả tra cứu của cơ quan quản lý cơ sở dữ liệu lý lịch tư pháp" in text


# ---------------------------------------------------------------------------------------------------
# The stamp


@pytest.fixture
def long_birth(approved) -> Dossier:
    """A birth registration whose values are as long as the e-form allows (two pages)."""
    return switch(
        approved,
        form_data={"child_name": "Nguyễn " * 70 + "An", "birth_date": "2026-11-20", "sex": "nam", "note": "x " * 2000},
    )


@needs_poppler
@pytest.mark.parametrize("dossier", ["approved", "demo_birth", "judicial_record", "long_birth"])
def test_the_stamp_covers_no_text(dossier, request, tmp_path):
    pdf, _ = render(request.getfixturevalue(dossier))
    assert_stamp_area_blank(pdf, tmp_path)


# ---------------------------------------------------------------------------------------------------
# Dates in words


@pytest.mark.parametrize(
    "number, words",
    [
        (1, "một"), (10, "mười"), (11, "mười một"), (15, "mười lăm"), (20, "hai mươi"), (21, "hai mươi mốt"),
        (24, "hai mươi bốn"), (25, "hai mươi lăm"), (31, "ba mươi mốt"), (105, "một trăm linh năm"),
        (1990, "một nghìn chín trăm chín mươi"), (2000, "hai nghìn"), (2005, "hai nghìn không trăm linh năm"),
        (2010, "hai nghìn không trăm mười"), (2026, "hai nghìn không trăm hai mươi sáu"), (2100, "hai nghìn một trăm"),
    ],
)  # fmt: skip
def test_numbers_in_words(number, words):
    assert result_rendering._number_in_words(number) == words


def test_dates_in_words():
    assert result_rendering._date_in_words(dt.date(2026, 11, 20)) == (
        "Ngày hai mươi, tháng mười một, năm hai nghìn không trăm hai mươi sáu"
    )
    assert (
        result_rendering._date_in_words(dt.date(2025, 4, 1))
        == "Ngày mồng một, tháng tư, năm hai nghìn không trăm hai mươi lăm"
    )
    assert (
        result_rendering._date_in_words(dt.date(1999, 12, 31))
        == "Ngày ba mươi mốt, tháng mười hai, năm một nghìn chín trăm chín mươi chín"
    )
