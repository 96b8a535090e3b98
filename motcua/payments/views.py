"""Payment endpoints: start a payment, the gateways' IPN and return URLs, and the sandbox gateway's page.

The only HTML page is the sandbox gateway's own pay/cancel page; the return URL shows its result on the
applicant's dossier page (a message), and changes nothing.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.accounts.throttle import client_ip
from motcua.payments import services
from motcua.payments.gateways.base import GatewayUnavailable, enabled_codes, get_gateway
from motcua.payments.gateways.sandbox import SandboxGateway
from motcua.payments.models import Bill, PaymentStatus


@login_required
@require_POST
def start(request: HttpRequest, bill_id: int) -> HttpResponse:
    """The applicant pays a bill of their own dossier: a new payment attempt, then off to the gateway."""
    bill = get_object_or_404(Bill.objects.select_related("dossier"), pk=bill_id, dossier__applicant=request.user)
    codes = enabled_codes()
    code = request.POST.get("gateway") or (codes[0] if codes else "")
    if code not in codes:
        raise Http404
    try:
        _payment, url = services.start_payment(
            bill=bill, gateway_code=code, client_ip=client_ip(request),
            locale="en" if (get_language() or "").startswith("en") else "vn",
        )  # fmt: skip
    except services.PaymentInvalid as exc:
        messages.error(request, exc.message)
        return redirect("portal:my_dossier", bill.dossier.code)
    return redirect(url)


@csrf_exempt
@require_GET
@never_cache
def vnpay_ipn(request: HttpRequest) -> JsonResponse:
    """VNPay's server-to-server notification: the only thing that changes a VNPay payment."""
    outcome = services.handle_notification(gateway="vnpay", params=request.GET)
    return JsonResponse(outcome.reply())


@require_GET
@never_cache
def gateway_return(request: HttpRequest, gateway: str) -> HttpResponse:
    """The browser comes back from a gateway: say what happened, on the dossier page; change nothing."""
    try:
        note, payment = services.record_return(gateway=gateway, params=request.GET)
    except GatewayUnavailable:
        raise Http404 from None
    if payment is None:
        messages.error(request, _("Không xác minh được kết quả thanh toán trả về từ cổng thanh toán."))
        return redirect("portal:my_dossiers")
    payment.refresh_from_db(fields=["status"])
    if payment.status == PaymentStatus.PAID:
        messages.success(request, _("Thanh toán thành công. Mã giao dịch: %(ref)s.") % {"ref": payment.txn_ref})
    elif note.success:
        messages.info(request, _("Cổng thanh toán báo đã trừ tiền; hệ thống đang chờ xác nhận của cổng."))
    else:
        messages.error(request, _("Giao dịch chưa thanh toán (mã giao dịch %(ref)s).") % {"ref": payment.txn_ref})
    return redirect("portal:my_dossier", payment.bill.dossier.code)


def _sandbox() -> SandboxGateway:
    try:
        gateway = get_gateway("sandbox")
    except GatewayUnavailable:
        raise Http404 from None
    assert isinstance(gateway, SandboxGateway)
    return gateway


def _safe_return_url(request: HttpRequest, url: str) -> bool:
    hosts = {request.get_host(), urlsplit(settings.MOTCUA_SITE_URL).netloc}
    return url_has_allowed_host_and_scheme(url, allowed_hosts=hosts, require_https=False)


@require_http_methods(["GET", "POST"])
@never_cache
def sandbox_pay(request: HttpRequest, txn_ref: str) -> HttpResponse:
    """The sandbox gateway's own page: pay or cancel. "Thanh toán" notifies our ledger (as an IPN would),
    then sends the browser back to the merchant's return URL."""
    gateway = _sandbox()
    signed = gateway.read_request(request.POST if request.method == "POST" else request.GET)
    if signed is None or signed["sbx_TxnRef"] != txn_ref or not _safe_return_url(request, signed["sbx_ReturnUrl"]):
        return render(request, "payments/sandbox_pay.html", {"invalid": True}, status=400)
    context = {
        "request_params": sorted(signed.items()),
        "txn_ref": txn_ref,
        "amount": int(signed["sbx_Amount"]),
        "order_info": signed.get("sbx_OrderInfo", ""),
        "merchant": settings.MOTCUA_SITE_URL,
    }
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("pay", "cancel"):
            context["problem"] = _("Hãy chọn “Thanh toán” hoặc “Hủy giao dịch”.")
            return render(request, "payments/sandbox_pay.html", context, status=400)
        notification = gateway.notification_for(signed, paid=action == "pay")
        outcome = services.handle_notification(gateway=gateway, params=notification)
        if outcome.code not in (services.CONFIRMED, services.ALREADY_CONFIRMED):
            context["problem"] = _("Bên bán không chấp nhận giao dịch (mã %(code)s: %(message)s).") % {
                "code": outcome.code, "message": outcome.message,
            }  # fmt: skip
            return render(request, "payments/sandbox_pay.html", context, status=409)
        separator = "&" if "?" in signed["sbx_ReturnUrl"] else "?"
        return redirect(f"{signed['sbx_ReturnUrl']}{separator}{gateway.query(notification)}")
    return render(request, "payments/sandbox_pay.html", context)
