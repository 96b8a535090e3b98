"""Đối soát thanh toán: the daily reconciliation report of an agency's online payments, per gateway.

`daily_report()` is a pure read of the ledger in a fixed number of queries (three, whatever the number of
payments). The day is a calendar day in Vietnam's time (Asia/Ho_Chi_Minh); its transactions are the
payments created or paid that day, each shown with its status as the ledger has it now (a payment started
late in the evening and paid after midnight belongs to both days). Per gateway it counts and sums them by
status, and "collected" is the money the gateway took that day (paid that day, whether refunded since or
not): the figure to compare with the gateway's own settlement file.

Mismatches are what an officer must look into: money taken for a bill that is not paid (cancelled, or paid
twice), a bill marked paid without a successful payment, a payment whose amount is not its bill's total,
and notifications the ledger rejected that day for this agency's transactions (wrong amount, bad signature).

`workbook()` writes the same report as an Excel file (openpyxl): a summary sheet, the transactions and the
mismatches, with amounts as numbers and times as dates.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.catalog.models import Agency
from motcua.core.xlsx import DATE, MOMENT, MONEY, write_table
from motcua.payments.gateways.base import enabled_codes
from motcua.payments.ledger import BAD_CHECKSUM, INVALID_AMOUNT, WRONG_AMOUNT_PATTERN
from motcua.payments.models import Bill, BillStatus, EventKind, Payment, PaymentEvent, PaymentStatus
from motcua.payments.queries import SETTLED, gateway_name

VN = ZoneInfo("Asia/Ho_Chi_Minh")

# The kinds of mismatch, as officers read them.
NOT_PAID_BILL = "paid_bill_not_paid"
BILL_WITHOUT_PAYMENT = "bill_paid_without_payment"
AMOUNT_DIFFERS = "amount_differs"
SEVERAL_PAID = "several_paid"
REJECTED_AMOUNT = "rejected_amount"
REJECTED_SIGNATURE = "rejected_signature"
MISMATCH_LABELS = {
    NOT_PAID_BILL: gettext_lazy("Đã thu tiền nhưng thông báo phí không ở trạng thái đã thanh toán"),
    BILL_WITHOUT_PAYMENT: gettext_lazy("Thông báo phí đã thanh toán nhưng không có giao dịch thành công"),
    AMOUNT_DIFFERS: gettext_lazy("Số tiền giao dịch khác tổng số tiền của thông báo phí"),
    SEVERAL_PAID: gettext_lazy("Một thông báo phí có nhiều giao dịch đã thanh toán"),
    REJECTED_AMOUNT: gettext_lazy("Thông báo từ cổng bị từ chối vì sai số tiền"),
    REJECTED_SIGNATURE: gettext_lazy("Thông báo từ cổng bị từ chối vì sai chữ ký"),
}
REJECTED_OUTCOMES = {INVALID_AMOUNT: REJECTED_AMOUNT, BAD_CHECKSUM: REJECTED_SIGNATURE}


@dataclass
class Figure:
    """A number of payments and their amount in đồng."""

    count: int = 0
    amount: int = 0

    def add(self, amount: int) -> None:
        self.count += 1
        self.amount += amount

    def __iadd__(self, other: Figure) -> Figure:
        self.count += other.count
        self.amount += other.amount
        return self


@dataclass
class GatewaySummary:
    code: str
    name: str
    paid: Figure = field(default_factory=Figure)
    pending: Figure = field(default_factory=Figure)
    failed: Figure = field(default_factory=Figure)
    refunded: Figure = field(default_factory=Figure)  # payments now refunded (in part or in full), their amount
    refunded_amount: int = 0  # how much of them was given back
    collected: Figure = field(default_factory=Figure)  # paid during the day (the gateway's settlement)
    mismatches: int = 0

    def figure(self, status: str) -> Figure:
        return {
            PaymentStatus.PAID: self.paid,
            PaymentStatus.PENDING: self.pending,
            PaymentStatus.FAILED: self.failed,
            PaymentStatus.REFUNDED: self.refunded,
        }[status]

    def __iadd__(self, other: GatewaySummary) -> GatewaySummary:
        for name in ("paid", "pending", "failed", "refunded", "collected"):
            getattr(self, name).__iadd__(getattr(other, name))
        self.refunded_amount += other.refunded_amount
        self.mismatches += other.mismatches
        return self


@dataclass
class Row:
    """One payment of the day."""

    txn_ref: str
    gateway: str
    gateway_name: str
    dossier_code: str
    applicant_name: str
    amount: int
    bill_total: int
    bill_status: str
    status: str
    created_at: dt.datetime
    paid_at: dt.datetime | None
    gateway_txn_no: str
    refunded_amount: int
    problems: list[str] = field(default_factory=list)  # mismatch kinds

    @property
    def status_label(self) -> str:
        return str(PaymentStatus(self.status).label)

    @property
    def bill_status_label(self) -> str:
        return str(BillStatus(self.bill_status).label)

    @property
    def has_receipt(self) -> bool:
        return self.status in SETTLED

    @property
    def problem_labels(self) -> list[str]:
        return [str(MISMATCH_LABELS[kind]) for kind in self.problems]


@dataclass(frozen=True)
class Mismatch:
    kind: str
    gateway: str
    txn_ref: str
    dossier_code: str
    detail: str = ""
    at: dt.datetime | None = None

    @property
    def label(self) -> str:
        return str(MISMATCH_LABELS[self.kind])


@dataclass
class DailyReport:
    agency: Agency
    day: dt.date
    gateway: str | None
    start: dt.datetime
    end: dt.datetime
    summaries: list[GatewaySummary]
    total: GatewaySummary
    rows: list[Row]
    mismatches: list[Mismatch]


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a calendar day in Vietnam's time."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=VN)
    return start, start + dt.timedelta(days=1)


def agencies_with_activity(day: dt.date) -> list[Agency]:
    """The agencies whose report for `day` has something in it: a payment started or paid, a bill paid, or a
    rejected notification naming one of their transactions (one query)."""
    start, end = day_bounds(day)
    payments = Payment.objects.filter(
        Q(created_at__gte=start, created_at__lt=end) | Q(paid_at__gte=start, paid_at__lt=end)
    )
    bills = Bill.objects.filter(status=BillStatus.PAID, paid_at__gte=start, paid_at__lt=end)
    rejected = PaymentEvent.objects.filter(
        kind=EventKind.NOTIFICATION, outcome__in=list(REJECTED_OUTCOMES), received_at__gte=start, received_at__lt=end
    )
    named = Payment.objects.filter(txn_ref__in=rejected.values("txn_ref"))
    return list(
        Agency.objects.filter(
            Q(pk__in=payments.values("bill__dossier__agency_id"))
            | Q(pk__in=bills.values("dossier__agency_id"))
            | Q(pk__in=named.values("bill__dossier__agency_id"))
        ).order_by("identifier")
    )


def _payments(agency: Agency, start: dt.datetime, end: dt.datetime, gateway: str | None) -> list[Payment]:
    """The day's payments with their bill and dossier, and how many paid payments their bill has (one query)."""
    paid_on_bill = (
        Payment.objects.filter(bill=OuterRef("bill_id"), status=PaymentStatus.PAID)
        .order_by()
        .values("bill")
        .annotate(n=Count("pk"))
        .values("n")
    )
    payments = (
        Payment.objects.filter(bill__dossier__agency=agency)
        .filter(Q(created_at__gte=start, created_at__lt=end) | Q(paid_at__gte=start, paid_at__lt=end))
        .select_related("bill", "bill__dossier")
        .only(
            "txn_ref", "gateway", "amount", "status", "created_at", "paid_at", "gateway_txn_no", "refunded_amount",
            "bill__total", "bill__status", "bill__dossier__code", "bill__dossier__applicant_name",
        )
        .annotate(paid_on_bill=Coalesce(Subquery(paid_on_bill, output_field=IntegerField()), Value(0)))
        .order_by("created_at", "pk")
    )  # fmt: skip
    if gateway:
        payments = payments.filter(gateway=gateway)
    return list(payments)


