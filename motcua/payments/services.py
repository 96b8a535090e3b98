"""Every write to the payment ledger: bills, payment attempts, gateway notifications, refunds.

The rule that keeps money safe: a payment changes only on the gateway's server-to-server notification,
handled by `handle_notification()` in one transaction that locks the dossier, the bill and the payment
(motcua.core.locking order) and records the notification as a PaymentEvent in that same transaction. The
reply (RspCode) is computed from what was committed, so a server killed before replying loses nothing: the
gateway retries, and the retry answers 02 without applying anything twice. A notification that is
rejected (forged, unknown, wrong amount, duplicate) is recorded in a transaction that writes nothing else.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from motcua.accounts.models import User, UserKind
from motcua.catalog.models import Agency, ApplicantCategory, FeesDue
from motcua.core.locking import lock_one, lock_rows
from motcua.dossiers import policy
from motcua.dossiers.models import ActionKind, ChannelCode, Dossier, DossierState
from motcua.dossiers.services import confirm_payment_from_gateway, perform_action
from motcua.notify.services import notify
from motcua.payments import fees, reconciliation
from motcua.payments.gateways.base import (
    Gateway,
    GatewayUnavailable,
    Notification,
    RefundResult,
    StatusResult,
    enabled_codes,
    flat_params,
    get_gateway,
)
from motcua.payments.ledger import (  # noqa: F401  (the reply codes are part of this module's interface)
    ALREADY_CONFIRMED,
    BAD_CHECKSUM,
    CONFIRMED,
    INVALID_AMOUNT,
    NOT_FOUND,
    RSP_MESSAGES,
    UNKNOWN_ERROR,
    WRONG_AMOUNT_DETAIL,
    WRONG_AMOUNT_PATTERN,
)
from motcua.payments.models import (
    Bill,
    BillLine,
    BillStatus,
    EventKind,
    Payment,
    PaymentEvent,
    PaymentStatus,
    ReconciliationSnapshot,
)
from motcua.payments.queries import gateway_name

logger = logging.getLogger(__name__)

REFUND_ROLES = frozenset({"leader", "administrator"})


class PaymentInvalid(Exception):
    """A payment use case cannot go ahead; `message` says why, for the applicant or officer."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Outcome:
    """What handling a notification did, and the reply the gateway gets."""

    code: str
    applied: bool = False
    payment_id: int | None = None
    detail: str = ""

    @property
    def message(self) -> str:
        return RSP_MESSAGES[self.code]

    def reply(self) -> dict[str, str]:
        return {"RspCode": self.code, "Message": self.message}


# ----- bills ---------------------------------------------------------------------------------------------------------


def applicant_category_of(dossier: Dossier) -> str:
    kind = dossier.applicant.kind
    return ApplicantCategory.ORGANISATION if kind == UserKind.ORGANISATION else ApplicantCategory.CITIZEN


def _save_bill(dossier: Dossier, computed: fees.Bill, *, now: dt.datetime) -> Bill:
    if Bill.objects.filter(dossier=dossier, status=BillStatus.OPEN).exists():
        raise PaymentInvalid(
            _("Hồ sơ đang có một thông báo phí chưa thanh toán; hãy hủy nó trước khi lập thông báo mới.")
        )
    bill = Bill.objects.create(
        dossier=dossier, total=computed.total, applicant_category=computed.applicant_category, copies=computed.copies,
        pages=computed.pages, online=computed.online, created_at=now,
    )  # fmt: skip
    BillLine.objects.bulk_create(
        BillLine(
            bill=bill, position=index, fee_item=line.fee_item, kind=line.kind, name=line.name,
            legal_basis=line.legal_basis, unit=line.unit, quantity=line.quantity, unit_amount=line.unit_amount,
            amount=line.amount, note=line.note,
        )
        for index, line in enumerate(computed.lines, start=1)
    )  # fmt: skip
    return bill


def _compute_for(
    dossier: Dossier, *, copies: int, pages: int, applicant_category: str | None, online: bool | None, exempt_positions
) -> fees.Bill:
    try:
        return fees.compute_bill(
            version=dossier.procedure_version,
            applicant_category=applicant_category or applicant_category_of(dossier),
            copies=copies,
            pages=pages,
            online=dossier.channel == ChannelCode.ONLINE if online is None else online,
            exempt_positions=exempt_positions,
        )
    except ValueError as exc:
        raise PaymentInvalid(str(exc)) from exc


