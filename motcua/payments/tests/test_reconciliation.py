"""Đối soát thanh toán: the daily report of an agency's payments per gateway, its mismatches, its Excel file,
and who may open it. Payments are made through the real services (start_payment, then a signed notification
from the sandbox or VNPay); only the mismatches that the services never produce are written by hand."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.accounts.models import User, UserKind
from motcua.dossiers.models import ActionKind
from motcua.dossiers.services import perform_action, submit_dossier
from motcua.payments import reconciliation as rec
from motcua.payments import services
from motcua.payments.gateways import get_gateway
from motcua.payments.gateways.base import gmt7_stamp
from motcua.payments.models import Bill, BillStatus, Payment, PaymentStatus
from motcua.payments.tests.conftest import dossier_waiting_for_payment, notification

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def moment(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=VN)


def start(bill: Bill, gateway: str, at: dt.datetime) -> Payment:
    payment, _url = services.start_payment(bill=bill, gateway_code=gateway, client_ip="203.113.1.25", now=at)
    return payment


def sandbox_notify(payment: Payment, at: dt.datetime, *, paid: bool = True) -> str:
    """What the sandbox's pay page sends when the applicant pays (or cancels) at `at`, signed by the sandbox."""
    gateway = get_gateway("sandbox")
    request = {"sbx_TxnRef": payment.txn_ref, "sbx_Amount": str(payment.amount)}
    params = gateway.sign({**gateway.notification_for(request, paid=paid), "sbx_PayDate": gmt7_stamp(at)})
    return services.handle_notification(gateway="sandbox", params=params, now=at).code


def vnpay_notify(payment: Payment, at: dt.datetime, *, paid: bool = True, forged: bool = False, **overrides) -> str:
    """VNPay's IPN at `at`, signed with the merchant's secret; `forged` changes the amount after signing."""
    params = notification(payment, paid=paid, vnp_PayDate=gmt7_stamp(at), **overrides)
    if forged:
        params["vnp_Amount"] = "100"
    return services.handle_notification(gateway="vnpay", params=params, now=at).code


def new_bill(world, version) -> Bill:
    _dossier, bill = dossier_waiting_for_payment(world, version)
    return bill


@pytest.fixture
def day() -> dt.date:
    """A day safely in the past (a report cannot be asked for a day still to come)."""
    return timezone.localdate() - dt.timedelta(days=3)


@pytest.fixture
def other_agency_bill(paying) -> Bill:
    """A dossier of the other agency (the Department of Justice) waiting for the same fees."""
    world = paying.world
    paying.version.procedure.agencies.add(world.other_agency)
    files = {r.pk: [world.upload()] for r in paying.version.components.all() if r.required}
    dossier = submit_dossier(
        applicant=world.owner, version=paying.version, agency=world.other_agency, form_data=world.form, files=files,
        now=timezone.now(),
    )  # fmt: skip
    perform_action(dossier_code=dossier.code, actor=world.other_officer, kind=ActionKind.RECEIVE)
    perform_action(
        dossier_code=dossier.code, actor=world.other_officer, kind=ActionKind.HAND_OFF, assignee=world.other_officer
    )
    return services.request_payment(dossier_code=dossier.code, officer=world.other_officer, copies=2, pages=3)