def _bills_without_payment(agency: Agency, start: dt.datetime, end: dt.datetime, gateway: str | None) -> list[Bill]:
    """Bills marked paid during the day with no paid (or refunded) payment behind them (one query)."""
    attempts = Payment.objects.filter(bill=OuterRef("pk"))
    bills = (
        Bill.objects.filter(dossier__agency=agency, status=BillStatus.PAID, paid_at__gte=start, paid_at__lt=end)
        .filter(~Exists(attempts.filter(status__in=SETTLED)))
        .annotate(last_gateway=Subquery(attempts.order_by("-created_at", "-pk").values("gateway")[:1]))
        .select_related("dossier")
        .only("total", "paid_at", "dossier__code")
        .order_by("paid_at", "pk")
    )
    if gateway:
        bills = bills.filter(Exists(attempts.filter(gateway=gateway)))
    return list(bills)


def _rejected_events(agency: Agency, start: dt.datetime, end: dt.datetime, gateway: str | None) -> list[PaymentEvent]:
    """Notifications rejected during the day (wrong amount, bad signature) naming a txn_ref of this agency.

    A forged notification is recorded without its payment, so the match is on the txn_ref it names (one query).
    """
    ours = Payment.objects.filter(bill__dossier__agency=agency)
    events = (
        PaymentEvent.objects.filter(
            kind=EventKind.NOTIFICATION, outcome__in=list(REJECTED_OUTCOMES), received_at__gte=start,
            received_at__lt=end, txn_ref__in=ours.values("txn_ref"),
        )
        .annotate(dossier_code=Subquery(ours.filter(txn_ref=OuterRef("txn_ref")).values("bill__dossier__code")[:1]))
        .only("gateway", "txn_ref", "outcome", "detail", "received_at")
        .order_by("received_at", "pk")
    )  # fmt: skip
    if gateway:
        events = events.filter(gateway=gateway)
    return list(events)