def issue_bill(
    *,
    dossier: Dossier,
    copies: int = 1,
    pages: int = 0,
    applicant_category: str | None = None,
    online: bool | None = None,
    exempt_positions: Collection[int] = (),
    now: dt.datetime | None = None,
) -> Bill:
    """Lập thông báo phí: the fees of the dossier's pinned procedure version, saved as an open bill."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_one(Dossier, pk=dossier.pk)
        computed = _compute_for(
            locked, copies=copies, pages=pages, applicant_category=applicant_category, online=online,
            exempt_positions=exempt_positions,
        )  # fmt: skip
        return _save_bill(locked, computed, now=now)


def bill_on_filing(*, dossier: Dossier, now: dt.datetime) -> Bill | None:
    """Fees due with the dossier (the procedure says "on submission"): its bill is issued as it is filed.

    Called inside the filing transaction. One copy, no per-page count: a procedure whose fees depend on
    what the agency counts should ask for them later (state 6). None when nothing is owed.
    """
    if dossier.procedure_version.fees_due != FeesDue.ON_SUBMISSION:
        return None
    computed = _compute_for(dossier, copies=1, pages=0, applicant_category=None, online=None, exempt_positions=())
    if computed.total == 0:
        return None
    return _save_bill(dossier, computed, now=now)


def request_payment(
    *,
    dossier_code: str,
    officer: User,
    copies: int = 1,
    pages: int = 0,
    comment: str = "",
    exempt_positions: Collection[int] = (),
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
) -> Bill:
    """Yêu cầu thực hiện nghĩa vụ tài chính: the dossier goes to state 6 and its bill is issued, together.

    The applicant's notification (from the dossier action) says how much is owed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        dossier = Dossier.objects.select_related("applicant", "procedure_version").filter(code=dossier_code).first()
        if dossier is None:
            raise PaymentInvalid(_("Không tìm thấy hồ sơ."))
        computed = _compute_for(
            dossier, copies=copies, pages=pages, applicant_category=None, online=None, exempt_positions=exempt_positions
        )
        if computed.total == 0:
            raise PaymentInvalid(_("Hồ sơ này không phải nộp phí, lệ phí."))
        with translation.override(settings.LANGUAGE_CODE):
            amount_line = _("Số tiền phải nộp: %(amount)s.") % {"amount": fees.vnd(computed.total)}
        action = perform_action(
            dossier_code=dossier_code, actor=officer, kind=ActionKind.REQUEST_PAYMENT,
            comment=f"{comment.strip()}\n{amount_line}".strip(), idempotency_key=idempotency_key, now=now,
        )  # fmt: skip
        if idempotency_key:
            # The same request again (the dossier is locked now): the bill issued with that action.
            earlier = Bill.objects.filter(dossier=dossier, created_at=action.at).order_by("pk").first()
            if earlier is not None:
                return earlier
        return _save_bill(dossier, computed, now=now)