@pytest.fixture
def busy_day(paying, day, other_agency_bill) -> dict[str, Payment]:
    """One day of the commune's payments, and some on either side of it and at the other agency.

    sandbox: a failure then a success for one bill; one still pending (and a forged notification naming it);
    one started the evening before and paid after midnight; one started late that evening, paid the next day.
    VNPay: a notification with a wrong amount, then the real one, then a refund of 4.000 đồng.
    """
    world, version = paying.world, paying.version
    before, after = day - dt.timedelta(days=1), day + dt.timedelta(days=1)
    made: dict[str, Payment] = {}

    made["failed"] = start(paying.bill, "sandbox", moment(day, 8))
    assert sandbox_notify(made["failed"], moment(day, 8, 2), paid=False) == "00"
    made["paid"] = start(paying.bill, "sandbox", moment(day, 8, 10))
    assert sandbox_notify(made["paid"], moment(day, 8, 11)) == "00"

    made["refunded"] = start(new_bill(world, version), "vnpay", moment(day, 9))
    assert vnpay_notify(made["refunded"], moment(day, 9, 30), forged=True) == "97"
    assert vnpay_notify(made["refunded"], moment(day, 9, 31), vnp_Amount=str(12000 * 100)) == "04"
    assert vnpay_notify(made["refunded"], moment(day, 9, 35)) == "00"
    services.refund_payment(
        payment=made["refunded"], amount=4000, officer=world.leader, reason="Thu thừa", now=moment(day, 15)
    )

    made["pending"] = start(new_bill(world, version), "sandbox", moment(day, 10))

    made["overnight"] = start(new_bill(world, version), "sandbox", moment(before, 23, 50))
    assert sandbox_notify(made["overnight"], moment(day, 0, 10)) == "00"
    made["yesterday"] = start(new_bill(world, version), "sandbox", moment(before, 10))
    assert sandbox_notify(made["yesterday"], moment(before, 10, 5)) == "00"
    made["late"] = start(new_bill(world, version), "sandbox", moment(day, 23, 55))
    assert sandbox_notify(made["late"], moment(after, 0, 5)) == "00"

    made["elsewhere"] = start(other_agency_bill, "vnpay", moment(day, 11))
    assert vnpay_notify(made["elsewhere"], moment(day, 11, 1), vnp_Amount="100") == "04"
    assert vnpay_notify(made["elsewhere"], moment(day, 11, 5)) == "00"
    for payment in made.values():
        payment.refresh_from_db()
    assert made["refunded"].status == PaymentStatus.REFUNDED and made["pending"].status == PaymentStatus.PENDING
    return made


def by_code(report: rec.DailyReport) -> dict[str, rec.GatewaySummary]:
    return {summary.code: summary for summary in report.summaries}


def figures(summary: rec.GatewaySummary) -> dict[str, tuple[int, int]]:
    return {
        name: (getattr(summary, name).count, getattr(summary, name).amount)
        for name in ("paid", "pending", "failed", "refunded", "collected")
    }


# ----- the report -----------------------------------------------------------------------------------------------


def test_the_days_figures_per_gateway(paying, day, busy_day):
    report = rec.daily_report(agency=paying.world.agency, day=day)

    # Created or paid this day, in the order created; not the day before's, nor the other agency's.
    assert [row.txn_ref for row in report.rows] == [
        busy_day[name].txn_ref for name in ("overnight", "failed", "paid", "refunded", "pending", "late")
    ]

    gateways = by_code(report)
    assert list(gateways) == ["sandbox", "vnpay"]
    sandbox, vnpay = gateways["sandbox"], gateways["vnpay"]
    assert sandbox.name == "Cổng thanh toán thử nghiệm" and vnpay.name == "VNPay"
    assert figures(sandbox) == {
        "paid": (3, 30000),  # paid, overnight, late (paid the next day, still one of this day's transactions)
        "pending": (1, 10000),
        "failed": (1, 10000),
        "refunded": (0, 0),
        "collected": (2, 20000),  # the money taken this day: paid and overnight
    }
    assert figures(vnpay) == {
        "paid": (0, 0),
        "pending": (0, 0),
        "failed": (0, 0),
        "refunded": (1, 10000),
        "collected": (1, 10000),
    }
    assert (sandbox.refunded_amount, vnpay.refunded_amount) == (0, 4000)
    assert figures(report.total) == {
        "paid": (3, 30000),
        "pending": (1, 10000),
        "failed": (1, 10000),
        "refunded": (1, 10000),
        "collected": (3, 30000),
    }
    assert report.total.refunded_amount == 4000

    # The rejected notifications naming this agency's payment are mismatches; the other agency's are not.
    assert [(m.kind, m.gateway, m.txn_ref) for m in report.mismatches] == [
        (rec.REJECTED_SIGNATURE, "vnpay", busy_day["refunded"].txn_ref),
        (rec.REJECTED_AMOUNT, "vnpay", busy_day["refunded"].txn_ref),
    ]
    assert report.mismatches[0].dossier_code == busy_day["refunded"].bill.dossier.code
    assert [m.detail for m in report.mismatches] == [
        "Chữ ký không khớp với khóa của cổng; thông báo không được áp dụng.",
        "Cổng báo 12.000 đồng, giao dịch 10.000 đồng; thông báo không được áp dụng.",
    ]
    assert (sandbox.mismatches, vnpay.mismatches, report.total.mismatches) == (0, 2, 2)
    assert all(not row.problems for row in report.rows)

    late = next(row for row in report.rows if row.txn_ref == busy_day["late"].txn_ref)
    assert late.status == PaymentStatus.PAID and late.paid_at == moment(day + dt.timedelta(days=1), 0, 5)