def _row(payment: Payment) -> Row:
    bill = payment.bill
    row = Row(
        txn_ref=payment.txn_ref, gateway=payment.gateway, gateway_name=gateway_name(payment.gateway),
        dossier_code=bill.dossier.code, applicant_name=bill.dossier.applicant_name, amount=payment.amount,
        bill_total=bill.total, bill_status=bill.status, status=payment.status, created_at=payment.created_at,
        paid_at=payment.paid_at, gateway_txn_no=payment.gateway_txn_no, refunded_amount=payment.refunded_amount,
    )  # fmt: skip
    kept = payment.status in SETTLED and payment.refunded_amount < payment.amount
    if kept and bill.status != BillStatus.PAID:
        row.problems.append(NOT_PAID_BILL)  # e.g. paid after the bill was cancelled: to refund
    if payment.status != PaymentStatus.FAILED and payment.amount != bill.total:
        row.problems.append(AMOUNT_DIFFERS)
    if payment.status == PaymentStatus.PAID and payment.paid_on_bill > 1:
        row.problems.append(SEVERAL_PAID)
    return row


def _gateway_order(codes: Iterable[str], chosen: str | None) -> list[str]:
    """The enabled gateways first (shown even with nothing that day), then any other that had payments."""
    if chosen:
        return [chosen]
    enabled = enabled_codes()
    return [*enabled, *sorted(set(codes) - set(enabled))]


