"""Fees due with the dossier (the procedure says "on submission"): the bill is issued as the dossier is filed,
no result is approved while it is unpaid, and a dossier that ends without a result owes nothing more."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.catalog.models import FeesDue
from motcua.dossiers import policy
from motcua.dossiers.models import ActionKind, Dossier, DossierState
from motcua.dossiers.services import perform_action, register_direct_dossier, submit_dossier
from motcua.dossiers.tests.factories import at
from motcua.payments import services
from motcua.payments.models import Bill, BillStatus
from motcua.payments.tests.conftest import notification


@pytest.fixture
def due_on_submission(world):
    world.version.fees_due = FeesDue.ON_SUBMISSION
    world.version.save(update_fields=["fees_due"])
    return world


def _file(world, key: str = "hs-1"):
    return submit_dossier(
        applicant=world.owner, version=world.version, agency=world.agency, form_data=world.form,
        files=world.required_files(), idempotency_key=key, now=at(2026, 11, 23, 8, 30),
    )  # fmt: skip


def _pay(bill: Bill, gateway: str = "vnpay") -> None:
    payment, _url = services.start_payment(bill=bill, gateway_code=gateway)
    outcome = services.handle_notification(gateway=gateway, params=notification(payment))
    assert outcome.code == "00", outcome.detail


def _to_leader(world, dossier) -> None:
    for actor, kind, extra in (
        (world.reception, ActionKind.RECEIVE, {}),
        (world.reception, ActionKind.HAND_OFF, {"assignee": world.specialist}),
        (world.specialist, ActionKind.HAND_OFF, {"assignee": world.leader}),
    ):
        perform_action(dossier_code=dossier.code, actor=actor, kind=kind, **extra)


def test_filing_issues_the_bill_in_the_same_transaction(due_on_submission):
    world = due_on_submission
    dossier = _file(world)
    again = _file(world)  # a retried submission: one dossier, one bill
    assert again.pk == dossier.pk
    [bill] = Bill.objects.filter(dossier=dossier)
    assert bill.status == BillStatus.OPEN and bill.total == 8000 and bill.created_at == dossier.submitted_at
    assert [(line.name, line.amount) for line in bill.lines.all()] == [
        ("Lệ phí đăng ký khai sinh đúng hạn", 0),  # exempt, still shown with its exemption
        ("Phí cấp bản sao trích lục khai sinh", 8000),
    ]
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED  # the desk may receive it while the fee is unpaid

    client = Client()
    client.force_login(world.owner)
    page = client.get(f"/dossiers/{dossier.code}/").content.decode()
    assert "Phí, lệ phí phải nộp" in page and "8.000 đồng" in page and f"/payments/bills/{bill.pk}/pay/" in page


def test_fees_due_on_request_bill_nothing_at_filing(world):
    assert world.version.fees_due == FeesDue.ON_REQUEST
    dossier = _file(world)
    assert not Bill.objects.filter(dossier=dossier).exists()


def test_a_failed_bill_fails_the_filing(due_on_submission, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("bill store down")

    monkeypatch.setattr(services, "_save_bill", broken)
    with pytest.raises(RuntimeError):
        _file(due_on_submission)
    assert not Dossier.objects.exists() and not Bill.objects.exists()


def test_a_desk_registration_is_billed_too(due_on_submission):
    world = due_on_submission
    dossier = register_direct_dossier(
        officer=world.reception, applicant=world.owner, version=world.version, agency=world.agency,
        form_data=world.form, files=world.required_files(),
    )  # fmt: skip
    assert Bill.objects.get(dossier=dossier).total == 8000


def test_no_approval_while_the_fee_is_unpaid(due_on_submission):
    world = due_on_submission
    dossier = _file(world)
    _to_leader(world, dossier)
    dossier.refresh_from_db()
    assert ActionKind.APPROVE not in policy.allowed_actions(world.leader, dossier)
    with pytest.raises(Exception) as refused:
        perform_action(dossier_code=dossier.code, actor=world.leader, kind=ActionKind.APPROVE)
    assert "Phê duyệt kết quả" in str(refused.value)

    leader = Client()
    leader.force_login(world.leader)
    warning = "Kết quả chỉ được phê duyệt sau khi thanh toán xong."
    assert warning in leader.get(f"/backoffice/dossiers/{dossier.code}/").content.decode()

    _pay(Bill.objects.get(dossier=dossier))
    assert warning not in leader.get(f"/backoffice/dossiers/{dossier.code}/").content.decode()
    owner = Client()
    owner.force_login(world.owner)
    page = owner.get(f"/dossiers/{dossier.code}/").content.decode()
    [payment] = Bill.objects.get(dossier=dossier).payments.all()
    assert "Biên lai điện tử" in page and f"/payments/receipts/{payment.txn_ref}.pdf" in page
    assert "Phí, lệ phí phải nộp" not in page
    dossier.refresh_from_db()
    assert dossier.state == DossierState.PROCESSING  # paying outside state 6 moves nothing
    assert ActionKind.APPROVE in policy.allowed_actions(world.leader, dossier)
    perform_action(dossier_code=dossier.code, actor=world.leader, kind=ActionKind.APPROVE)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.RESULT_READY


@pytest.mark.parametrize("ending", ["withdraw", "refuse"])
def test_a_dossier_ending_without_result_cancels_its_open_bill(due_on_submission, ending):
    world = due_on_submission
    dossier = _file(world)
    bill = Bill.objects.get(dossier=dossier)
    if ending == "withdraw":
        perform_action(dossier_code=dossier.code, actor=world.owner, kind=ActionKind.WITHDRAW)
    else:
        perform_action(
            dossier_code=dossier.code, actor=world.reception, kind=ActionKind.REFUSE, comment="Sai thẩm quyền."
        )
    bill.refresh_from_db()
    assert bill.status == BillStatus.CANCELLED and bill.cancelled_at is not None
    with pytest.raises(services.PaymentInvalid):
        services.start_payment(bill=bill, gateway_code="sandbox")


def test_a_paid_bill_stays_paid_when_the_dossier_is_withdrawn(due_on_submission):
    world = due_on_submission
    dossier = _file(world)
    bill = Bill.objects.get(dossier=dossier)
    _pay(bill)
    perform_action(dossier_code=dossier.code, actor=world.owner, kind=ActionKind.WITHDRAW)
    bill.refresh_from_db()
    assert bill.status == BillStatus.PAID