def test_one_gateway_only(paying, day, busy_day):
    report = rec.daily_report(agency=paying.world.agency, day=day, gateway="vnpay")
    assert [summary.code for summary in report.summaries] == ["vnpay"]
    assert [row.txn_ref for row in report.rows] == [busy_day["refunded"].txn_ref]
    assert figures(report.total)["refunded"] == (1, 10000) and len(report.mismatches) == 2


def test_the_day_before_holds_what_was_started_or_paid_then(paying, day, busy_day):
    report = rec.daily_report(agency=paying.world.agency, day=day - dt.timedelta(days=1))
    assert [row.txn_ref for row in report.rows] == [busy_day["yesterday"].txn_ref, busy_day["overnight"].txn_ref]
    sandbox = by_code(report)["sandbox"]
    assert (sandbox.paid.count, sandbox.collected.count, sandbox.collected.amount) == (2, 1, 10000)
    assert report.mismatches == []


def test_mismatches_are_found(paying, day):
    world, version = paying.world, paying.version

    # Paid twice: two attempts started for one bill, both paid at the gateway (the second one is kept, flagged).
    twice = [start(paying.bill, "sandbox", moment(day, 8)), start(paying.bill, "sandbox", moment(day, 8, 1))]
    assert [sandbox_notify(p, moment(day, 8, 5 + i)) for i, p in enumerate(twice)] == ["00", "00"]

    # Paid for a bill that the agency cancelled while the applicant was at the gateway.
    bill = new_bill(world, version)
    late = start(bill, "vnpay", moment(day, 9))
    services.cancel_bill(bill=bill, now=moment(day, 9, 1))
    assert vnpay_notify(late, moment(day, 9, 2)) == "00"

    # Written by hand, since no service does this: a bill whose total changed after it was paid, and a bill
    # marked paid without any successful payment (one failed VNPay attempt, and one with no attempt at all).
    changed_bill = new_bill(world, version)
    changed = start(changed_bill, "sandbox", moment(day, 10))
    assert sandbox_notify(changed, moment(day, 10, 1)) == "00"
    Bill.objects.filter(pk=changed_bill.pk).update(total=12000)
    failed_bill = new_bill(world, version)
    assert vnpay_notify(start(failed_bill, "vnpay", moment(day, 11)), moment(day, 11, 1), paid=False) == "00"
    Bill.objects.filter(pk=failed_bill.pk).update(status=BillStatus.PAID, paid_at=moment(day, 11, 30))
    bare_bill = new_bill(world, version)
    Bill.objects.filter(pk=bare_bill.pk).update(status=BillStatus.PAID, paid_at=moment(day, 12))

    report = rec.daily_report(agency=world.agency, day=day)
    found = {(m.kind, m.txn_ref or m.dossier_code) for m in report.mismatches}
    assert found == {
        (rec.SEVERAL_PAID, twice[0].txn_ref),  # once for the bill, not once per payment
        (rec.NOT_PAID_BILL, late.txn_ref),
        (rec.AMOUNT_DIFFERS, changed.txn_ref),
        (rec.BILL_WITHOUT_PAYMENT, failed_bill.dossier.code),
        (rec.BILL_WITHOUT_PAYMENT, bare_bill.dossier.code),
    }, report.mismatches
    several = next(m for m in report.mismatches if m.kind == rec.SEVERAL_PAID)
    assert "2 giao dịch đã thanh toán" in several.detail
    assert next(m for m in report.mismatches if m.kind == rec.AMOUNT_DIFFERS).detail == (
        "Giao dịch 10.000 đồng, thông báo phí 12.000 đồng."
    )
    flagged = {row.txn_ref: row.problems for row in report.rows if row.problems}
    assert flagged == {
        twice[0].txn_ref: [rec.SEVERAL_PAID],
        twice[1].txn_ref: [rec.SEVERAL_PAID],
        late.txn_ref: [rec.NOT_PAID_BILL],
        changed.txn_ref: [rec.AMOUNT_DIFFERS],
    }
    gateways = by_code(report)
    # sandbox: paid twice + amount; VNPay: cancelled bill + the bill with only a failed VNPay attempt; the bill
    # with no attempt at all belongs to no gateway and counts in the total only.
    assert (gateways["sandbox"].mismatches, gateways["vnpay"].mismatches, report.total.mismatches) == (2, 2, 5)

    # A refund of the extra payment settles it: no longer a mismatch.
    services.refund_payment(payment=twice[1], amount=10000, officer=world.leader, reason="Thu hai lần")
    again = rec.daily_report(agency=world.agency, day=day)
    assert rec.SEVERAL_PAID not in {m.kind for m in again.mismatches}