def daily_report(*, agency: Agency, day: dt.date, gateway: str | None = None) -> DailyReport:
    """Báo cáo đối soát: an agency's payments of one day (Vietnam time), per gateway, with their mismatches."""
    start, end = day_bounds(day)
    gateway = gateway or None
    payments = _payments(agency, start, end, gateway)
    bills = _bills_without_payment(agency, start, end, gateway)
    events = _rejected_events(agency, start, end, gateway)

    rows = [_row(payment) for payment in payments]
    mismatches: list[Mismatch] = []
    several_seen: set[int] = set()
    for payment, row in zip(payments, rows, strict=True):
        for kind in row.problems:
            if kind == SEVERAL_PAID:
                if payment.bill_id in several_seen:
                    continue  # one mismatch per bill, however many of its payments the day holds
                several_seen.add(payment.bill_id)
                detail = _("Hồ sơ %(code)s: %(n)d giao dịch đã thanh toán cho cùng một thông báo phí.") % {
                    "code": row.dossier_code, "n": payment.paid_on_bill,
                }  # fmt: skip
            elif kind == AMOUNT_DIFFERS:
                detail = _("Giao dịch %(amount)s đồng, thông báo phí %(total)s đồng.") % {
                    "amount": _grouped(row.amount), "total": _grouped(row.bill_total),
                }  # fmt: skip
            else:
                detail = _("Thông báo phí: %(status)s.") % {"status": row.bill_status_label}
            mismatches.append(Mismatch(kind, row.gateway, row.txn_ref, row.dossier_code, detail, row.paid_at))
    for bill in bills:
        mismatches.append(
            Mismatch(
                BILL_WITHOUT_PAYMENT, gateway or bill.last_gateway or "", "", bill.dossier.code,
                _("Thông báo phí %(total)s đồng.") % {"total": _grouped(bill.total)}, bill.paid_at,
            )
        )  # fmt: skip
    for event in events:
        mismatches.append(
            Mismatch(
                REJECTED_OUTCOMES[event.outcome], event.gateway, event.txn_ref, event.dossier_code or "",
                _rejection_detail(event), event.received_at,
            )
        )  # fmt: skip

    mismatches.sort(key=lambda mismatch: mismatch.at or end)  # in the order they happened; undated ones last
    summaries = {
        code: GatewaySummary(code=code, name=gateway_name(code))
        for code in _gateway_order([r.gateway for r in rows] + [m.gateway for m in mismatches if m.gateway], gateway)
    }
    for row in rows:
        summary = summaries[row.gateway]
        summary.figure(row.status).add(row.amount)
        if row.status == PaymentStatus.REFUNDED:
            summary.refunded_amount += row.refunded_amount
        if row.status in SETTLED and row.paid_at is not None and start <= row.paid_at < end:
            summary.collected.add(row.amount)
    unattributed = 0
    for mismatch in mismatches:
        if mismatch.gateway in summaries:
            summaries[mismatch.gateway].mismatches += 1
        else:
            unattributed += 1  # a bill paid with no payment attempt at all
    total = GatewaySummary(code="", name=_("Tổng cộng"))
    for summary in summaries.values():
        total += summary
    total.mismatches += unattributed
    return DailyReport(
        agency=agency, day=day, gateway=gateway, start=start, end=end, summaries=list(summaries.values()),
        total=total, rows=rows, mismatches=mismatches,
    )  # fmt: skip


