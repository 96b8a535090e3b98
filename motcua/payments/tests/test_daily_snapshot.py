"""Đối soát hằng ngày: at 06:00 each morning the day before is reconciled per agency and gateway, kept (figures
and Excel file), and the leaders and one-stop desk officers of an agency with mismatches are told, with a link.

On 23/11/2026 Phường Hải Châu takes one sandbox payment and one VNPay payment (after a forged notification
naming it); Sở Tư pháp takes one VNPay payment. Nothing happens on the 24th.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from openpyxl import load_workbook

from motcua.dossiers.models import ActionKind
from motcua.dossiers.services import perform_action, submit_dossier
from motcua.dossiers.tests.factories import at
from motcua.notify.models import Notification
from motcua.payments import services
from motcua.payments.models import ReconciliationSnapshot
from motcua.payments.tests.test_reconciliation import (  # noqa: F401 (other_agency_bill is a fixture)
    new_bill,
    other_agency_bill,
    sandbox_notify,
    start,
    vnpay_notify,
)

DAY = dt.date(2026, 11, 23)
SIX_IN_THE_MORNING = dt.datetime(2026, 11, 23, 23, 0, tzinfo=dt.UTC)  # 06:00 on the 24th in Việt Nam
TITLE = "Đối soát thanh toán ngày 23/11/2026: có sai lệch cần xử lý"


@pytest.fixture
def busy_day(paying, other_agency_bill):  # noqa: F811
    world = paying.world
    hoa = start(paying.bill, "sandbox", at(2026, 11, 23, 8, 10))
    assert sandbox_notify(hoa, at(2026, 11, 23, 8, 11)) == "00"
    second = start(new_bill(world, paying.version), "vnpay", at(2026, 11, 23, 9, 30))
    assert vnpay_notify(second, at(2026, 11, 23, 9, 31), forged=True) == "97"
    assert vnpay_notify(second, at(2026, 11, 23, 9, 35)) == "00"
    justice = start(other_agency_bill, "vnpay", at(2026, 11, 23, 11, 0))
    assert vnpay_notify(justice, at(2026, 11, 23, 11, 5)) == "00"
    return paying


def told(username: str) -> list[Notification]:
    return list(Notification.objects.filter(user__username=username, title__startswith="Đối soát thanh toán"))


def stored_files() -> list[str]:
    folder = "payments/reconciliation/2026/11"
    return sorted(default_storage.listdir(folder)[1]) if default_storage.exists(folder) else []


def test_each_agency_and_gateway_of_the_day_before_is_kept_with_its_figures_and_file(busy_day):
    made = services.snapshot_daily_reconciliation(now=SIX_IN_THE_MORNING)

    assert [(s.agency.identifier, s.day, s.gateway) for s in made] == [
        ("H17.01", DAY, "vnpay"),
        ("H17.20.194", DAY, "sandbox"),
        ("H17.20.194", DAY, "vnpay"),
    ]
    justice, sandbox, vnpay = made
    assert (sandbox.paid_count, sandbox.paid_amount, sandbox.collected_count, sandbox.collected_amount) == (
        1, 10000, 1, 10000,
    )  # fmt: skip
    assert (sandbox.pending_count, sandbox.failed_count, sandbox.refunded_count, sandbox.mismatch_count) == (0, 0, 0, 0)
    assert (vnpay.paid_count, vnpay.collected_amount, vnpay.mismatch_count) == (1, 10000, 1)
    assert (justice.paid_count, justice.mismatch_count) == (1, 0)
    assert stored_files() == [
        "doi-soat-H17.01-20261123-vnpay.xlsx",
        "doi-soat-H17.20.194-20261123-sandbox.xlsx",
        "doi-soat-H17.20.194-20261123-vnpay.xlsx",
    ]

    with vnpay.workbook.open("rb") as file:
        book = load_workbook(io.BytesIO(file.read()))
    assert book.sheetnames == ["Tổng hợp", "Giao dịch", "Sai lệch"]
    assert book["Tổng hợp"]["B2"].value == "Ủy ban nhân dân Phường Hải Châu (H17.20.194)"
    assert book["Tổng hợp"]["B4"].value == "VNPay"
    assert book["Sai lệch"]["A2"].value == "Thông báo từ cổng bị từ chối vì sai chữ ký"
    assert book["Sai lệch"].max_row == 2


def test_the_leaders_and_desk_of_an_agency_with_mismatches_are_told_once(busy_day):
    services.snapshot_daily_reconciliation(now=SIX_IN_THE_MORNING)

    for username in ("lanhdao", "tiepnhan", "he-thong-thanh-toan"):
        [notice] = told(username)
        assert notice.title == TITLE
        assert notice.link == "/payments/reconciliation/H17.20.194/?day=2026-11-23"
        assert notice.body == (
            "Số sai lệch tại VNPay: 1.\nXem chi tiết và xử lý trên trang đối soát của Ủy ban nhân dân Phường Hải Châu."
        )
    assert told("chuyenvien") == []  # a specialist does not answer for the day's money
    assert told("canbo_so") == []  # Sở Tư pháp's day has no mismatch
    assert ReconciliationSnapshot.objects.get(agency__identifier="H17.20.194", gateway="vnpay").notified_count == 3
    assert ReconciliationSnapshot.objects.get(agency__identifier="H17.20.194", gateway="sandbox").notified_count == 0


def test_a_second_run_the_same_morning_does_nothing(busy_day):
    services.snapshot_daily_reconciliation(now=SIX_IN_THE_MORNING)
    first = list(ReconciliationSnapshot.objects.values_list("pk", "workbook", "created_at"))

    assert services.snapshot_daily_reconciliation(now=SIX_IN_THE_MORNING + dt.timedelta(minutes=5)) == []
    assert list(ReconciliationSnapshot.objects.values_list("pk", "workbook", "created_at")) == first
    assert len(stored_files()) == 3 and len(told("lanhdao")) == 1


def test_a_late_payment_of_another_gateway_is_kept_on_a_run_again_without_repeating_the_rest(busy_day):
    services.snapshot_daily_reconciliation(now=SIX_IN_THE_MORNING)
    # An officer's late entry for the 23rd: a sandbox payment at Sở Tư pháp, recorded after the morning run.
    world = busy_day.world
    files = {r.pk: [world.upload()] for r in busy_day.version.components.all() if r.required}
    dossier = submit_dossier(
        applicant=world.owner, version=busy_day.version, agency=world.other_agency, form_data=world.form,
        files=files, now=at(2026, 11, 23, 14, 0),
    )  # fmt: skip
    perform_action(dossier_code=dossier.code, actor=world.other_officer, kind=ActionKind.RECEIVE)
    perform_action(
        dossier_code=dossier.code, actor=world.other_officer, kind=ActionKind.HAND_OFF, assignee=world.other_officer
    )
    bill = services.request_payment(dossier_code=dossier.code, officer=world.other_officer, copies=2, pages=3)
    payment = start(bill, "sandbox", at(2026, 11, 23, 14, 30))
    assert sandbox_notify(payment, at(2026, 11, 23, 14, 31)) == "00"

    [late] = services.snapshot_daily_reconciliation(day=DAY, now=SIX_IN_THE_MORNING + dt.timedelta(hours=3))
    assert (late.agency.identifier, late.gateway, late.paid_count) == ("H17.01", "sandbox", 1)
    assert ReconciliationSnapshot.objects.count() == 4 and len(told("lanhdao")) == 1


def test_a_quiet_day_keeps_nothing_and_tells_no_one(busy_day):
    assert services.snapshot_daily_reconciliation(now=SIX_IN_THE_MORNING + dt.timedelta(days=1)) == []
    assert not ReconciliationSnapshot.objects.exists() and told("lanhdao") == []


def test_the_page_lists_the_kept_reconciliations_and_serves_their_files(busy_day):
    world = busy_day.world
    services.snapshot_daily_reconciliation(now=SIX_IN_THE_MORNING)
    vnpay = ReconciliationSnapshot.objects.get(agency=world.agency, gateway="vnpay")
    justice = ReconciliationSnapshot.objects.get(agency=world.other_agency)
    leader = Client()
    leader.force_login(world.leader)

    page = leader.get("/payments/reconciliation/H17.20.194/?day=2026-11-26").content.decode()
    history = page[page.index('id="history-heading"') :]
    assert "Bản đối soát đã lưu" in page
    assert f'href="/payments/reconciliation/H17.20.194/snapshots/{vnpay.pk}.xlsx"' in history
    assert "Tải bản ngày 23/11/2026, VNPay" in history
    assert "Tải bản ngày 23/11/2026, Cổng thanh toán thử nghiệm" in history
    assert f"/snapshots/{justice.pk}.xlsx" not in history

    download = leader.get(f"/payments/reconciliation/H17.20.194/snapshots/{vnpay.pk}.xlsx")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="doi-soat-H17.20.194-20261123-vnpay.xlsx"' in download["Content-Disposition"]
    with vnpay.workbook.open("rb") as file:
        assert b"".join(download.streaming_content) == file.read()

    # Another agency's file is not found, whoever asks and by whichever address.
    assert leader.get(f"/payments/reconciliation/H17.20.194/snapshots/{justice.pk}.xlsx").status_code == 404
    assert leader.get(f"/payments/reconciliation/H17.01/snapshots/{justice.pk}.xlsx").status_code == 404
    specialist = Client()
    specialist.force_login(world.specialist)
    assert specialist.get(f"/payments/reconciliation/H17.20.194/snapshots/{vnpay.pk}.xlsx").status_code == 404
    anonymous = Client().get(f"/payments/reconciliation/H17.20.194/snapshots/{vnpay.pk}.xlsx")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/officer/")
