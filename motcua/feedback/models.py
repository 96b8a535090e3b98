"""Satisfaction (mức độ hài lòng) and feedback (phản ánh, kiến nghị — PAKN): what group MDHL of the service index
(QĐ 766/QĐ-TTg) measures.

- `Rating`: the applicant's satisfaction with one dossier of theirs, once it was finished (result returned or
  processing stopped); one per dossier, changeable for a while (a `FeedbackRule`), then frozen.
- `Feedback`: a petition or complaint about a procedure, an agency or a dossier, from anyone, routed to the
  responsible agency. Its handling is an appended `FeedbackEvent` log; the `Feedback` row is the projection
  (status, deadlines, whether each step was on time), updated in the same transaction.
- `FeedbackRule`: the deadlines of each handling step and the rating window — data an administrator edits,
  loaded by migration 0002 from motcua/feedback/defaults.py.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Agency, Procedure
from motcua.dossiers.models import Dossier, DossierState

MAX_COMMENT = 2000
MAX_CONTENT = 5000
MAX_TEXT = 5000


class RatingLevel(models.TextChoices):
    """Mức độ hài lòng, as the index asks it."""

    VERY_SATISFIED = "very_satisfied", _("Rất hài lòng")
    SATISFIED = "satisfied", _("Hài lòng")
    NOT_SATISFIED = "not_satisfied", _("Không hài lòng")


# The index counts these as "satisfied" (numerator) over every rating given (denominator).
SATISFIED_LEVELS = (RatingLevel.VERY_SATISFIED, RatingLevel.SATISFIED)

# A dossier may be rated once the agency has finished with it: its result returned (10), or processing stopped
# (8) — the applicants of stopped dossiers are those most likely to be unhappy, and the index must hear them.
# Not refused at reception (3: never processed) nor withdrawn (7: the applicant's own choice).
RATEABLE_STATES = (DossierState.RESULT_RETURNED, DossierState.STOPPED)


class RuleKind(models.TextChoices):
    REFUSE = "refuse", _("Từ chối tiếp nhận phản ánh, kiến nghị")
    REQUEST_INFO = "request_info", _("Đề nghị người gửi bổ sung thông tin")
    ANSWER = "answer", _("Trả lời phản ánh, kiến nghị")
    PUBLISH = "publish", _("Công khai kết quả trả lời")
    RATING_CHANGE = "rating_change", _("Thay đổi đánh giá mức độ hài lòng")


class DayUnit(models.TextChoices):
    WORKING_DAY = "working_day", _("Ngày làm việc")
    CALENDAR_DAY = "calendar_day", _("Ngày theo lịch")


class FeedbackRule(models.Model):
    """Thời hạn: how many days a step may take, counted from its start (data: edited in the admin).

    Refusal, a request for information and the answer count from the receipt of the feedback; publication from
    the answer; the rating window from the first rating. In working days the day of the start is not counted
    (Civil Code art. 147): N working days end at 17:00 of the N-th working day after it.
    """

    kind = models.CharField(_("việc"), max_length=20, choices=RuleKind.choices, unique=True)
    days = models.PositiveSmallIntegerField(_("số ngày"))
    unit = models.CharField(_("tính theo"), max_length=12, choices=DayUnit.choices, default=DayUnit.WORKING_DAY)
    legal_basis = models.CharField(_("căn cứ"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("thời hạn xử lý phản ánh, kiến nghị và đánh giá")
        verbose_name_plural = _("thời hạn xử lý phản ánh, kiến nghị và đánh giá")
        ordering = ["kind"]
        constraints = [models.CheckConstraint(condition=Q(days__gte=1, days__lte=365), name="feedback_rule_days")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.days} ({self.get_unit_display()})"


class Rating(models.Model):
    """Đánh giá mức độ hài lòng của chủ hồ sơ về việc giải quyết một hồ sơ: one per dossier."""

    dossier = models.OneToOneField(
        Dossier, on_delete=models.PROTECT, related_name="satisfaction_rating", verbose_name=_("hồ sơ")
    )
    # The dossier's agency, kept here so that the index counts an agency's ratings from this table alone.
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan"))
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("chủ hồ sơ")
    )
    level = models.CharField(_("mức độ hài lòng"), max_length=20, choices=RatingLevel.choices)
    comment = models.CharField(_("góp ý"), max_length=MAX_COMMENT, blank=True)
    rated_at = models.DateTimeField(_("đánh giá lúc"))
    changed_at = models.DateTimeField(_("sửa lần cuối lúc"), null=True, blank=True)
    changes = models.PositiveSmallIntegerField(_("số lần sửa"), default=0)
    changeable_until = models.DateTimeField(_("được sửa đến"))

    class Meta:
        verbose_name = _("đánh giá mức độ hài lòng")
        verbose_name_plural = _("đánh giá mức độ hài lòng")
        ordering = ["-rated_at"]
        constraints = [
            models.CheckConstraint(condition=Q(level__in=RatingLevel.values), name="rating_level_known"),
            models.CheckConstraint(condition=Q(changeable_until__gt=models.F("rated_at")), name="rating_window"),
            models.CheckConstraint(
                condition=Q(changed_at__isnull=True) | Q(changed_at__lte=models.F("changeable_until")),
                name="rating_changed_within_window",
            ),
        ]
        indexes = [models.Index(fields=["agency", "rated_at"], name="rating_agency_idx")]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.level}"


class FeedbackStatus(models.TextChoices):
    RECEIVED = "received", _("Đã tiếp nhận, đang xử lý")
    INFO_REQUESTED = "info_requested", _("Chờ người gửi bổ sung thông tin")
    REFUSED = "refused", _("Từ chối tiếp nhận")
    ANSWERED = "answered", _("Đã trả lời")
    PUBLISHED = "published", _("Đã công khai kết quả trả lời")


OPEN_STATUSES = (FeedbackStatus.RECEIVED, FeedbackStatus.INFO_REQUESTED)
ANSWERED_STATUSES = (FeedbackStatus.ANSWERED, FeedbackStatus.PUBLISHED)


class RoutedBy(models.TextChoices):
    """Why the feedback went to its agency (routing rule, in this order)."""

    DOSSIER = "dossier", _("Cơ quan giải quyết hồ sơ được phản ánh")
    AGENCY = "agency", _("Cơ quan người gửi đã chọn")
    PROCEDURE = "procedure", _("Cơ quan duy nhất thực hiện thủ tục")
    FALLBACK = "fallback", _("Trung tâm phục vụ hành chính công (hoặc UBND tỉnh)")


class Feedback(models.Model):
    """Phản ánh, kiến nghị: one petition, its sender, its subject, and the projection of its handling.

    The tracking code is shown to the sender once; only its digest is kept (and the last four characters, to
    tell codes apart). Name and contact are personal data: officers of the responsible agency see them, the
    public answers page never does.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(_("bốn ký tự cuối của mã theo dõi"), max_length=4)
    submission_digest = models.CharField(max_length=64, unique=True, help_text=_("Mã băm của khóa chống gửi trùng."))
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tài khoản người gửi"),
        help_text=_("Trống khi người gửi không đăng nhập."),
    )
    sender_name = models.CharField(_("họ và tên người gửi"), max_length=200)
    sender_email = models.EmailField(_("thư điện tử"), blank=True)
    sender_phone = models.CharField(_("số điện thoại"), max_length=15, blank=True)
    content = models.TextField(_("nội dung phản ánh, kiến nghị"))
    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("thủ tục")
    )
    named_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cơ quan được phản ánh"),
    )
    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("hồ sơ")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="feedback", verbose_name=_("cơ quan xử lý")
    )
    routed_by = models.CharField(_("căn cứ chuyển xử lý"), max_length=10, choices=RoutedBy.choices)
    status = models.CharField(_("tình trạng"), max_length=20, choices=FeedbackStatus.choices)
    received_at = models.DateTimeField(_("tiếp nhận lúc"))
    # The rules in force at receipt, pinned like a dossier pins its procedure version: {kind: [days, unit]}.
    rules = models.JSONField(_("thời hạn áp dụng"), default=dict)
    refuse_due = models.DateTimeField(_("hạn từ chối tiếp nhận"))
    info_due = models.DateTimeField(_("hạn đề nghị bổ sung thông tin"))
    answer_due = models.DateTimeField(
        _("hạn trả lời"), null=True, blank=True, help_text=_("Trống khi đang chờ người gửi bổ sung thông tin.")
    )
    publish_due = models.DateTimeField(_("hạn công khai"), null=True, blank=True)
    # What the worklist sorts on: the deadline of the step now awaited (the answer, then the publication).
    due_at = models.DateTimeField(_("hạn của bước hiện tại"), null=True, blank=True)
    refused_at = models.DateTimeField(_("từ chối lúc"), null=True, blank=True)
    refusal_reason = models.TextField(_("lý do từ chối"), blank=True)
    info_requested_at = models.DateTimeField(_("đề nghị bổ sung lúc"), null=True, blank=True)
    info_request = models.TextField(_("thông tin cần bổ sung"), blank=True)
    info_replied_at = models.DateTimeField(_("người gửi bổ sung lúc"), null=True, blank=True)
    info_reply = models.TextField(_("thông tin người gửi bổ sung"), blank=True)
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)
    answer = models.TextField(_("nội dung trả lời"), blank=True)
    published_at = models.DateTimeField(_("công khai lúc"), null=True, blank=True)
    public_question = models.TextField(_("nội dung phản ánh được công khai"), blank=True)
    public_answer = models.TextField(_("nội dung trả lời được công khai"), blank=True)
    refused_on_time = models.BooleanField(_("từ chối đúng hạn"), null=True, blank=True)
    info_requested_on_time = models.BooleanField(_("đề nghị bổ sung đúng hạn"), null=True, blank=True)
    answered_on_time = models.BooleanField(_("trả lời đúng hạn"), null=True, blank=True)
    published_on_time = models.BooleanField(_("công khai đúng hạn"), null=True, blank=True)
    # The sender's satisfaction with the answer (the index's "satisfaction with feedback handling").
    sender_rating = models.CharField(_("mức độ hài lòng với trả lời"), max_length=20, choices=RatingLevel.choices,
                                     blank=True)  # fmt: skip
    sender_rating_comment = models.CharField(_("góp ý về trả lời"), max_length=MAX_COMMENT, blank=True)
    sender_rated_at = models.DateTimeField(_("đánh giá trả lời lúc"), null=True, blank=True)
    sender_rating_until = models.DateTimeField(_("được sửa đánh giá đến"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(sender_email="", sender_phone=""), name="feedback_has_contact"),
            models.CheckConstraint(condition=Q(status__in=FeedbackStatus.values), name="feedback_status_known"),
            models.CheckConstraint(
                condition=~Q(status=FeedbackStatus.REFUSED) | (Q(refused_at__isnull=False) & ~Q(refusal_reason="")),
                name="feedback_refused_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=FeedbackStatus.INFO_REQUESTED) | Q(info_requested_at__isnull=False),
                name="feedback_info_requested_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=ANSWERED_STATUSES) | (Q(answered_at__isnull=False) & ~Q(answer="")),
                name="feedback_answered_has_answer",
            ),
            models.CheckConstraint(
                condition=~Q(status=FeedbackStatus.PUBLISHED)
                | (Q(published_at__isnull=False) & ~Q(public_question="") & ~Q(public_answer="")),
                name="feedback_published_has_text",
            ),
            models.CheckConstraint(
                condition=Q(sender_rating="") | Q(status__in=ANSWERED_STATUSES, sender_rated_at__isnull=False),
                name="feedback_rated_after_answer",
            ),
        ]
        indexes = [
            # The agency's worklist: open or awaiting publication, nearest deadline first.
            models.Index(fields=["agency", "status", "due_at"], name="feedback_worklist_idx"),
            # The index's counts, each by the day its step happened.
            models.Index(fields=["agency", "received_at"], name="feedback_received_idx"),
            models.Index(fields=["agency", "answered_at"], name="feedback_answered_idx"),
            models.Index(fields=["agency", "published_at"], name="feedback_published_idx"),
            models.Index(fields=["-published_at"], condition=Q(status="published"), name="feedback_public_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d} …{self.hint}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class FeedbackEventKind(models.TextChoices):
    SUBMIT = "submit", _("Gửi phản ánh, kiến nghị")
    REFUSE = "refuse", _("Từ chối tiếp nhận")
    REQUEST_INFO = "request_info", _("Đề nghị bổ sung thông tin")
    REPLY = "reply", _("Người gửi bổ sung thông tin")
    ANSWER = "answer", _("Trả lời phản ánh, kiến nghị")
    PUBLISH = "publish", _("Công khai kết quả trả lời")
    RATE = "rate", _("Người gửi đánh giá trả lời")


class AppendOnlyError(Exception):
    """The feedback's log is never changed or deleted."""


class FeedbackEvent(models.Model):
    """Một bước xử lý phản ánh, kiến nghị: who did what, when, with what comment — appended, never changed."""

    feedback = models.ForeignKey(Feedback, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField(_("thứ tự"))
    kind = models.CharField(_("việc"), max_length=20, choices=FeedbackEventKind.choices)
    at = models.DateTimeField(_("thời điểm"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người thực hiện"),
        help_text=_("Trống khi người gửi không đăng nhập."),
    )
    actor_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    from_status = models.CharField(max_length=20, choices=FeedbackStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=FeedbackStatus.choices)
    comment = models.TextField(_("nội dung"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)

    class Meta:
        verbose_name = _("bước xử lý phản ánh, kiến nghị")
        verbose_name_plural = _("nhật ký xử lý phản ánh, kiến nghị")
        ordering = ["feedback", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["feedback", "seq"], name="feedback_event_seq_unique"),
            models.UniqueConstraint(
                fields=["feedback", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="feedback_event_idempotency_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.feedback_id}#{self.seq} {self.kind}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("the feedback log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the feedback log is append-only")
