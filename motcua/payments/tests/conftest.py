"""Payments test world: the dossiers' small world plus certified copies (a procedure with a stepped, capped
per-page fee), a dossier waiting for payment (state 6) with its open bill, the payment system officer, and
VNPay configured with a test merchant code and hash secret."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import quote_plus

import pytest
from django.utils import timezone

from motcua.accounts.models import User
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.tests.factories import publish_procedure
from motcua.dossiers.models import ActionKind, Dossier
from motcua.dossiers.services import perform_action, submit_dossier
from motcua.dossiers.tests.factories import World, build_world, make_officer
from motcua.payments import services
from motcua.payments.models import Bill, Payment

TMN_CODE = "MOTCUA01"
HASH_SECRET = "TESTHASHSECRET0123456789ABCDEFGH"
SYSTEM_USERNAME = "he-thong-thanh-toan"


def hmac512(data: str, secret: str = HASH_SECRET) -> str:
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def vnpay_sign(params: dict[str, str], secret: str = HASH_SECRET) -> str:
    """The published rule, written out again: vnp_* minus the hash, non-empty, sorted, quote_plus, joined by &."""
    data = "&".join(
        f"{key}={quote_plus(value)}"
        for key, value in sorted(params.items())
        if key.startswith("vnp_") and key not in ("vnp_SecureHash", "vnp_SecureHashType") and value != ""
    )
    return hmac512(data, secret)


def notification(payment: Payment, *, amount: int | None = None, paid: bool = True, **overrides) -> dict[str, str]:
    """What VNPay sends for this payment, signed with the merchant's hash secret."""
    params = {
        "vnp_Amount": str((payment.amount if amount is None else amount) * 100),
        "vnp_BankCode": "NCB",
        "vnp_BankTranNo": "VNP14226112" if paid else "",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": f"Nop phi le phi ho so ma GD {payment.txn_ref}",
        "vnp_PayDate": "20261123093512",
        "vnp_ResponseCode": "00" if paid else "24",
        "vnp_TmnCode": TMN_CODE,
        "vnp_TransactionNo": "14226112" if paid else "0",
        "vnp_TransactionStatus": "00" if paid else "02",
        "vnp_TxnRef": payment.txn_ref,
    }
    params.update(overrides)
    params["vnp_SecureHash"] = vnpay_sign(params)
    return params


CERTIFIED_COPY_FEES = [
    {
        "kind": "fee",
        "name": "Lệ phí chứng thực bản sao từ bản chính (trang thứ nhất và thứ hai)",
        "amount": 2000,
        "unit": "page",
        "max_amount": 4000,
        "legal_basis": "Thông tư số 226/2016/TT-BTC",
    },
    {
        "kind": "fee",
        "name": "Lệ phí chứng thực bản sao từ bản chính (từ trang thứ ba)",
        "amount": 1000,
        "unit": "page",
        "free_units": 2,
        "max_amount": 196000,
        "legal_basis": "Thông tư số 226/2016/TT-BTC",
    },
]

BUSINESS_FEES = [
    {
        "kind": "fee",
        "name": "Lệ phí đăng ký doanh nghiệp",
        "amount": 50000,
        "online_amount": 0,
        "applicant_category": "organisation",
        "legal_basis": "Thông tư số 47/2019/TT-BTC",
    },
    {
        "kind": "charge",
        "name": "Phí công bố nội dung đăng ký doanh nghiệp",
        "amount": 100000,
        "applicant_category": "organisation",
        "legal_basis": "Thông tư số 47/2019/TT-BTC",
    },
    {
        "kind": "fee",
        "name": "Lệ phí đăng ký hộ kinh doanh",
        "amount": 100000,
        "applicant_category": "citizen",
        "exemptions": ["Hộ gia đình thuộc diện hộ nghèo", "Người có công với cách mạng"],
        "legal_basis": "Nghị quyết của Hội đồng nhân dân thành phố",
    },
    {
        "kind": "charge",
        "name": "Phí cung cấp bản sao Giấy chứng nhận",
        "amount": 20000,
        "unit": "copy",
        "free_units": 1,
        "max_amount": 60000,
    },
]


