"""Fees → bill: per-page steps and caps, per-copy free units, online amounts, applicant categories, exemptions."""

from __future__ import annotations

import pytest

from motcua.dossiers.services import perform_action
from motcua.payments import services
from motcua.payments.fees import compute_bill
from motcua.payments.models import Bill, BillStatus
from motcua.payments.tests.conftest import business_version, certified_copy_version


@pytest.fixture
def copies(db):
    return certified_copy_version()


@pytest.fixture
def business(db):
    return business_version()


def total(version, **kwargs) -> int:
    return compute_bill(version=version, applicant_category=kwargs.pop("category", "citizen"), **kwargs).total


@pytest.mark.parametrize(
    ("pages", "per_copy"),
    [
        (1, 2000),
        (2, 4000),
        (3, 5000),  # 2 × 2.000 + 1 × 1.000
        (10, 12000),  # 2 × 2.000 + 8 × 1.000
        (196, 198000),
        (198, 200000),  # exactly the cap: 4.000 + 196 × 1.000
        (199, 200000),
        (500, 200000),  # at most 200.000 đồng a copy
    ],
)
def test_certified_copies_cost_2000_a_page_then_1000_a_page_at_most_200000_a_copy(copies, pages, per_copy):
    assert total(copies, pages=pages) == per_copy
    assert total(copies, pages=pages, copies=3) == 3 * per_copy


def test_certified_copy_lines_show_the_arithmetic(copies):
    bill = compute_bill(version=copies, applicant_category="citizen", copies=2, pages=300)
    first, rest = bill.lines
    assert (first.quantity, first.unit_amount, first.amount) == (600, 2000, 8000)
    assert "Tối đa 4.000 đồng/bản." in first.note
    assert (rest.quantity, rest.unit_amount, rest.amount) == (596, 1000, 392000)
    assert rest.note.startswith("Không thu 2 trang đầu của mỗi bản.")
    assert "Tối đa 196.000 đồng/bản." in rest.note
    assert rest.legal_basis == "Thông tư số 226/2016/TT-BTC" and rest.kind == "fee"
    assert bill.total == 400000  # 2 copies × 200.000


def test_no_pages_means_nothing_to_pay_per_page(copies):
    bill = compute_bill(version=copies, applicant_category="citizen", pages=0)
    assert [line.amount for line in bill.lines] == [0, 0] and bill.total == 0


def test_applicant_categories_select_their_items(business):
    organisation = compute_bill(version=business, applicant_category="organisation", online=False)
    assert [line.name for line in organisation.lines] == [
        "Lệ phí đăng ký doanh nghiệp",
        "Phí công bố nội dung đăng ký doanh nghiệp",
        "Phí cung cấp bản sao Giấy chứng nhận",
    ]
    assert organisation.total == 50000 + 100000 + 0  # the first copy is free
    citizen = compute_bill(version=business, applicant_category="citizen", online=False)
    assert [line.name for line in citizen.lines] == [
        "Lệ phí đăng ký hộ kinh doanh",
        "Phí cung cấp bản sao Giấy chứng nhận",
    ]
    assert citizen.total == 100000


def test_filing_online_uses_the_online_amount(business):
    online = compute_bill(version=business, applicant_category="organisation", online=True)
    fee = online.lines[0]
    assert (fee.unit_amount, fee.amount) == (0, 0) and "Mức thu khi nộp trực tuyến." in fee.note
    assert online.total == 100000


def test_per_copy_free_units_and_cap(business):
    def copies_line(n):
        return compute_bill(version=business, applicant_category="citizen", copies=n).lines[-1]

    assert (copies_line(1).quantity, copies_line(1).amount) == (0, 0)
    assert (copies_line(3).quantity, copies_line(3).amount) == (2, 40000)
    capped = copies_line(10)
    assert (capped.quantity, capped.amount) == (9, 60000) and "Tối đa 60.000 đồng." in capped.note


def test_exemptions_are_noted_and_applied_only_when_granted(business):
    fee = compute_bill(version=business, applicant_category="citizen").lines[0]
    assert fee.amount == 100000
    assert fee.note == "Đối tượng miễn, giảm: Hộ gia đình thuộc diện hộ nghèo; Người có công với cách mạng."
    position = business.fees.get(name="Lệ phí đăng ký hộ kinh doanh").position
    exempt = compute_bill(version=business, applicant_category="citizen", exempt_positions={position}).lines[0]
    assert exempt.amount == 0 and exempt.note.startswith("Được miễn: Hộ gia đình thuộc diện hộ nghèo")


@pytest.mark.parametrize(
    "kwargs",
    [{"applicant_category": "anyone"}, {"copies": 0}, {"pages": -1}, {"copies": True}, {"pages": 1.5}],
)
def test_bad_input_is_refused(copies, kwargs):
    with pytest.raises(ValueError):
        compute_bill(version=copies, **{"applicant_category": "citizen", **kwargs})


def test_the_saved_bill_matches_the_computation_and_only_one_is_open(paying):
    bill = paying.bill
    # certified copies, 2 copies of 3 pages: (4.000 + 1.000) × 2
    assert bill.total == 10000 and bill.status == BillStatus.OPEN
    assert bill.applicant_category == "citizen" and bill.online and (bill.copies, bill.pages) == (2, 3)
    assert list(bill.lines.values_list("position", "quantity", "unit_amount", "amount")) == [
        (1, 6, 2000, 8000),
        (2, 2, 1000, 2000),
    ]
    with pytest.raises(services.PaymentInvalid):
        services.issue_bill(dossier=paying.dossier)
    services.cancel_bill(bill=bill)
    again = services.issue_bill(dossier=paying.dossier, copies=1, pages=1)
    assert again.total == 2000 and Bill.objects.filter(dossier=paying.dossier).count() == 2


def test_request_payment_tells_the_applicant_the_amount(paying):
    action = paying.dossier.actions.get(kind="request_payment")
    assert action.comment == "Số tiền phải nộp: 10.000 đồng."
    assert paying.dossier.state == 6
    assert paying.world.owner.notifications.filter(body__contains="Số tiền phải nộp: 10.000 đồng.").exists()


def test_request_payment_is_idempotent_by_key(paying):
    world = paying.world
    services.cancel_bill(bill=paying.bill)
    dossier = paying.dossier
    perform_action(dossier_code=dossier.code, actor=world.specialist, kind="confirm_payment")
    first = services.request_payment(
        dossier_code=dossier.code, officer=world.specialist, copies=1, pages=5, idempotency_key="yeu-cau-1"
    )
    again = services.request_payment(
        dossier_code=dossier.code, officer=world.specialist, copies=1, pages=5, idempotency_key="yeu-cau-1"
    )
    assert again.pk == first.pk and first.total == 7000
    assert dossier.actions.filter(kind="request_payment").count() == 2