def test_the_report_costs_three_queries_whatever_the_number_of_payments(paying, day):
    world, version = paying.world, paying.version
    first = start(paying.bill, "sandbox", moment(day, 8))
    assert sandbox_notify(first, moment(day, 8, 1)) == "00"
    with CaptureQueriesContext(connection) as few:
        small = rec.daily_report(agency=world.agency, day=day)
    made = {}
    for hour in range(9, 15):
        gateway = "vnpay" if hour % 2 else "sandbox"
        made[hour] = start(new_bill(world, version), gateway, moment(day, hour))
        if hour % 3:  # 9 and 12 stay pending
            notify = vnpay_notify if gateway == "vnpay" else sandbox_notify
            assert notify(made[hour], moment(day, hour, 5)) == "00"
    assert vnpay_notify(made[9], moment(day, 15), vnp_Amount="100") == "04"
    with CaptureQueriesContext(connection) as many:
        large = rec.daily_report(agency=world.agency, day=day)
    assert (len(small.rows), len(large.rows)) == (1, 7) and len(large.mismatches) == 1
    assert len(few) == len(many) == 3, [q["sql"] for q in many.captured_queries]
    # Everything the page and the Excel file read was loaded: rendering them costs nothing more.
    with CaptureQueriesContext(connection) as rendering:
        rec.workbook(large)
        [(row.dossier_code, row.applicant_name, row.bill_total, row.problem_labels) for row in large.rows]
    assert len(rendering) == 0


# ----- the page and the Excel file --------------------------------------------------------------------------------


@pytest.fixture
def operator(db) -> User:
    return User.objects.create_user(username="vanhanh", password="mat-khau-an-toan-2026", kind=UserKind.OPERATOR)


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def page_url(day: dt.date, **extra) -> str:
    query = "&".join(f"{key}={value}" for key, value in {"day": day.isoformat(), **extra}.items())
    return f"/payments/reconciliation/H17.20.194/?{query}"


