"""The one-stop forms 01–07 as PDF: each renders from the dossier's log, with the right Vietnamese text."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

from motcua.dossiers.models import ActionKind, Dossier
from motcua.dossiers.services import perform_action, register_direct_dossier, submit_dossier
from motcua.dossiers.tests.factories import VN, at
from motcua.signing.rendering import (
    _control_slip,
    _load_dossier,
    _local_fetcher,
    _long_date,
    _moment,
    render_form,
    render_register,
)

K = ActionKind
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def text_of(pdf: bytes) -> str:
    """The PDF's text through poppler's pdftotext, with runs of white space made one space."""
    assert pdf.startswith(b"%PDF-"), pdf[:20]
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: install Debian's poppler-utils (make system-deps)", pytrace=False)
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(result.stdout.decode("utf-8").split())


def assert_contains(text: str, *expected: str) -> None:
    missing = [item for item in expected if item not in text]
    assert not missing, f"missing {missing} in: {text}"


def submit(world, *, now=None, user=None) -> Dossier:
    user = user or world.owner
    return submit_dossier(
        applicant=user, version=world.version, agency=world.agency, form_data=world.form,
        files=world.required_files(user), now=now or at(2026, 11, 23, 8, 30),
    )  # fmt: skip


def act(dossier, actor, kind, *, now, **kwargs):
    return perform_action(dossier_code=dossier.code, actor=actor, kind=kind, now=now, **kwargs)


@pytest.fixture
def processed(world) -> Dossier:
    """Received, a supplement, a late hand-off, an extension, approved on the new date and returned."""
    dossier = submit(world)
    act(dossier, world.reception, K.RECEIVE, now=at(2026, 11, 23, 9))
    act(dossier, world.reception, K.HAND_OFF, now=at(2026, 11, 23, 10), assignee=world.specialist)
    act(
        dossier, world.specialist, K.REQUEST_SUPPLEMENT, now=at(2026, 11, 25, 10),
        missing=["Giấy chứng sinh bản rõ nét", "Tờ khai có chữ ký của người đi khai"], comment="Bản chụp bị mờ",
    )  # fmt: skip
    requirement = world.version.components.get(position=2)
    act(dossier, world.owner, K.SUPPLEMENT, now=at(2026, 11, 26, 9), files={requirement.pk: [world.upload()]})
    act(
        dossier, world.leader, K.EXTEND, now=at(2026, 12, 2, 9), new_appointment=at(2026, 12, 10, 17),
        comment="Cần xác minh thông tin nơi sinh với bệnh viện",
    )  # fmt: skip
    act(dossier, world.specialist, K.HAND_OFF, now=at(2026, 12, 7, 14), assignee=world.leader)
    act(dossier, world.leader, K.APPROVE, now=at(2026, 12, 8, 9))
    act(dossier, world.reception, K.RETURN_RESULT, now=at(2026, 12, 8, 10))
    dossier.refresh_from_db()
    return dossier


def test_form_01_receipt_of_an_online_dossier(world):
    dossier = submit(world)
    act(dossier, world.reception, K.RECEIVE, now=at(2026, 11, 23, 9))
    text = text_of(render_form("01", dossier=dossier))
    assert_contains(
        text, *MOTTO, "Mẫu số 01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "ỦY BAN NHÂN DÂN PHƯỜNG HẢI CHÂU",
        "Hải Châu, ngày 23 tháng 11 năm 2026", dossier.code, "Nguyễn Thị Hoa", "048190001234", "Đăng ký khai sinh",
        "Tờ khai đăng ký khai sinh", "Giấy chứng sinh", "Công dân tải lên",
        "Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 23 tháng 11 năm 2026",
        # Received Monday 23/11; Tuesday 24/11 is Vietnam Culture Day: 3 working days → Friday 27/11.
        "Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 27 tháng 11 năm 2026",
        "3 ngày làm việc", "NGƯỜI TIẾP NHẬN HỒ SƠ", "Tiepnhan", "kho dữ liệu điện tử",
    )  # fmt: skip
    assert "NGƯỜI NỘP HỒ SƠ" not in text  # filed online: nobody signs at the desk


def test_form_01_of_a_direct_registration_is_signed_by_both(world):
    dossier = register_direct_dossier(
        officer=world.reception, applicant=world.owner, version=world.version, agency=world.agency,
        form_data=world.form, files=world.required_files(world.reception), now=at(2026, 1, 5, 15, 30),
    )  # fmt: skip
    text = text_of(render_form("01", dossier=dossier))
    assert_contains(
        text, "Hải Châu, ngày 05 tháng 01 năm 2026", "15 giờ 30 phút", "Số hóa tại bộ phận một cửa",
        "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", "Trực tiếp tại Bộ phận một cửa",
    )  # fmt: skip


def test_form_02_lists_exactly_what_is_missing(processed):
    text = text_of(render_form("02", dossier=processed))
    assert_contains(
        text, *MOTTO, "Mẫu số 02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", processed.code, "Nguyễn Thị Hoa",
        "1. Giấy chứng sinh bản rõ nét", "2. Tờ khai có chữ ký của người đi khai", "Lý do: Bản chụp bị mờ",
        "(lần 1)", "tạm dừng kể từ 10 giờ 00 phút, ngày 25 tháng 11 năm 2026", "Chuyenvien",
        "Hải Châu, ngày 25 tháng 11 năm 2026",
    )  # fmt: skip


def test_form_03_gives_the_reason_for_refusal(world):
    dossier = submit(world)
    act(dossier, world.reception, K.REFUSE, now=at(2026, 11, 23, 10), comment="Không thuộc thẩm quyền giải quyết")
    text = text_of(render_form("03", dossier=dossier))
    assert_contains(
        text, *MOTTO, "Mẫu số 03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", dossier.code, "Nguyễn Thị Hoa",
        "Không thuộc thẩm quyền giải quyết", "NGƯỜI TIẾP NHẬN HỒ SƠ", "Tiepnhan",
    )  # fmt: skip


def test_form_04_apologises_with_both_appointments(processed):
    extension = processed.actions.get(kind=K.EXTEND)
    previous = dt.datetime.fromisoformat(extension.data["previous_appointment"])
    text = text_of(render_form("04", dossier=processed, action=extension))
    assert_contains(
        text, *MOTTO, "Mẫu số 04", "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT", processed.code,
        "Kính gửi: Nguyễn Thị Hoa", f"Thời gian hẹn trả kết quả giải quyết hồ sơ: {_moment(previous)}",
        "17 giờ 00 phút, ngày 10 tháng 12 năm 2026", "Cần xác minh thông tin nơi sinh với bệnh viện", "xin lỗi",
        "THỦ TRƯỞNG CƠ QUAN", "Lanhdao", "Hải Châu, ngày 02 tháng 12 năm 2026",
    )  # fmt: skip
    assert previous != at(2026, 12, 10, 17)


def test_form_05_gives_the_reason_for_stopping(world):
    dossier = submit(world)
    act(dossier, world.reception, K.RECEIVE, now=at(2026, 11, 23, 9))
    act(dossier, world.leader, K.STOP, now=at(2026, 11, 25, 11), comment="Người yêu cầu đã chết trước khi có kết quả")
    text = text_of(render_form("05", dossier=dossier))
    assert_contains(
        text, *MOTTO, "Mẫu số 05", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", dossier.code, "Nguyễn Thị Hoa",
        "Người yêu cầu đã chết trước khi có kết quả", "11 giờ 00 phút, ngày 25 tháng 11 năm 2026", "Lanhdao",
    )  # fmt: skip


def test_form_06_follows_the_whole_log_with_on_time_and_late_marks(processed):
    text = text_of(render_form("06", dossier=processed, now=at(2026, 12, 9, 8)))
    assert_contains(
        text, *MOTTO, "Mẫu số 06", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", processed.code, "Nguyễn Thị Hoa",
        "Tiếp nhận hồ sơ", "Chuyển bước xử lý", "Yêu cầu bổ sung, hoàn thiện hồ sơ", "Bổ sung hồ sơ",
        "Xin lỗi và gia hạn", "Phê duyệt kết quả", "Trả kết quả", "23/11/2026 10:00", "07/12/2026 14:00",
        "Giấy chứng sinh bản rõ nét", "Đúng hạn", "Quá hạn", "Hải Châu, ngày 09 tháng 12 năm 2026",
        "Tổng số lượt giao, nhận: 8", "số lượt xét hạn: 4, trong đó đúng hạn: 3, quá hạn: 1",
        "Kết quả giải quyết hồ sơ: Đúng hạn", "NGƯỜI LẬP PHIẾU",
    )  # fmt: skip


def test_control_slip_rows_say_who_handed_to_whom_and_whether_on_time(processed):
    slip = _control_slip(_load_dossier(processed, components=False), now=at(2026, 12, 9, 8))
    first_hand_off = processed.actions.filter(kind=K.HAND_OFF).order_by("seq").first()
    specialist_deadline = dt.datetime.fromisoformat(first_hand_off.data["step_deadline"]).astimezone(VN)
    rows = [(r["content"], r["giver"], r["receiver"], r["at"], r["deadline"], r["result"]) for r in slip["rows"]]
    applicant = "Nguyễn Thị Hoa (chủ hồ sơ)"
    assert rows == [
        ("Tiếp nhận hồ sơ", applicant, "Tiepnhan — Tiếp nhận hồ sơ", "23/11/2026\n09:00", "", None),
        # Reception's step (0.25 of a 7 h 30 working day) started at 09:00, so it was due at 10:52.
        ("Chuyển bước xử lý", "Tiepnhan — Tiếp nhận hồ sơ", "Chuyenvien — Thẩm định, trình ký",
         "23/11/2026\n10:00", "23/11/2026\n10:52", "Đúng hạn"),
        ("Yêu cầu bổ sung, hoàn thiện hồ sơ", "Chuyenvien", applicant, "25/11/2026\n10:00", "", None),
        ("Bổ sung hồ sơ", applicant, "Ủy ban nhân dân Phường Hải Châu", "26/11/2026\n09:00", "", None),
        ("Xin lỗi và gia hạn", "Lanhdao", applicant, "02/12/2026\n09:00", "", None),
        # The specialist's step deadline was logged at the first hand-off; the hand-off on 7/12 is late.
        ("Chuyển bước xử lý", "Chuyenvien — Thẩm định, trình ký", "Lanhdao — Ký giấy khai sinh",
         "07/12/2026\n14:00", specialist_deadline.strftime("%d/%m/%Y\n%H:%M"), "Quá hạn"),
        # Approved and returned before the extended appointment.
        ("Phê duyệt kết quả", "Lanhdao — Ký giấy khai sinh", "Cán bộ tiếp nhận (một cửa) — Trả kết quả",
         "08/12/2026\n09:00", "10/12/2026\n17:00", "Đúng hạn"),
        ("Trả kết quả", "Tiepnhan — Trả kết quả", applicant, "08/12/2026\n10:00", "10/12/2026\n17:00", "Đúng hạn"),
    ]  # fmt: skip
    assert (slip["judged"], slip["on_time"], slip["late"], slip["outcome"]) == (4, 3, 1, "Đúng hạn")


def test_form_06_judges_an_unfinished_dossier_at_now(world):
    dossier = submit(world)
    act(dossier, world.reception, K.RECEIVE, now=at(2026, 11, 23, 9))
    text = text_of(render_form("06", dossier=dossier, now=at(2026, 11, 30, 9)))
    assert_contains(text, "Đang giải quyết, quá hạn (tính đến 30/11/2026 09:00)", "Trang 1/1")


def test_form_07_registers_the_agencys_dossiers(world, processed):
    refused = submit(world, now=at(2026, 11, 24, 8))
    act(refused, world.reception, K.REFUSE, now=at(2026, 11, 24, 9), comment="Sai thẩm quyền")
    waiting = submit(world, now=at(2026, 11, 25, 8))
    dossiers = Dossier.objects.filter(agency=world.agency).order_by("submitted_at")
    pdf = render_register(
        agency=world.agency, dossiers=dossiers, period_start=dt.date(2026, 11, 1), period_end=dt.date(2026, 11, 30),
        now=at(2026, 12, 1, 8),
    )  # fmt: skip
    text = text_of(pdf)
    assert_contains(
        text, *MOTTO, "Mẫu số 07", "SỔ THEO DÕI HỒ SƠ", "Từ ngày 01/11/2026 đến ngày 30/11/2026", processed.code,
        refused.code, waiting.code, "Nguyễn Thị Hoa", "Đăng ký khai sinh", "Đã trả kết quả", "Không được tiếp nhận",
        "Mới đăng ký", "08/12/2026 10:00", "Tổng số hồ sơ: 3", "Hải Châu, ngày 01 tháng 12 năm 2026",
    )  # fmt: skip
    # Form 07 for one dossier is its line of the register.
    line = text_of(render_form("07", dossier=waiting, now=at(2026, 12, 1, 8)))
    assert_contains(
        line, "SỔ THEO DÕI HỒ SƠ", "Từ ngày 25/11/2026 đến ngày 01/12/2026", waiting.code, "Tổng số hồ sơ: 1"
    )
    assert processed.code not in line


def test_a_form_without_its_action_or_with_a_wrong_one_is_a_clear_error(world):
    dossier = submit(world)
    for number in ("01", "02", "03", "04", "05"):
        with pytest.raises(ValueError, match=rf"Hồ sơ {dossier.code} .*\(Mẫu số {number}\)"):
            render_form(number, dossier=dossier)
    receipt = act(dossier, world.reception, K.RECEIVE, now=at(2026, 11, 23, 9))
    with pytest.raises(ValueError, match="không lập từ hành động “Tiếp nhận hồ sơ”"):
        render_form("03", dossier=dossier, action=receipt)
    other = submit(world, now=at(2026, 11, 23, 9, 30))
    with pytest.raises(ValueError, match=f"không thuộc hồ sơ {other.code}"):
        render_form("01", dossier=other, action=receipt)
    with pytest.raises(ValueError, match="Không có Mẫu số 08"):
        render_form("08", dossier=dossier)


def test_queries_do_not_grow_with_the_log(world, processed, django_assert_max_num_queries):
    short = submit(world, now=at(2026, 11, 27, 8))
    act(short, world.reception, K.RECEIVE, now=at(2026, 11, 27, 9))
    for dossier in (short, processed):
        with django_assert_max_num_queries(4):
            render_form("06", dossier=dossier, now=at(2026, 12, 9, 8))
    with django_assert_max_num_queries(5):
        render_form("01", dossier=processed)
    with django_assert_max_num_queries(3):
        render_register(
            agency=world.agency, dossiers=Dossier.objects.all(), period_start=dt.date(2026, 11, 1),
            period_end=dt.date(2026, 11, 30),
        )  # fmt: skip


def test_dates_follow_the_administrative_style_in_vietnam_time():
    assert _long_date(dt.date(2026, 1, 5)) == "ngày 05 tháng 01 năm 2026"
    assert _long_date(dt.date(2026, 11, 25)) == "ngày 25 tháng 11 năm 2026"
    late_evening_utc = dt.datetime(2026, 11, 24, 20, 0, tzinfo=dt.UTC)  # 03:00 on 25/11 in Vietnam
    assert _long_date(late_evening_utc) == "ngày 25 tháng 11 năm 2026"
    assert _moment(late_evening_utc) == "03 giờ 00 phút, ngày 25 tháng 11 năm 2026"


def test_forms_fetch_nothing_but_local_fonts(settings):
    fetcher = _local_fetcher()
    for url in ("http://example.com/logo.png", "https://example.com/x.css", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="không được tải tài nguyên bên ngoài"):
            fetcher.fetch(url)
    font = fetcher.fetch("file:///usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    assert font.read(4) in (b"\x00\x01\x00\x00", b"true")
    font.close()
