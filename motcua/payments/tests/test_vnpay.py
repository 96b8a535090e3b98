"""The VNPay 2.1.0 protocol, checked against the published rule with hashes computed here independently."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, urlsplit

import pytest

from motcua.dossiers.tests.factories import VN, at
from motcua.payments.gateways import GatewayUnavailable, get_gateway
from motcua.payments.gateways.vnpay import VNPayGateway, ascii_text
from motcua.payments.models import Payment
from motcua.payments.tests.conftest import TMN_CODE, hmac512, vnpay_sign


@pytest.fixture
def gateway(vnpay_settings) -> VNPayGateway:
    return get_gateway("vnpay")


def payment(**kwargs) -> Payment:
    values = {"txn_ref": "261123093000ABCD1234", "amount": 12000, "created_at": at(2026, 11, 23, 9, 30)}
    return Payment(gateway="vnpay", **{**values, **kwargs})


def test_pay_url_is_sorted_quote_plus_encoded_and_signed_with_hmac_sha512(gateway):
    url = gateway.start_payment(
        payment(), return_url="https://dichvucong.example.vn/payments/vnpay/return/", client_ip="203.113.1.25"
    )
    expected_query = (
        "vnp_Amount=1200000"
        "&vnp_Command=pay"
        "&vnp_CreateDate=20261123093000"
        "&vnp_CurrCode=VND"
        "&vnp_ExpireDate=20261123094500"
        "&vnp_IpAddr=203.113.1.25"
        "&vnp_Locale=vn"
        "&vnp_OrderInfo=Nop+phi+le+phi+ho+so+ma+GD+261123093000ABCD1234"
        "&vnp_OrderType=other"
        "&vnp_ReturnUrl=https%3A%2F%2Fdichvucong.example.vn%2Fpayments%2Fvnpay%2Freturn%2F"
        f"&vnp_TmnCode={TMN_CODE}"
        "&vnp_TxnRef=261123093000ABCD1234"
        "&vnp_Version=2.1.0"
    )
    expected_hash = hmac512(expected_query)
    assert url == f"https://sandbox.vnpayment.vn/paymentv2/vpcpay.html?{expected_query}&vnp_SecureHash={expected_hash}"
    assert len(expected_hash) == 128


def test_pay_params_follow_the_protocol(gateway):
    # 9:30 in Hà Nội is 2:30 UTC: the dates are written in GMT+7 whatever the moment's own zone.
    utc = dt.datetime(2026, 11, 23, 2, 30, tzinfo=dt.UTC)
    params = dict(
        parse_qsl(
            urlsplit(
                gateway.start_payment(payment(created_at=utc), return_url="http://x/", client_ip="", locale="en")
            ).query
        )
    )
    assert params["vnp_CreateDate"] == "20261123093000" and params["vnp_ExpireDate"] == "20261123094500"
    assert params["vnp_Amount"] == "1200000" and params["vnp_CurrCode"] == "VND"
    assert params["vnp_Locale"] == "en" and params["vnp_IpAddr"] == "127.0.0.1"
    assert list(params)[:-1] == sorted(list(params)[:-1]) and list(params)[-1] == "vnp_SecureHash"
    assert params["vnp_SecureHash"] == vnpay_sign(params)


def test_order_info_is_plain_ascii():
    assert ascii_text("Nộp phí, lệ phí hồ sơ Đăng ký #1 (bản sao) ~ *") == "Nop phi le phi ho so Dang ky 1 ban sao"


def ipn_params(**overrides) -> dict[str, str]:
    params = {
        "vnp_Amount": "1200000",
        "vnp_BankCode": "NCB",
        "vnp_BankTranNo": "VNP14226112",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": "Nop phi le phi ho so ma GD 261123093000ABCD1234",
        "vnp_PayDate": "20261123093512",
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": TMN_CODE,
        "vnp_TransactionNo": "14226112",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": "261123093000ABCD1234",
        "vnp_SecureHashType": "HmacSHA512",
        "vnp_PromotionCode": "",
    }
    params.update(overrides)
    params["vnp_SecureHash"] = vnpay_sign(params)
    return params


def test_notification_signed_by_the_rule_is_valid_and_read(gateway):
    note = gateway.parse_notification(ipn_params())
    assert note.signature_valid and note.success
    assert (note.txn_ref, note.amount, note.gateway_txn_no) == ("261123093000ABCD1234", 12000, "14226112")
    assert note.paid_at == dt.datetime(2026, 11, 23, 9, 35, 12, tzinfo=VN)


def test_an_upper_case_hash_is_accepted(gateway):
    params = ipn_params()
    params["vnp_SecureHash"] = params["vnp_SecureHash"].upper()
    assert gateway.parse_notification(params).signature_valid


@pytest.mark.parametrize(
    "tamper",
    [
        {"vnp_Amount": "120000000"},
        {"vnp_ResponseCode": "24"},
        {"vnp_TxnRef": "261123093000ABCD9999"},
        {"vnp_SecureHash": ""},
        {"vnp_Extra": "1"},
    ],
)
def test_any_change_after_signing_breaks_the_signature(gateway, tamper):
    params = ipn_params()
    params.update(tamper)
    assert not gateway.parse_notification(params).signature_valid


def test_another_merchants_notification_is_not_ours(gateway):
    assert not gateway.parse_notification(ipn_params(vnp_TmnCode="OTHER001")).signature_valid


@pytest.mark.parametrize(
    ("overrides", "success", "amount"),
    [
        ({"vnp_ResponseCode": "24", "vnp_TransactionStatus": "02"}, False, 12000),
        ({"vnp_TransactionStatus": "01"}, False, 12000),
        ({"vnp_Amount": "1200050"}, True, None),
        ({"vnp_Amount": "abc"}, True, None),
    ],
)
def test_results_and_odd_amounts(gateway, overrides, success, amount):
    note = gateway.parse_notification(ipn_params(**overrides))
    assert note.signature_valid and note.success is success and note.amount == amount


def test_vnpay_is_unavailable_without_credentials(settings):
    settings.MOTCUA_PAYMENT_GATEWAYS = ["vnpay"]
    settings.VNPAY_TMN_CODE = ""
    with pytest.raises(GatewayUnavailable):
        get_gateway("vnpay")
    settings.MOTCUA_PAYMENT_GATEWAYS = []
    with pytest.raises(GatewayUnavailable):
        get_gateway("vnpay")


class FakeApi:
    """VNPay's merchant API, answering with a correctly signed JSON body."""

    def __init__(self, answer: dict, fields: tuple[str, ...], *, sign: bool = True):
        self.answer, self.fields, self.sign, self.calls = answer, fields, sign, []

    def __call__(self, url: str, body: dict, timeout: float) -> dict:
        self.calls.append((url, body))
        answer = dict(self.answer)
        answer["vnp_SecureHash"] = hmac512("|".join(answer.get(name, "") for name in self.fields)) if self.sign else "x"
        return answer