def certified_copy_version() -> ProcedureVersion:
    return publish_procedure(
        code="2.000815",
        name="Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp",
        fees=CERTIFIED_COPY_FEES,
        legal_basis=["Nghị định số 23/2015/NĐ-CP"],
    )


def business_version() -> ProcedureVersion:
    return publish_procedure(code="2.000575", name="Đăng ký thành lập doanh nghiệp (thử nghiệm)", fees=BUSINESS_FEES)


@dataclass
class PayWorld:
    world: World
    version: ProcedureVersion
    system: User
    dossier: Dossier
    bill: Bill

    def refresh(self) -> None:
        self.dossier.refresh_from_db()
        self.bill.refresh_from_db()


def dossier_waiting_for_payment(world: World, version: ProcedureVersion, *, copies: int = 2, pages: int = 3):
    """Filed online, received, handed to the specialist, who asks for the fees: state 6 with an open bill."""
    files = {requirement.pk: [world.upload()] for requirement in version.components.all() if requirement.required}
    dossier = submit_dossier(
        applicant=world.owner, version=version, agency=world.agency, form_data=world.form, files=files,
        now=timezone.now(),
    )  # fmt: skip
    perform_action(dossier_code=dossier.code, actor=world.reception, kind=ActionKind.RECEIVE)
    perform_action(
        dossier_code=dossier.code, actor=world.reception, kind=ActionKind.HAND_OFF, assignee=world.specialist
    )
    bill = services.request_payment(dossier_code=dossier.code, officer=world.specialist, copies=copies, pages=pages)
    dossier.refresh_from_db()
    return dossier, bill


class NoNetwork(AssertionError):
    pass


@pytest.fixture(autouse=True)
def vnpay_api(monkeypatch):
    """VNPay's merchant API, never reached from tests: it approves every refund, with a signed answer."""
    from motcua.payments.gateways import vnpay

    calls = []

    def fake(url: str, body: dict, timeout: float) -> dict:
        calls.append(body)
        if body.get("vnp_Command") != "refund":
            raise NoNetwork(f"unexpected VNPay API call {body.get('vnp_Command')}")
        answer = {
            "vnp_ResponseId": "test", "vnp_Command": "refund", "vnp_ResponseCode": "00", "vnp_Message": "Success",
            "vnp_TmnCode": body["vnp_TmnCode"], "vnp_TxnRef": body["vnp_TxnRef"], "vnp_Amount": body["vnp_Amount"],
            "vnp_TransactionNo": "88880001", "vnp_TransactionType": body["vnp_TransactionType"],
        }  # fmt: skip
        answer["vnp_SecureHash"] = hmac512("|".join(answer.get(name, "") for name in vnpay.REFUND_RESPONSE_FIELDS))
        return answer

    monkeypatch.setattr(vnpay, "post_json", fake)
    return calls


@pytest.fixture
def vnpay_settings(settings):
    settings.VNPAY_TMN_CODE = TMN_CODE
    settings.VNPAY_HASH_SECRET = HASH_SECRET
    settings.VNPAY_PAY_URL = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    settings.VNPAY_API_URL = "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction"
    settings.MOTCUA_PAYMENT_GATEWAYS = ["sandbox", "vnpay"]
    settings.MOTCUA_SANDBOX_GATEWAY_SECRET = "sandbox-secret-for-tests"
    settings.MOTCUA_SITE_URL = "http://127.0.0.1:8000"
    return settings


@pytest.fixture
def world(db, settings, tmp_path, vnpay_settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world()


@pytest.fixture
def paying(world) -> PayWorld:
    version = certified_copy_version()
    version.procedure.agencies.add(world.agency)
    system = make_officer(SYSTEM_USERNAME, world.agency, "reception")  # the officer who requests payment
    dossier, bill = dossier_waiting_for_payment(world, version)
    return PayWorld(world=world, version=version, system=system, dossier=dossier, bill=bill)