def _grouped(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def _rejection_detail(event: PaymentEvent) -> str:
    """Why the ledger refused a notification, for an officer (the event keeps the technical note as written)."""
    if event.outcome == BAD_CHECKSUM:
        return _("Chữ ký không khớp với khóa của cổng; thông báo không được áp dụng.")
    found = WRONG_AMOUNT_PATTERN.search(event.detail or "")
    if found and found.group(1).isdigit():
        return _("Cổng báo %(reported)s đồng, giao dịch %(amount)s đồng; thông báo không được áp dụng.") % {
            "reported": _grouped(int(found.group(1))), "amount": _grouped(int(found.group(2))),
        }  # fmt: skip
    return _("Số tiền cổng báo không đọc được hoặc khác số tiền giao dịch; thông báo không được áp dụng.")


# ----- Excel --------------------------------------------------------------------------------------------------------


def _naive_local(moment: dt.datetime | None) -> dt.datetime | None:
    """Excel has no time zones: times are written as Vietnam's wall-clock time."""
    return timezone.localtime(moment, VN).replace(tzinfo=None) if moment else None


def xlsx_filename(report: DailyReport) -> str:
    suffix = f"-{report.gateway}" if report.gateway else ""
    return f"doi-soat-{report.agency.identifier}-{report.day:%Y%m%d}{suffix}.xlsx"


def workbook(report: DailyReport, *, now: dt.datetime | None = None) -> bytes:
    """The report as an .xlsx file: sheets "Tổng hợp" (per gateway), "Giao dịch" (rows) and "Sai lệch"."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    summary = book.active
    summary.title = _("Tổng hợp")
    summary["A1"] = _("Báo cáo đối soát thanh toán trực tuyến")
    summary["A1"].font = Font(bold=True, size=13)
    facts = [
        (_("Cơ quan"), f"{report.agency.name} ({report.agency.identifier})", None),
        (_("Ngày"), report.day, DATE),
        (_("Cổng thanh toán"), gateway_name(report.gateway) if report.gateway else _("Tất cả"), None),
        (_("Lập lúc"), _naive_local(now or timezone.now()), MOMENT),
    ]
    for index, (label, value, number_format) in enumerate(facts, start=2):
        summary.cell(row=index, column=1, value=label).font = Font(bold=True)
        cell = summary.cell(row=index, column=2, value=value)
        if number_format:
            cell.number_format = number_format
    headers = [
        _("Cổng thanh toán"), _("Mã cổng"),
        _("Đã thanh toán: số giao dịch"), _("Đã thanh toán: số tiền (đồng)"),
        _("Đang chờ: số giao dịch"), _("Đang chờ: số tiền (đồng)"),
        _("Không thành công: số giao dịch"), _("Không thành công: số tiền (đồng)"),
        _("Đã hoàn tiền: số giao dịch"), _("Đã hoàn tiền: số tiền giao dịch (đồng)"), _("Số tiền đã hoàn (đồng)"),
        _("Thu trong ngày: số giao dịch"), _("Thu trong ngày: số tiền (đồng)"),
        _("Số sai lệch"),
    ]  # fmt: skip
    lines = [
        [
            item.name, item.code or None, item.paid.count, item.paid.amount, item.pending.count, item.pending.amount,
            item.failed.count, item.failed.amount, item.refunded.count, item.refunded.amount, item.refunded_amount,
            item.collected.count, item.collected.amount, item.mismatches,
        ]
        for item in [*report.summaries, report.total]
    ]  # fmt: skip
    money_columns = {4: MONEY, 6: MONEY, 8: MONEY, 10: MONEY, 11: MONEY, 13: MONEY}
    write_table(summary, len(facts) + 3, headers, lines, money_columns)
    last = len(facts) + 3 + len(lines)
    for cell in summary[last]:
        cell.font = Font(bold=True)

    transactions = book.create_sheet(_("Giao dịch"))
    write_table(
        transactions,
        1,
        [
            _("Mã giao dịch"), _("Cổng thanh toán"), _("Mã hồ sơ"), _("Chủ hồ sơ"), _("Số tiền (đồng)"),
            _("Tổng thông báo phí (đồng)"), _("Trạng thái thông báo phí"), _("Trạng thái giao dịch"), _("Tạo lúc"),
            _("Thanh toán lúc"), _("Mã giao dịch tại cổng"), _("Đã hoàn (đồng)"), _("Sai lệch"),
        ],
        [
            [
                row.txn_ref, row.gateway_name, row.dossier_code, row.applicant_name, row.amount, row.bill_total,
                row.bill_status_label, row.status_label, _naive_local(row.created_at), _naive_local(row.paid_at),
                row.gateway_txn_no, row.refunded_amount, "; ".join(row.problem_labels),
            ]
            for row in report.rows
        ],
        {5: MONEY, 6: MONEY, 9: MOMENT, 10: MOMENT, 12: MONEY},
    )  # fmt: skip
    transactions.freeze_panes = "B2"

    problems = book.create_sheet(_("Sai lệch"))
    write_table(
        problems,
        1,
        [_("Loại sai lệch"), _("Cổng thanh toán"), _("Mã giao dịch"), _("Mã hồ sơ"), _("Thời điểm"), _("Chi tiết")],
        [
            [
                item.label, gateway_name(item.gateway) if item.gateway else "", item.txn_ref, item.dossier_code,
                _naive_local(item.at), item.detail,
            ]
            for item in report.mismatches
        ],
        {5: MOMENT},
    )  # fmt: skip
    problems.freeze_panes = "A2"

    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
