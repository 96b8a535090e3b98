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
DOSSIERS_RATED = "dossiers_rated"  # dossiers their applicant rated, by the day of the first rating
DOSSIERS_RATED_SATISFIED = "dossiers_rated_satisfied"  # of those, rated very satisfied or satisfied (now)
# Feedback (phản ánh, kiến nghị — group MDHL), each step by the day it happened.
FEEDBACK_RECEIVED = "feedback_received"
FEEDBACK_REFUSED = "feedback_refused"  # refused (not taken up), with its reason
FEEDBACK_REFUSED_ON_TIME = "feedback_refused_on_time"  # of those, within the refusal deadline
FEEDBACK_INFO_REQUESTED = "feedback_info_requested"  # the sender was asked for more information
FEEDBACK_INFO_REQUESTED_ON_TIME = "feedback_info_requested_on_time"
FEEDBACK_ANSWERED = "feedback_answered"
FEEDBACK_ANSWERED_ON_TIME = "feedback_answered_on_time"  # within the answer deadline (waiting not counted)
FEEDBACK_PUBLISHED = "feedback_published"  # answers published
FEEDBACK_PUBLISHED_ON_TIME = "feedback_published_on_time"
FEEDBACK_RATED = "feedback_rated"  # senders' ratings of the answers, by the day first given
FEEDBACK_RATED_SATISFIED = "feedback_rated_satisfied"
# Status sync (group CKMB): each change of a dossier recorded for the national portal, by the day of the change,
# and of those, the ones the national portal has accepted (now).
SYNC_CHANGES = "sync_changes"
SYNC_CHANGES_ACCEPTED = "sync_changes_accepted"

# Stock: what stood at the period's end (in progress, overdue), from day deltas summed up to that day.
OPEN = "open"  # received, processing not ended
OPEN_OVERDUE = "open_overdue"  # of those, past their appointment (a second pending supplement request counts)
FEEDBACK_OPEN = "feedback_open"  # feedback received, neither answered nor refused
FEEDBACK_OPEN_OVERDUE = "feedback_open_overdue"  # of those, past the answer deadline (never while waiting)

# Computed from the stock at the period's end and the day before it began.
OPEN_IN_TIME = "open_in_time"  # open at the end and not overdue
CARRIED_OVER = "carried_over"  # open at the end of the day before the period: kỳ trước chuyển qua
FEEDBACK_OPEN_IN_TIME = "feedback_open_in_time"  # feedback open at the end and not overdue

FLOW = (
    RECEIVED_ONLINE, RECEIVED_DIRECT, RECEIVED_FULL_ONLINE, RESOLVED_EARLY, RESOLVED_ON_TIME, RESOLVED_LATE,
    FEES_PAID, FEES_PAID_ONLINE, RESULTS_ISSUED, COMPONENTS, COMPONENTS_DIGITISED, COMPONENTS_REUSED,
    DOSSIERS_RATED, DOSSIERS_RATED_SATISFIED, FEEDBACK_RECEIVED, FEEDBACK_REFUSED, FEEDBACK_REFUSED_ON_TIME,
    FEEDBACK_INFO_REQUESTED, FEEDBACK_INFO_REQUESTED_ON_TIME, FEEDBACK_ANSWERED, FEEDBACK_ANSWERED_ON_TIME,
    FEEDBACK_PUBLISHED, FEEDBACK_PUBLISHED_ON_TIME, FEEDBACK_RATED, FEEDBACK_RATED_SATISFIED, SYNC_CHANGES,
    SYNC_CHANGES_ACCEPTED,
)  # fmt: skip
STOCK = (OPEN, OPEN_OVERDUE, FEEDBACK_OPEN, FEEDBACK_OPEN_OVERDUE)
COMPUTED = (OPEN_IN_TIME, CARRIED_OVER, FEEDBACK_OPEN_IN_TIME)
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
    DOSSIERS_RATED: _("Hồ sơ được đánh giá mức độ hài lòng"),
    SYNC_CHANGES: _("Thay đổi trạng thái hồ sơ cần đồng bộ Cổng quốc gia"),
    SYNC_CHANGES_ACCEPTED: _("Thay đổi trạng thái hồ sơ đã đồng bộ Cổng quốc gia"),
    DOSSIERS_RATED_SATISFIED: _("Hồ sơ được đánh giá hài lòng, rất hài lòng"),
    FEEDBACK_RECEIVED: _("Phản ánh, kiến nghị tiếp nhận"),
    FEEDBACK_REFUSED: _("Phản ánh, kiến nghị từ chối tiếp nhận"),
    FEEDBACK_REFUSED_ON_TIME: _("Phản ánh, kiến nghị từ chối đúng hạn"),
    FEEDBACK_INFO_REQUESTED: _("Phản ánh, kiến nghị đề nghị bổ sung thông tin"),
    FEEDBACK_INFO_REQUESTED_ON_TIME: _("Phản ánh, kiến nghị đề nghị bổ sung đúng hạn"),
    FEEDBACK_ANSWERED: _("Phản ánh, kiến nghị đã trả lời"),
    FEEDBACK_ANSWERED_ON_TIME: _("Phản ánh, kiến nghị trả lời đúng hạn"),
    FEEDBACK_PUBLISHED: _("Kết quả trả lời đã công khai"),
    FEEDBACK_PUBLISHED_ON_TIME: _("Kết quả trả lời công khai đúng hạn"),
    FEEDBACK_RATED: _("Trả lời được người gửi đánh giá"),
    FEEDBACK_RATED_SATISFIED: _("Trả lời được đánh giá hài lòng, rất hài lòng"),
    FEEDBACK_OPEN: _("Phản ánh, kiến nghị đang xử lý"),
    FEEDBACK_OPEN_OVERDUE: _("Phản ánh, kiến nghị đang xử lý, quá hạn"),
    FEEDBACK_OPEN_IN_TIME: _("Phản ánh, kiến nghị đang xử lý, trong hạn"),
    "feedback_handled": _("Phản ánh, kiến nghị đã xử lý (trả lời hoặc từ chối)"),
    "feedback_handled_on_time": _("Phản ánh, kiến nghị xử lý đúng hạn"),
    "feedback_judged": _("Phản ánh, kiến nghị đã xử lý và đang xử lý cuối kỳ"),
    "feedback_judged_in_time": _("Phản ánh, kiến nghị xử lý đúng hạn và đang trong hạn"),
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
    # Feedback is handled when answered or refused; the same end-of-period judgement as dossiers.
    "feedback_handled": (FEEDBACK_ANSWERED, FEEDBACK_REFUSED),
    "feedback_handled_on_time": (FEEDBACK_ANSWERED_ON_TIME, FEEDBACK_REFUSED_ON_TIME),
    "feedback_judged": (FEEDBACK_ANSWERED, FEEDBACK_REFUSED, FEEDBACK_OPEN),
    "feedback_judged_in_time": (FEEDBACK_ANSWERED_ON_TIME, FEEDBACK_REFUSED_ON_TIME, FEEDBACK_OPEN_IN_TIME),
}
