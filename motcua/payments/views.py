"""Payment endpoints: start a payment, the gateways' IPN and return URLs, the sandbox gateway's page, receipts
and the daily reconciliation report.

The return URL shows its result on the applicant's dossier page (a message), and changes nothing. Who may
download a receipt or open a report is decided by `motcua.dossiers.policy`; anyone else gets a 404.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.accounts.models import UserKind
from motcua.accounts.throttle import client_ip
from motcua.catalog.models import Agency
from motcua.core.xlsx import XLSX_CONTENT_TYPE
from motcua.documents.responses import pdf_response
from motcua.dossiers import policy
from motcua.payments import queries, reconciliation, services
from motcua.payments.forms import ReconciliationForm
from motcua.payments.gateways.base import GatewayUnavailable, enabled_codes, get_gateway
from motcua.payments.gateways.sandbox import SandboxGateway
from motcua.payments.models import Bill, PaymentStatus, ReconciliationSnapshot
from motcua.payments.receipts import NoReceipt, render_receipt


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


# ----- receipts -----------------------------------------------------------------------------------------------------


@require_GET
@never_cache
def receipt(request: HttpRequest, txn_ref: str) -> HttpResponse:
    """Biên lai điện tử (PDF, signed) of a paid payment: for the applicant, the agency's officers and operators."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())  # as the portal's pages: log in, then back here
    payment = queries.receipt_payment(request.user, txn_ref)
    if payment is None:
        raise Http404(txn_ref)
    try:
        body = render_receipt(payment)
    except NoReceipt:  # refunded-and-unpaid cannot happen, but a race with the ledger must not be a 500
        raise Http404(txn_ref) from None
    return pdf_response(body, f"bien-lai-{payment.txn_ref}.pdf")


# ----- reconciliation -----------------------------------------------------------------------------------------------


def _report_agency(request: HttpRequest, identifier: str) -> Agency:
    """The agency whose report `request.user` may open; 404 for an unknown agency and for anyone not allowed."""
    agency = Agency.objects.filter(identifier=identifier).first()
    if agency is None or not policy.can_view_payments_report(request.user, agency):
        raise Http404(identifier)
    return agency


def _officer_login(request: HttpRequest) -> HttpResponse:
    return redirect_to_login(request.get_full_path(), reverse("accounts:login_officer"))


@require_GET
@never_cache
def reconciliation_page(request: HttpRequest, identifier: str) -> HttpResponse:
    """Đối soát thanh toán: an agency's payments of one day (?day=YYYY-MM-DD&gateway=...), per gateway."""
    if not request.user.is_authenticated:
        return _officer_login(request)
    agency = _report_agency(request, identifier)
    form = ReconciliationForm(request.GET)
    context = {
        "agency": agency, "form": form, "report": None, "is_officer": request.user.kind == UserKind.OFFICER,
        "snapshots": queries.reconciliation_snapshots(agency),
    }  # fmt: skip
    if not form.is_valid():
        context["problem"] = _("Chưa lập được báo cáo: hãy sửa các mục được đánh dấu.")
        return render(request, "payments/reconciliation.html", context, status=400)
    report = reconciliation.daily_report(
        agency=agency, day=form.cleaned_data["day"], gateway=form.cleaned_data["gateway"] or None
    )
    query = {"day": report.day.isoformat(), **({"gateway": report.gateway} if report.gateway else {})}
    context.update(
        report=report,
        xlsx_url=reverse("payments:reconciliation_xlsx", args=[agency.identifier]) + "?" + urlencode(query),
    )
    return render(request, "payments/reconciliation.html", context)


@require_GET
@never_cache
def reconciliation_xlsx(request: HttpRequest, identifier: str) -> HttpResponse:
    """The same report as an Excel file (summary, transactions, mismatches)."""
    if not request.user.is_authenticated:
        return _officer_login(request)
    agency = _report_agency(request, identifier)
    form = ReconciliationForm(request.GET)
    if not form.is_valid():
        problems = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    report = reconciliation.daily_report(
        agency=agency, day=form.cleaned_data["day"], gateway=form.cleaned_data["gateway"] or None
    )
    response = HttpResponse(reconciliation.workbook(report), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{reconciliation.xlsx_filename(report)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@never_cache
def reconciliation_snapshot(request: HttpRequest, identifier: str, snapshot_id: int) -> HttpResponse:
    """A kept daily reconciliation's Excel file, as it was computed that morning."""
    if not request.user.is_authenticated:
        return _officer_login(request)
    agency = _report_agency(request, identifier)
    snapshot = get_object_or_404(ReconciliationSnapshot, pk=snapshot_id, agency=agency)
    response = FileResponse(
        snapshot.workbook.open("rb"),
        as_attachment=True,
        filename=f"doi-soat-{agency.identifier}-{snapshot.day:%Y%m%d}-{snapshot.gateway}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )
    response["Cache-Control"] = "private, no-store"
    return response
