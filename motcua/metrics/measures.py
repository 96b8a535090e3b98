"""The measures the engine counts per agency and period — what an index scheme's indicators divide.

A scheme (data, `IndexScheme`) names these as the numerator and denominator of each indicator; the engine
(`metrics.queries`) gives each one for any agencies and period. Flow measures count what happened in the period
(by the day it happened); stock measures count what stood at the period's end (cumulated from day deltas).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# Flow: what happened in the period.
RECEIVED_ONLINE = "received_online"  # received (tiếp nhận) in the period, filed online
RECEIVED_DIRECT = "received_direct"  # received in the period at the desk or by public post
RECEIVED_FULL_ONLINE = "received_full_online"  # of those online, under a full-process (toàn trình) service
RESOLVED_EARLY = "resolved_early"  # processing ended before the appointment's day
RESOLVED_ON_TIME = "resolved_on_time"  # ended on the appointment's day, not after it
RESOLVED_LATE = "resolved_late"  # ended after the appointment
FEES_PAID = "fees_paid"  # dossiers whose fees were paid, by the day they were paid
FEES_PAID_ONLINE = "fees_paid_online"  # of those, paid online through a gateway
RESULTS_ISSUED = "results_issued"  # dossiers whose electronic (signed) result was issued
COMPONENTS = "components"  # components filed with dossiers received in the period
COMPONENTS_DIGITISED = "components_digitised"  # of those, digitised at the desk
COMPONENTS_REUSED = "components_reused"  # of those, taken from the applicant's warehouse

# Stock: what stood at the period's end (in progress, overdue), from day deltas summed up to that day.
OPEN = "open"  # received, processing not ended
OPEN_OVERDUE = "open_overdue"  # of those, past their appointment (a second pending supplement request counts)

# Computed from the stock at the period's end and the day before it began.
OPEN_IN_TIME = "open_in_time"  # open at the end and not overdue
CARRIED_OVER = "carried_over"  # open at the end of the day before the period: kỳ trước chuyển qua

FLOW = (
    RECEIVED_ONLINE, RECEIVED_DIRECT, RECEIVED_FULL_ONLINE, RESOLVED_EARLY, RESOLVED_ON_TIME, RESOLVED_LATE,
    FEES_PAID, FEES_PAID_ONLINE, RESULTS_ISSUED, COMPONENTS, COMPONENTS_DIGITISED, COMPONENTS_REUSED,
)  # fmt: skip
STOCK = (OPEN, OPEN_OVERDUE)
COMPUTED = (OPEN_IN_TIME, CARRIED_OVER)
ALL = FLOW + STOCK + COMPUTED

LABELS = {
    RECEIVED_ONLINE: _("Tiếp nhận trực tuyến"),
    RECEIVED_DIRECT: _("Tiếp nhận trực tiếp, qua bưu chính"),
    RECEIVED_FULL_ONLINE: _("Tiếp nhận trực tuyến toàn trình"),
    RESOLVED_EARLY: _("Giải quyết trước hạn"),
    RESOLVED_ON_TIME: _("Giải quyết đúng hạn"),
    RESOLVED_LATE: _("Giải quyết quá hạn"),
    FEES_PAID: _("Hồ sơ đã nộp phí, lệ phí"),
    FEES_PAID_ONLINE: _("Hồ sơ nộp phí, lệ phí trực tuyến"),
    RESULTS_ISSUED: _("Hồ sơ có kết quả điện tử"),
    COMPONENTS: _("Thành phần hồ sơ"),
    COMPONENTS_DIGITISED: _("Thành phần hồ sơ được số hóa"),
    COMPONENTS_REUSED: _("Thành phần hồ sơ tái sử dụng từ kho dữ liệu"),
    OPEN: _("Đang giải quyết"),
    OPEN_OVERDUE: _("Đang giải quyết, quá hạn"),
    OPEN_IN_TIME: _("Đang giải quyết, trong hạn"),
    CARRIED_OVER: _("Kỳ trước chuyển qua"),
    "received": _("Tiếp nhận"),
    "resolved": _("Đã giải quyết"),
    "resolved_in_time": _("Giải quyết trước hạn, đúng hạn"),
    "judged": _("Đã giải quyết và đang giải quyết cuối kỳ"),
    "judged_in_time": _("Trước hạn, đúng hạn và đang trong hạn"),
}

# Derived measures: sums of others (a scheme may name these too).
DERIVED = {
    "received": (RECEIVED_ONLINE, RECEIVED_DIRECT),
    "resolved": (RESOLVED_EARLY, RESOLVED_ON_TIME, RESOLVED_LATE),
    "resolved_in_time": (RESOLVED_EARLY, RESOLVED_ON_TIME),
    # The on-time rule judges unfinished dossiers at the period's end: resolved + still open, in time or not.
    "judged": (RESOLVED_EARLY, RESOLVED_ON_TIME, RESOLVED_LATE, OPEN),
    "judged_in_time": (RESOLVED_EARLY, RESOLVED_ON_TIME, OPEN_IN_TIME),
}