def test_the_page_shows_the_figures_in_accessible_tables(paying, day, busy_day):
    response = client_for(paying.world.reception).get(page_url(day))
    html = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "<h1>Đối soát thanh toán</h1>" in html and "Ủy ban nhân dân Phường Hải Châu" in html
    assert html.count("<caption") == 3 and 'scope="colgroup"' in html
    assert '<th scope="row">Cổng thanh toán thử nghiệm</th>' in html and '<th scope="row">VNPay</th>' in html
    assert "<td>3</td><td>30.000</td>" in html  # sandbox: paid
    assert "<td>1</td><td>10.000</td><td>4.000</td>" in html  # VNPay: refunded
    assert "Thông báo từ cổng bị từ chối vì sai số tiền" in html
    assert f'href="/payments/receipts/{busy_day["paid"].txn_ref}.pdf"' in html
    assert f'href="/payments/receipts/{busy_day["pending"].txn_ref}.pdf"' not in html
    assert f'href="/payments/reconciliation/H17.20.194.xlsx?day={day.isoformat()}"' in html


def test_the_excel_file(paying, day, busy_day):
    from openpyxl import load_workbook

    response = client_for(paying.world.leader).get(f"/payments/reconciliation/H17.20.194.xlsx?day={day.isoformat()}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == f'attachment; filename="doi-soat-H17.20.194-{day:%Y%m%d}.xlsx"'

    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Tổng hợp", "Giao dịch", "Sai lệch"]
    summary = book["Tổng hợp"]
    assert summary["B2"].value == "Ủy ban nhân dân Phường Hải Châu (H17.20.194)"
    assert summary["B3"].is_date and summary["B3"].value == dt.datetime.combine(day, dt.time.min)
    lines = {row[0]: row for row in summary.iter_rows(min_row=8, values_only=True) if row[0]}
    assert lines["Cổng thanh toán thử nghiệm"] == (
        "Cổng thanh toán thử nghiệm",
        "sandbox",
        3,
        30000,
        1,
        10000,
        1,
        10000,
        0,
        0,
        0,
        2,
        20000,
        0,
    )
    assert lines["VNPay"] == ("VNPay", "vnpay", 0, 0, 0, 0, 0, 0, 1, 10000, 4000, 1, 10000, 2)
    assert lines["Tổng cộng"] == ("Tổng cộng", None, 3, 30000, 1, 10000, 1, 10000, 1, 10000, 4000, 3, 30000, 2)

    transactions = book["Giao dịch"]
    header, *rows = list(transactions.iter_rows(values_only=True))
    assert header[:5] == ("Mã giao dịch", "Cổng thanh toán", "Mã hồ sơ", "Chủ hồ sơ", "Số tiền (đồng)")
    assert len(rows) == 6
    paid = next(row for row in rows if row[0] == busy_day["paid"].txn_ref)
    assert paid[4] == 10000 and isinstance(paid[4], int) and paid[7] == "Đã thanh toán"
    assert paid[8] == dt.datetime.combine(day, dt.time(8, 10)) and paid[9] == dt.datetime.combine(day, dt.time(8, 11))
    assert transactions.cell(row=2, column=9).is_date and transactions.cell(row=2, column=5).number_format == "#,##0"
    refunded = next(row for row in rows if row[0] == busy_day["refunded"].txn_ref)
    assert refunded[11] == 4000 and refunded[7] == "Đã hoàn tiền"
    problems = list(book["Sai lệch"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in problems] == [
        "Thông báo từ cổng bị từ chối vì sai chữ ký",
        "Thông báo từ cổng bị từ chối vì sai số tiền",
    ]


@pytest.mark.parametrize(
    "who, status",
    [
        ("reception", 200),
        ("leader", 200),
        ("operator", 200),
        ("specialist", 404),
        ("other_officer", 404),  # an officer of another agency, with every role there
        ("owner", 404),
    ],
)
def test_who_may_open_the_report(paying, day, operator, who, status):
    user = operator if who == "operator" else getattr(paying.world, who)
    client = client_for(user)
    assert client.get(page_url(day)).status_code == status
    assert client.get(f"/payments/reconciliation/H17.20.194.xlsx?day={day.isoformat()}").status_code == status


def test_anonymous_visitors_log_in_as_officers_and_unknown_agencies_are_not_found(paying, day):
    response = client_for(None).get(page_url(day))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/officer/?next=")
    assert client_for(None).get("/payments/reconciliation/H17.20.194.xlsx").status_code == 302
    assert client_for(paying.world.reception).get("/payments/reconciliation/H99.99/").status_code == 404


def test_without_a_day_the_report_is_todays(paying):
    response = client_for(paying.world.reception).get("/payments/reconciliation/H17.20.194/")
    assert response.status_code == 200
    assert f'value="{timezone.localdate().isoformat()}"' in response.content.decode()


@pytest.mark.parametrize("bad", ["2026-13-01", "23/11/2026", "hôm qua", "1999-12-31"])
def test_a_bad_day_is_a_400_that_keeps_the_form(paying, bad):
    response = client_for(paying.world.reception).get(f"/payments/reconciliation/H17.20.194/?day={bad}&gateway=vnpay")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Chưa lập được báo cáo: hãy sửa các mục được đánh dấu." in html and 'role="alert"' in html
    assert "Ngày không hợp lệ" in html
    assert f'value="{bad}"' in html
    assert '<option value="vnpay" selected>VNPay</option>' in html
    assert "<caption" not in html
    xlsx = client_for(paying.world.reception).get(f"/payments/reconciliation/H17.20.194.xlsx?day={bad}")
    assert xlsx.status_code == 400 and "Ngày không hợp lệ" in xlsx.content.decode()


def test_a_day_to_come_and_an_unknown_gateway_are_refused(paying):
    client = client_for(paying.world.reception)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.get(page_url(tomorrow))
    assert response.status_code == 400 and "Ngày đối soát không được sau ngày hôm nay." in response.content.decode()
    response = client.get(page_url(timezone.localdate(), gateway="momo"))
    assert response.status_code == 400 and "Cổng thanh toán không có trong hệ thống." in response.content.decode()


def test_the_back_office_links_the_report_for_leaders_and_the_desk(paying):
    link = 'href="/payments/reconciliation/H17.20.194/"'
    assert link in client_for(paying.world.reception).get("/backoffice/").content.decode()
    assert link in client_for(paying.world.leader).get("/backoffice/").content.decode()
    assert link not in client_for(paying.world.specialist).get("/backoffice/").content.decode()
    dossier_page = client_for(paying.world.leader).get(f"/backoffice/dossiers/{paying.dossier.code}/")
    assert link in dossier_page.content.decode()


# ----- in a browser -------------------------------------------------------------------------------------------------


@pytest.mark.browser
def test_the_report_and_the_dossiers_payments_in_a_browser(site, paying, day, busy_day, live_server, settings):
    """axe-core (WCAG 2.1 AA) and reflow at 375 and 1280 px on the report, its error page and the dossier page."""
    from django.conf import settings as django_settings
    from playwright.sync_api import expect

    client = client_for(paying.world.reception)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    site.page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": site.base_url}])
    page = site.page

    site.visit("/backoffice/", "worklist")
    site.click_and_wait(page.get_by_role("link", name="Đối soát thanh toán"), "report-today")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đối soát thanh toán")
    page.get_by_label("Ngày đối soát").fill(day.isoformat())
    site.click_and_wait(page.get_by_role("button", name="Xem báo cáo"), "report-busy-day")
    expect(page.locator("tbody tr").first).to_contain_text("Cổng thanh toán thử nghiệm")
    expect(page.get_by_role("table").nth(2)).to_contain_text(busy_day["refunded"].txn_ref)

    site.visit(f"/payments/reconciliation/H17.20.194/?day={day:%d/%m/%Y}", "report-bad-day", status=400)
    expect(page.get_by_role("alert")).to_contain_text("Ngày không hợp lệ")

    site.visit(f"/backoffice/dossiers/{busy_day['paid'].bill.dossier.code}/", "dossier-payments")
    expect(page.get_by_role("link", name=f"Biên lai {busy_day['paid'].txn_ref}")).to_be_visible()