QUERY_ANSWER_FIELDS = (
    "vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode", "vnp_TxnRef", "vnp_Amount",
    "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo", "vnp_TransactionType", "vnp_TransactionStatus",
    "vnp_OrderInfo", "vnp_PromotionCode", "vnp_PromotionAmount",
)  # fmt: skip


def test_querydr_signs_the_documented_fields_in_order_and_reads_the_answer(vnpay_settings):
    answer = {
        "vnp_ResponseId": "r1", "vnp_Command": "querydr", "vnp_ResponseCode": "00", "vnp_Message": "QueryDR Success",
        "vnp_TmnCode": TMN_CODE, "vnp_TxnRef": "261123093000ABCD1234", "vnp_Amount": "1200000", "vnp_BankCode": "NCB",
        "vnp_PayDate": "20261123093512", "vnp_TransactionNo": "14226112", "vnp_TransactionType": "01",
        "vnp_TransactionStatus": "00", "vnp_OrderInfo": "x",
    }  # fmt: skip
    api = FakeApi(answer, QUERY_ANSWER_FIELDS)
    gateway = VNPayGateway(transport=api)
    result = gateway.query_status(payment(gateway_txn_no="14226112"))
    assert (result.status, result.amount, result.gateway_txn_no) == ("paid", 12000, "14226112")
    url, body = api.calls[0]
    assert url == "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction"
    data = "|".join(
        body[name]
        for name in (
            "vnp_RequestId",
            "vnp_Version",
            "vnp_Command",
            "vnp_TmnCode",
            "vnp_TxnRef",
            "vnp_TransactionDate",
            "vnp_CreateDate",
            "vnp_IpAddr",
            "vnp_OrderInfo",
        )  # fmt: skip
    )
    assert body["vnp_SecureHash"] == hmac512(data)
    assert body["vnp_Command"] == "querydr" and body["vnp_TransactionDate"] == "20261123093000"

    forged = VNPayGateway(transport=FakeApi(answer, QUERY_ANSWER_FIELDS, sign=False)).query_status(payment())
    assert forged.status == "unknown" and not forged.signature_valid


def test_refund_signs_the_documented_fields_in_order(vnpay_settings):
    fields = QUERY_ANSWER_FIELDS[:13]
    answer = {"vnp_ResponseId": "r2", "vnp_Command": "refund", "vnp_ResponseCode": "00", "vnp_TransactionNo": "99"}
    api = FakeApi(answer, fields)
    result = VNPayGateway(transport=api).refund(payment(gateway_txn_no="14226112"), 5000, requested_by="lanhdao")
    assert result.success and result.gateway_txn_no == "99"
    body = api.calls[0][1]
    data = "|".join(
        body[name]
        for name in (
            "vnp_RequestId",
            "vnp_Version",
            "vnp_Command",
            "vnp_TmnCode",
            "vnp_TransactionType",
            "vnp_TxnRef",
            "vnp_Amount",
            "vnp_TransactionNo",
            "vnp_TransactionDate",
            "vnp_CreateBy",
            "vnp_CreateDate",
            "vnp_IpAddr",
            "vnp_OrderInfo",
        )  # fmt: skip
    )
    assert body["vnp_SecureHash"] == hmac512(data)
    assert (body["vnp_TransactionType"], body["vnp_Amount"]) == ("03", "500000")  # partial: 5.000 đồng × 100