def cancel_bill(*, bill: Bill, now: dt.datetime | None = None) -> Bill:
    """Hủy thông báo phí. A payment still pending at the gateway that succeeds later is flagged for refund."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_one(Bill, pk=bill.pk)
        if locked.status != BillStatus.OPEN:
            raise PaymentInvalid(_("Chỉ hủy được thông báo phí chưa thanh toán."))
        locked.status = BillStatus.CANCELLED
        locked.cancelled_at = now
        locked.save(update_fields=["status", "cancelled_at"])
    return locked


def cancel_open_bills(*, dossier: Dossier, now: dt.datetime) -> list[Bill]:
    """A dossier refused, withdrawn or stopped owes nothing more: its open bills are cancelled (same transaction).

    A payment still pending at the gateway that succeeds later is flagged for refund, as for any cancelled bill.
    """
    open_bills = Bill.objects.filter(dossier=dossier, status=BillStatus.OPEN).values_list("pk", flat=True)
    bills = lock_rows((Bill, list(open_bills)))[Bill]
    for bill in bills:
        bill.status = BillStatus.CANCELLED
        bill.cancelled_at = now
        bill.save(update_fields=["status", "cancelled_at"])
    return bills


# ----- payments ------------------------------------------------------------------------------------------------------


def new_txn_ref(now: dt.datetime) -> str:
    """yymmddHHMMSS (Vietnam time) + 8 random hex digits: unique, sortable, and fine for every gateway."""
    return f"{timezone.localtime(now):%y%m%d%H%M%S}{secrets.token_hex(4).upper()}"


def return_url_for(gateway_code: str) -> str:
    return settings.MOTCUA_SITE_URL + reverse("payments:return", args=[gateway_code])


def start_payment(
    *,
    bill: Bill,
    gateway_code: str,
    client_ip: str = "",
    locale: str = "vn",
    return_url: str | None = None,
    now: dt.datetime | None = None,
) -> tuple[Payment, str]:
    """A new payment attempt for an open bill: the ledger row (pending), its start event, the gateway URL."""
    now = now or timezone.now()
    try:
        gateway = get_gateway(gateway_code)
    except GatewayUnavailable as exc:
        raise PaymentInvalid(_("Cổng thanh toán này hiện không sử dụng được.")) from exc
    with transaction.atomic():
        locked = lock_one(Bill, pk=bill.pk)
        if locked.status != BillStatus.OPEN:
            raise PaymentInvalid(_("Thông báo phí này đã được thanh toán hoặc đã hủy."))
        if locked.total <= 0:
            raise PaymentInvalid(_("Thông báo phí này không có khoản nào phải nộp."))
        payment = Payment.objects.create(
            bill=locked, gateway=gateway.code, txn_ref=new_txn_ref(now), amount=locked.total, created_at=now
        )
        url = gateway.start_payment(
            payment, return_url=return_url or return_url_for(gateway.code), client_ip=client_ip, locale=locale
        )
        _event(
            gateway.code, kind=EventKind.START, txn_ref=payment.txn_ref, payment=payment, now=now,
            raw={"redirect_url": url, "client_ip": client_ip, "amount": payment.amount}, outcome="redirected",
        )  # fmt: skip
    return payment, url


def _event(
    gateway_code: str,
    *,
    kind: str,
    txn_ref: str,
    now: dt.datetime,
    raw: Mapping,
    payment: Payment | None = None,
    signature_valid: bool | None = None,
    outcome: str = "",
    detail: str = "",
) -> PaymentEvent:
    return PaymentEvent.objects.create(
        payment=payment, gateway=gateway_code[:20], txn_ref=(txn_ref or "")[:100], kind=kind, raw=dict(raw),
        signature_valid=signature_valid, outcome=outcome, detail=detail[:500], received_at=now,
    )  # fmt: skip


def _reject(
    gateway_code: str, note: Notification | None, code: str, *, raw: Mapping, now: dt.datetime, detail: str = ""
) -> Outcome:
    """Record a rejected notification in a transaction of its own (it writes nothing else) and answer `code`."""
    with transaction.atomic():
        _event(
            gateway_code, kind=EventKind.NOTIFICATION, txn_ref=note.txn_ref if note else "", now=now, raw=raw,
            signature_valid=note.signature_valid if note else None, outcome=code, detail=detail,
        )  # fmt: skip
    return Outcome(code=code, detail=detail)


def handle_notification(
    *, gateway: str | Gateway, params: Mapping[str, str], now: dt.datetime | None = None
) -> Outcome:
    """Apply a gateway's server-to-server notification (IPN) to the ledger; the reply code is the outcome.

    97 bad signature · 01 unknown txn_ref · 04 amount differs · 02 already final (duplicate, replay, or a
    failure after a success: nothing changes) · 00 applied · 99 an error, nothing applied (the gateway retries).
    """
    now = now or timezone.now()
    raw = flat_params(params)
    try:
        gw = gateway if isinstance(gateway, Gateway) else get_gateway(gateway)
    except GatewayUnavailable:
        return _reject(str(gateway), None, UNKNOWN_ERROR, raw=raw, now=now, detail="gateway not enabled")
    try:
        note = gw.parse_notification(raw)
    except Exception:  # a plugin must not turn odd input into a 500: the gateway gets 99 and retries
        logger.exception("payment notification could not be read", extra={"gateway": gw.code})
        return _reject(gw.code, None, UNKNOWN_ERROR, raw=raw, now=now, detail="notification could not be read")
    if not note.signature_valid:
        return _reject(gw.code, note, BAD_CHECKSUM, raw=raw, now=now, detail="signature does not match")
    try:
        with transaction.atomic():
            return _apply_notification(gw, note, now=now)
    except Exception:
        # Nothing of the transaction is kept; the gateway will retry (VNPay retries on anything but 00/02).
        logger.exception("payment notification failed", extra={"txn_ref": note.txn_ref, "gateway": gw.code})
        return _reject(gw.code, note, UNKNOWN_ERROR, raw=raw, now=now, detail="error while applying; nothing changed")


def _apply_notification(
    gw: Gateway, note: Notification, *, now: dt.datetime, kind: str = EventKind.NOTIFICATION, failure: str = ""
) -> Outcome:
    """What a verified report of the gateway means for the ledger; the one path for IPNs and status queries.

    `kind` is the ledger event it is recorded as (a notification, or the answer to our query); `failure` says
    why an unsuccessful report is applied when it is not the gateway's own response code (e.g. expiry).
    """

    def record(code: str, payment: Payment | None = None, *, applied: bool = False, detail: str = "") -> Outcome:
        _event(
            gw.code, kind=kind, txn_ref=note.txn_ref, now=now, raw=note.raw, payment=payment,
            signature_valid=True, outcome=code, detail=detail,
        )  # fmt: skip
        return Outcome(code=code, applied=applied, payment_id=payment.pk if payment else None, detail=detail)

    ids = (
        Payment.objects.filter(txn_ref=note.txn_ref, gateway=gw.code)
        .values_list("pk", "bill_id", "bill__dossier_id")
        .first()
    )
    if not note.txn_ref or ids is None:
        return record(NOT_FOUND, detail="no payment with this txn_ref at this gateway")
    payment_id, bill_id, dossier_id = ids
    locked = lock_rows((Dossier, [dossier_id]), (Bill, [bill_id]), (Payment, [payment_id]))
    dossier, bill, payment = locked[Dossier][0], locked[Bill][0], locked[Payment][0]

    if note.amount != payment.amount:
        detail = WRONG_AMOUNT_DETAIL.format(reported=note.amount, expected=payment.amount)
        return record(INVALID_AMOUNT, payment, detail=detail)
    if payment.status in (PaymentStatus.PAID, PaymentStatus.REFUNDED):
        detail = "already final; nothing changed" if note.success else "failure after success (out of order); ignored"
        return record(ALREADY_CONFIRMED, payment, detail=f"payment {payment.status}: {detail}")
    if payment.status == PaymentStatus.FAILED and not note.success:
        return record(ALREADY_CONFIRMED, payment, detail="payment failed: duplicate failure; nothing changed")

    if not note.success:
        payment.status = PaymentStatus.FAILED
        payment.save(update_fields=["status"])
        detail = failure or f"failed (response code {note.response_code})"
        return record(CONFIRMED, payment, applied=True, detail=detail)

    # Success: the money was taken, so the payment is paid whatever became of the bill meanwhile.
    details = [] if payment.status == PaymentStatus.PENDING else ["success after a failure notification"]
    payment.status = PaymentStatus.PAID
    payment.paid_at = note.paid_at or now
    payment.gateway_txn_no = note.gateway_txn_no
    payment.save(update_fields=["status", "paid_at", "gateway_txn_no"])
    if bill.status == BillStatus.OPEN:
        bill.status = BillStatus.PAID
        bill.paid_at = payment.paid_at
        bill.save(update_fields=["status", "paid_at"])
        details.append(_after_bill_paid(dossier, bill, payment, gw, now=now))
    else:
        details.append(f"bill already {bill.status}: refund needed")
        logger.warning("payment for a bill that is not open", extra={"txn_ref": payment.txn_ref, "bill": bill.pk})
    return record(CONFIRMED, payment, applied=True, detail="paid; " + "; ".join(details))


def _after_bill_paid(dossier: Dossier, bill: Bill, payment: Payment, gw: Gateway, *, now: dt.datetime) -> str:
    """A dossier waiting for payment (state 6) returns to processing; otherwise the applicant is told."""
    with translation.override(settings.LANGUAGE_CODE):
        receipt = _("Đã nhận %(amount)s qua %(gateway)s, mã giao dịch %(ref)s.") % {
            "amount": fees.vnd(payment.amount), "gateway": gw.name, "ref": payment.txn_ref,
        }  # fmt: skip
        if dossier.state == DossierState.PAYMENT_REQUESTED:
            try:
                with transaction.atomic():  # a savepoint: the payment stays paid whatever happens to the dossier
                    if _return_dossier_to_processing(dossier, payment, comment=receipt, now=now):
                        return "dossier returned to processing"
            except Exception:
                logger.exception("paid dossier could not return to processing", extra={"dossier": dossier.pk})
            detail = "dossier stays in state 6 until an officer confirms the payment"
        else:
            detail = f"dossier in state {dossier.state}: unchanged"
        notify(
            user=dossier.applicant,
            title=_("Hồ sơ %(code)s: đã nhận thanh toán") % {"code": dossier.code},
            body=receipt,
            link=f"/dossiers/{dossier.code}/",
            now=now,
        )
    return detail


def _return_dossier_to_processing(dossier: Dossier, payment: Payment, *, comment: str, now: dt.datetime) -> bool:
    """The gateway's verified confirmation moves the dossier 6 → 4 (a system action in the dossier's log)."""
    action = confirm_payment_from_gateway(
        dossier_code=dossier.code, gateway=payment.gateway, txn_ref=payment.txn_ref, amount=payment.amount,
        comment=comment, now=now,
    )  # fmt: skip
    return action is not None


# ----- the browser's return, status queries, refunds ------------------------------------------------------------------


def record_return(*, gateway: str, params: Mapping[str, str], now: dt.datetime | None = None):
    """Read the browser's return from a gateway: display only, the ledger does not change.

    Returns (notification, payment or None); a signed return for a known payment is kept as an event.
    """
    now = now or timezone.now()
    gw = get_gateway(gateway)
    note = gw.verify_return(params)
    payment = None
    if note.signature_valid and note.txn_ref:
        payment = Payment.objects.select_related("bill__dossier").filter(txn_ref=note.txn_ref, gateway=gw.code).first()
    if payment is not None:
        _event(
            gw.code, kind=EventKind.RETURN, txn_ref=note.txn_ref, now=now, raw=note.raw, payment=payment,
            signature_valid=True, outcome="display", detail="success" if note.success else "not paid",
        )  # fmt: skip
    return note, payment


def query_payment(*, payment: Payment, now: dt.datetime | None = None) -> StatusResult:
    """Ask the gateway about a payment and keep its answer as an event (reconciliation decides what to do)."""
    now = now or timezone.now()
    result = get_gateway(payment.gateway).query_status(payment)
    _event(
        payment.gateway, kind=EventKind.QUERY, txn_ref=payment.txn_ref, now=now, raw=result.raw, payment=payment,
        signature_valid=result.signature_valid, outcome=result.status, detail=result.message,
    )  # fmt: skip
    return result


def refund_payment(
    *, payment: Payment, amount: int, officer: User, reason: str, now: dt.datetime | None = None
) -> RefundResult:
    """Hoàn tiền: give back part or all of a paid payment (a leader or administrator of the dossier's agency).

    The gateway is called outside any transaction (it may be slow); the ledger is updated under the lock.
    """
    now = now or timezone.now()
    agency_id = Bill.objects.filter(pk=payment.bill_id).values_list("dossier__agency_id", flat=True).first()
    if not REFUND_ROLES & policy.officer_roles(officer).get(agency_id, set()):
        raise PaymentInvalid(_("Chỉ lãnh đạo hoặc quản trị của cơ quan mới được hoàn tiền."))
    if not reason.strip():
        raise PaymentInvalid(_("Hãy nêu lý do hoàn tiền."))
    payment.refresh_from_db()
    if payment.status not in (PaymentStatus.PAID, PaymentStatus.REFUNDED):
        raise PaymentInvalid(_("Chỉ hoàn tiền được giao dịch đã thanh toán."))
    if amount <= 0 or payment.refunded_amount + amount > payment.amount:
        raise PaymentInvalid(_("Số tiền hoàn không hợp lệ."))
    result = get_gateway(payment.gateway).refund(payment, amount, reason=reason, requested_by=officer.get_username())
    with transaction.atomic():
        locked = lock_one(Payment, pk=payment.pk)
        detail = f"{amount} by {officer.get_username()}: {reason.strip()}"
        if result.success:
            locked.refunded_amount = min(locked.amount, locked.refunded_amount + amount)
            locked.status = PaymentStatus.REFUNDED
            locked.save(update_fields=["refunded_amount", "status"])
        _event(
            locked.gateway, kind=EventKind.REFUND, txn_ref=locked.txn_ref, now=now, raw=result.raw, payment=locked,
            outcome="refunded" if result.success else "refused", detail=detail,
        )  # fmt: skip
    return result


# ----- reconciliation with the gateways' query APIs (a periodic task) -------------------------------------------------

# What asking the gateway did, as kept in the query event's `outcome` when the answer changed nothing and
# went nowhere near the ledger's apply path (which records its own reply codes: 00, 02, 04).
# A run stops asking after this long, so that runs every 5 minutes do not pile up behind a slow gateway.
QUERY_RUN_SECONDS = 4 * 60
STILL_PENDING = "pending"  # the gateway says the applicant has not finished: asked again later
UNANSWERED = "unanswered"  # no usable answer (unreachable, an error, an answer without a status): asked again later


@dataclass(frozen=True)
class QueryOutcome:
    """What reconciling one pending payment with its gateway did."""

    txn_ref: str
    answer: str  # the gateway's status: paid, failed, pending, not_found, unknown, or "error"
    code: str  # the event's outcome: 00 applied, 02 nothing to do, 04 wrong amount, 97, pending, unanswered
    applied: bool = False
    expired: bool = False
    detail: str = ""


def _pending_to_ask(*, now: dt.datetime, older_than: dt.timedelta, limit: int) -> list[int]:
    """Pending payments started more than `older_than` ago and not asked about since: least recently asked first."""
    cutoff = now - older_than
    queries = PaymentEvent.objects.filter(payment=OuterRef("pk"), kind=EventKind.QUERY)
    return list(
        Payment.objects.filter(status=PaymentStatus.PENDING, created_at__lte=cutoff, gateway__in=enabled_codes())
        .exclude(Exists(queries.filter(received_at__gt=cutoff)))
        .annotate(last_asked=Subquery(queries.order_by("-received_at").values("received_at")[:1]))
        .order_by(F("last_asked").asc(nulls_first=True), "created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def reconcile_pending_payments(
    *, now: dt.datetime | None = None, older_than: dt.timedelta | None = None, limit: int | None = None
) -> list[QueryOutcome]:
    """Đối chiếu giao dịch treo: ask the gateway about payments still pending after `older_than`, and apply its
    answer as its notification would have been applied (the notification may never come).

    A paid answer marks the payment and its bill paid and returns the dossier to processing, exactly as an IPN;
    a failed one marks it failed. A payment past the gateway's expiry that it still calls pending, or never
    saw, is expired (failed; a success notification arriving later still makes it paid). A payment asked about
    within `older_than` is not asked again, so running this twice at once changes nothing the second time.
    Every answer is a query event in the ledger; each payment is applied in its own transaction under the same
    row locks as a notification, so a notification arriving meanwhile has one effect, not two.

    Defaults: settings.MOTCUA_PAYMENT_QUERY_AFTER_MINUTES and MOTCUA_PAYMENT_QUERY_BATCH.
    """
    now = now or timezone.now()
    if older_than is None:
        older_than = dt.timedelta(minutes=settings.MOTCUA_PAYMENT_QUERY_AFTER_MINUTES)
    limit = settings.MOTCUA_PAYMENT_QUERY_BATCH if limit is None else limit
    outcomes = []
    deadline = time.monotonic() + QUERY_RUN_SECONDS
    for payment_id in _pending_to_ask(now=now, older_than=older_than, limit=limit):
        if time.monotonic() > deadline:
            logger.warning("payment status queries stopped for this run", extra={"asked": len(outcomes)})
            break  # a slow gateway: the rest wait for the next run rather than overlap with it
        outcome = _reconcile_one(payment_id, now=now)
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes


def _reconcile_one(payment_id: int, *, now: dt.datetime) -> QueryOutcome | None:
    # The gateway is asked outside any transaction (a slow gateway must not hold row locks); the answer is
    # applied under the locks, where an IPN that got there first is seen.
    payment = Payment.objects.filter(pk=payment_id, status=PaymentStatus.PENDING).first()
    if payment is None:
        return None  # a notification settled it since it was selected
    log = {"txn_ref": payment.txn_ref, "gateway": payment.gateway}
    try:
        gw = get_gateway(payment.gateway)
        answer = gw.query_status(payment)
    except Exception as exc:  # unreachable, misconfigured, or a plugin's bug: this payment waits for the next run
        logger.warning("payment status query failed", extra={**log, "error": str(exc)})
        return _unanswered(payment, now=now, answer="error", detail=f"query failed: {exc}")
    expired = now >= payment.created_at + gw.expires_after()
    said = f"gateway answered {answer.status}" + (f" ({answer.message})" if answer.message else "")
    if not answer.signature_valid:
        logger.warning("payment status answer has a bad signature", extra=log)
        with transaction.atomic():
            _event(
                gw.code, kind=EventKind.QUERY, txn_ref=payment.txn_ref, now=now, raw=answer.raw, payment=payment,
                signature_valid=False, outcome=BAD_CHECKSUM, detail=f"{said}; bad signature; nothing changed",
            )  # fmt: skip
        return QueryOutcome(payment.txn_ref, answer.status, BAD_CHECKSUM, detail="signature does not match")

    failure = ""
    if answer.status in ("paid", "failed"):
        note = Notification(
            txn_ref=payment.txn_ref, amount=answer.amount, success=answer.status == "paid",
            gateway_txn_no=answer.gateway_txn_no[:64], raw=dict(answer.raw), signature_valid=True,
            response_code=answer.status, paid_at=answer.paid_at,
        )  # fmt: skip
        failure = f"{said}: failed"
    elif answer.status in ("pending", "not_found") and expired:
        # The pay page has expired and the gateway has nothing paid: the attempt is over.
        minutes = int(gw.expires_after().total_seconds() // 60)
        note = Notification(
            txn_ref=payment.txn_ref, amount=payment.amount, success=False, gateway_txn_no="", raw=dict(answer.raw),
            signature_valid=True, response_code="expired",
        )  # fmt: skip
        failure = f"{said}: expired, not paid {minutes} minutes after it started"
    else:
        if expired:
            logger.warning("expired payment without a usable answer", extra={**log, "answer": answer.status})
        if answer.status == "pending":
            return _unanswered(payment, now=now, answer=answer.status, code=STILL_PENDING, raw=answer.raw,
                               detail=f"{said}; asked again later")  # fmt: skip
        return _unanswered(payment, now=now, answer=answer.status, raw=answer.raw, detail=f"{said}; asked again later")

    try:
        with transaction.atomic():
            outcome = _apply_notification(gw, note, now=now, kind=EventKind.QUERY, failure=failure)
    except Exception as exc:
        logger.exception("payment status answer could not be applied", extra=log)
        return _unanswered(payment, now=now, answer=answer.status, raw=answer.raw,
                           detail=f"{said}; error while applying; nothing changed: {exc}")  # fmt: skip
    if outcome.code == INVALID_AMOUNT:
        logger.warning("payment status answer has another amount", extra={**log, "detail": outcome.detail})
    return QueryOutcome(
        payment.txn_ref, answer.status, outcome.code, applied=outcome.applied,
        expired=outcome.applied and note.response_code == "expired", detail=outcome.detail,
    )  # fmt: skip


def _unanswered(
    payment: Payment, *, now: dt.datetime, answer: str, detail: str, code: str = UNANSWERED, raw: Mapping | None = None
) -> QueryOutcome:
    """The payment stays pending; the question and why it changed nothing go in the ledger."""
    with transaction.atomic():
        _event(
            payment.gateway, kind=EventKind.QUERY, txn_ref=payment.txn_ref, now=now, raw=raw or {}, payment=payment,
            outcome=code, detail=detail,
        )  # fmt: skip
    return QueryOutcome(payment.txn_ref, answer, code, detail=detail)


# ----- the daily reconciliation snapshot (a periodic task, every morning) --------------------------------------------


def _has_activity(summary) -> bool:
    figures = (summary.paid, summary.pending, summary.failed, summary.refunded, summary.collected)
    return any(figure.count for figure in figures) or summary.mismatches > 0


def snapshot_daily_reconciliation(
    *, day: dt.date | None = None, now: dt.datetime | None = None
) -> list[ReconciliationSnapshot]:
    """Đối soát hằng ngày: keep each agency's reconciliation of `day` (default: yesterday in Việt Nam) per gateway,
    figures and Excel file, and tell its leaders and one-stop desk officers when it found mismatches.

    Only agencies with payment activity that day, and only gateways that had some. One transaction per agency;
    an agency's snapshot that exists is not computed again (nor are its officers told again), so a second run
    does nothing. One agency failing does not stop the others (it is logged).
    """

    now = now or timezone.now()
    if day is None:
        day = timezone.localdate(now, reconciliation.VN) - dt.timedelta(days=1)
    created: list[ReconciliationSnapshot] = []
    for agency in reconciliation.agencies_with_activity(day):
        try:
            created += _snapshot_agency(agency, day=day, now=now)
        except IntegrityError:
            logger.info("reconciliation snapshot made meanwhile", extra={"agency": agency.identifier, "day": str(day)})
        except Exception:
            logger.exception("reconciliation snapshot failed", extra={"agency": agency.identifier, "day": str(day)})
    return created


def _snapshot_agency(agency: Agency, *, day: dt.date, now: dt.datetime) -> list[ReconciliationSnapshot]:
    from motcua.payments import reconciliation

    kept = set(ReconciliationSnapshot.objects.filter(agency=agency, day=day).values_list("gateway", flat=True))
    overall = reconciliation.daily_report(agency=agency, day=day)
    codes = [item.code for item in overall.summaries if _has_activity(item) and item.code not in kept]
    if not codes:
        return []
    stored: list[str] = []
    try:
        with transaction.atomic():
            snapshots = []
            for code in codes:
                report = reconciliation.daily_report(agency=agency, day=day, gateway=code)
                figures = report.summaries[0]
                snapshot = ReconciliationSnapshot(
                    agency=agency, day=day, gateway=code, paid_count=figures.paid.count,
                    paid_amount=figures.paid.amount, pending_count=figures.pending.count,
                    pending_amount=figures.pending.amount, failed_count=figures.failed.count,
                    failed_amount=figures.failed.amount, refunded_count=figures.refunded.count,
                    refunded_amount=figures.refunded.amount, given_back_amount=figures.refunded_amount,
                    collected_count=figures.collected.count, collected_amount=figures.collected.amount,
                    mismatch_count=len(report.mismatches), created_at=now,
                )  # fmt: skip
                body = reconciliation.workbook(report, now=now)
                snapshot.workbook.save(reconciliation.xlsx_filename(report), ContentFile(body), save=False)
                stored.append(snapshot.workbook.name)
                snapshot.save()
                snapshots.append(snapshot)
            _tell_of_mismatches(agency, day, [s for s in snapshots if s.mismatch_count], now=now)
    except Exception:
        for name in stored:  # the rows are gone with the transaction: so are their files
            default_storage.delete(name)
        raise
    return snapshots


def _tell_of_mismatches(
    agency: Agency, day: dt.date, snapshots: list[ReconciliationSnapshot], *, now: dt.datetime
) -> None:
    """The agency's leaders and one-stop desk officers (who may open the report) get a link to the day's page."""
    if not snapshots:
        return
    people = list(
        User.objects.filter(
            kind=UserKind.OFFICER, is_active=True, memberships__agency=agency, memberships__is_active=True,
            memberships__role__in=policy.PAYMENTS_REPORT_ROLES,
        )
        .distinct()
        .order_by("pk")
    )  # fmt: skip
    link = reverse("payments:reconciliation", args=[agency.identifier]) + f"?day={day.isoformat()}"
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Đối soát thanh toán ngày %(day)s: có sai lệch cần xử lý") % {"day": f"{day:%d/%m/%Y}"}
        lines = [
            _("Số sai lệch tại %(gateway)s: %(count)d.")
            % {"gateway": gateway_name(s.gateway), "count": s.mismatch_count}
            for s in snapshots
        ]
        lines.append(_("Xem chi tiết và xử lý trên trang đối soát của %(agency)s.") % {"agency": agency.name})
        body = "\n".join(lines)
        for person in people:
            notify(user=person, title=title, body=body, link=link, now=now)
    for snapshot in snapshots:
        snapshot.notified_count = len(people)
        snapshot.save(update_fields=["notified_count"])
